import { Fn } from 'aws-cdk-lib';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import { DASHBOARD_DATA_SETS, LATEST_RUN, PREVIOUS_RUN, type DashboardDataSetKey } from '../core/analytics/dashboard-sql';
import { LOWEST_SCORING_LIMIT } from '../core/analytics/queries';
import { ROUGE_METRICS } from '../core/evaluation/rows';
import { percent } from '../core/results-report/format';
import { MODEL_NAMES } from '../core/results-report/names';
import { MAX_TRUSTED_ERROR_RATE } from '../core/results-report/trust';
import { scoringSettings } from '../core/results-report/view';

/*
 * The clinicians' dashboard, declared in code. What it shows and what it calls things come from
 * the report's one definition (lib/core/results-report) through the data sets' SQL
 * (lib/core/analytics/dashboard-sql.ts); this file lays them out.
 *
 * QuickSight features used, as documented:
 * - One run control per sheet. A string parameter `Run` (static default "Latest run") is set by a
 *   drop-down parameter control whose values come from the `runs` data set
 *   (ParameterDropDownControl.SelectableValues.LinkToDataSetColumn,
 *   https://docs.aws.amazon.com/quicksight/latest/APIReference/API_ParameterDropDownControl.html).
 *   Each data set has a calculated field that is 1 on the chosen run's rows (`${Run}` in the
 *   expression; "Latest run" matches run_rank 1), and one filter group per data set keeps those
 *   rows on every sheet the control drives (scope ALL_VISUALS,
 *   https://docs.aws.amazon.com/quicksight/latest/APIReference/API_FilterGroup.html). A dynamic
 *   default (DynamicDefaultValue) was not used: it maps named users or groups to their own default
 *   (https://docs.aws.amazon.com/quicksight/latest/APIReference/API_DynamicDefaultValue.html,
 *   https://docs.aws.amazon.com/quicksight/latest/user/parameters-default-values.html), while
 *   "the latest run" is the same for everyone and changes with every run.
 * - Column labels, widths and wrapping: TableFieldOptions.SelectedFieldOptions (CustomLabel,
 *   Width) and TableOptions.CellStyle.TextWrap
 *   (https://docs.aws.amazon.com/quicksight/latest/APIReference/API_TableFieldOption.html).
 * - Custom SQL data sets (https://docs.aws.amazon.com/quicksight/latest/APIReference/API_CustomSql.html).
 *
 * QuickSight has no error-bar chart: every mean is shown in a table with its interval beside it
 * (and the report's HTML page draws the error bars); no chart here shows a mean without one.
 */

type Def = quicksight.CfnDashboard.DashboardVersionDefinitionProperty;
type Visual = quicksight.CfnDashboard.VisualProperty;
type FilterGroup = quicksight.CfnDashboard.FilterGroupProperty;
type FilterControl = quicksight.CfnDashboard.FilterControlProperty;
type ParameterControl = quicksight.CfnDashboard.ParameterControlProperty;
type Sheet = quicksight.CfnDashboard.SheetDefinitionProperty;
type CalculatedField = quicksight.CfnDashboard.CalculatedFieldProperty;

/** The ARN of each data set, by its key (also its identifier inside the definition). */
export type DashboardDataSetArns = Readonly<Record<DashboardDataSetKey, string>>;

/** The parameter every sheet's run control sets (except the run comparison's two). */
export const RUN_PARAMETER = 'Run';
/** The run comparison's two runs. */
export const RUN_A_PARAMETER = 'RunA';
export const RUN_B_PARAMETER = 'RunB';

/**
 * A calculated field expression that names parameters (`${Run}`), as CloudFormation must receive
 * it: inside `Fn::Sub` with each `${` written `${!`, which CloudFormation turns back into a literal
 * `${` (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html).
 * Left bare, the template validator reads `${Run}` as a template parameter (cfn-lint E1029).
 */
export function withParameters(expression: string): string {
  return Fn.sub(expression.replaceAll('${', '${!'));
}

/** The calculated field of data set `ds` that is 1 on the rows of the run `parameter` chooses. */
export function selectedRunField(ds: DashboardDataSetKey, parameter = RUN_PARAMETER): string {
  return `${parameter.toLowerCase()}_selected_${ds}`;
}

function selectedRunExpression(parameter: string): string {
  const p = `\${${parameter}}`;
  return `ifelse((${p} = '${LATEST_RUN}' AND {run_rank} = 1) OR (${p} = '${PREVIOUS_RUN}' AND {run_rank} = 2) OR {run_id} = ${p}, 1, 0)`;
}

/** What a sheet adds to the definition. Sheets are built independently, so adding one is one line in {@link SHEETS}. */
export interface SheetPart {
  readonly sheet: Sheet;
  /** Filter groups of this sheet only (the run filter is added for every sheet with {@link runControlled}). */
  readonly filterGroups?: FilterGroup[];
  /** Data sets whose rows this sheet's run control filters; omit for a sheet with its own run choice. */
  readonly runControlled?: readonly DashboardDataSetKey[];
  readonly calculatedFields?: CalculatedField[];
}

function col(dataSet: DashboardDataSetKey, columnName: string): quicksight.CfnDashboard.ColumnIdentifierProperty {
  return { dataSetIdentifier: dataSet, columnName };
}

function title(text: string): { visibility: string; formatText: { plainText: string } } {
  return { visibility: 'VISIBLE', formatText: { plainText: text } };
}

/** One column of a table: the data set column, its label for people, and how to show it. */
interface Column {
  readonly column: string;
  readonly label: string;
  /** Pixel width; long text columns get one and wrap. */
  readonly width?: number;
  readonly format?: 'score' | 'percent' | 'count';
  /** A column kept only to sort by (an order number), not shown. */
  readonly hidden?: boolean;
}

const LONG_TEXT = 280;

/** The key columns most tables start with, labelled the same everywhere. */
const KEY = {
  dataset: { column: 'dataset_name', label: 'Data set', width: 200 },
  model: { column: 'model_name', label: 'Model', width: 200 },
} as const satisfies Record<string, Column>;

/** Hidden order columns that put models and figures in the report's order. */
const ORDER = {
  model: { column: 'model_order', label: 'Model order', hidden: true },
  metric: { column: 'metric_order', label: 'Figure order', hidden: true },
  comparison: { column: 'comparison_order', label: 'Comparison order', hidden: true },
} as const satisfies Record<string, Column>;

function format(kind: Column['format']): quicksight.CfnDashboard.FormatConfigurationProperty | undefined {
  if (kind === undefined) return undefined;
  if (kind === 'percent') {
    return {
      numberFormatConfiguration: { formatConfiguration: { percentageDisplayFormatConfiguration: { decimalPlacesConfiguration: { decimalPlaces: 1 } } } },
    };
  }
  return {
    numberFormatConfiguration: {
      formatConfiguration: { numberDisplayFormatConfiguration: { decimalPlacesConfiguration: { decimalPlaces: kind === 'score' ? 4 : 0 } } },
    },
  };
}

/**
 * A table of rows as they are (one data set row per table row): labelled columns, widths, text
 * wrapped, sorted by `sort`. Field ids are `<visualId>-<column>`.
 */
function table(
  visualId: string,
  ds: DashboardDataSetKey,
  heading: string,
  subtitle: string,
  columns: readonly Column[],
  sort: readonly [string, 'ASC' | 'DESC'][],
): Visual {
  const fieldId = (c: string) => `${visualId}-${c}`;
  return {
    tableVisual: {
      visualId,
      title: title(heading),
      subtitle: title(subtitle),
      chartConfiguration: {
        fieldWells: {
          tableUnaggregatedFieldWells: {
            values: columns.map((c) => ({
              fieldId: fieldId(c.column),
              column: col(ds, c.column),
              ...(c.format === undefined ? {} : { formatConfiguration: format(c.format) }),
            })),
          },
        },
        fieldOptions: {
          selectedFieldOptions: columns.map((c) => ({
            fieldId: fieldId(c.column),
            customLabel: c.label,
            visibility: c.hidden === true ? 'HIDDEN' : 'VISIBLE',
            ...(c.width === undefined ? {} : { width: `${c.width}px` }),
          })),
          order: columns.map((c) => fieldId(c.column)),
        },
        sortConfiguration: { rowSort: sort.map(([c, direction]) => ({ fieldSort: { fieldId: fieldId(c), direction } })) },
        tableOptions: { headerStyle: { textWrap: 'WRAP' }, cellStyle: { textWrap: 'WRAP', verticalTextAlignment: 'TOP' } },
      },
    },
  };
}

/** A fixed category filter on some visuals of one sheet: keep (or drop) the given values. */
function fixedFilter(id: string, ds: DashboardDataSetKey, column: string, values: string[], keep: boolean, sheetId: string, visualIds: string[]): FilterGroup {
  return {
    filterGroupId: `${id}-group`,
    crossDataset: 'SINGLE_DATASET',
    status: 'ENABLED',
    filters: [
      {
        categoryFilter: {
          filterId: `${id}-filter`,
          column: col(ds, column),
          configuration: { filterListConfiguration: { matchOperator: keep ? 'CONTAINS' : 'DOES_NOT_CONTAIN', categoryValues: values } },
        },
      },
    ],
    scopeConfiguration: { selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId, scope: 'SELECTED_VISUALS', visualIds }] } },
  };
}

/** A drop-down filter on a column of one data set, for every visual of one sheet; all values by default. */
function dropDownFilter(id: string, ds: DashboardDataSetKey, column: string, sheetId: string, label: string): { group: FilterGroup; control: FilterControl } {
  return dropDownFilterOn(id, ds, column, sheetId, label);
}

/**
 * {@link dropDownFilter} on any data set identifier of the dashboard, for sheets whose data sets are
 * not the result data sets (the review sheet).
 */
export function dropDownFilterOn(
  id: string,
  dataSetIdentifier: string,
  column: string,
  sheetId: string,
  label: string,
): { group: FilterGroup; control: FilterControl } {
  return {
    group: {
      filterGroupId: `${id}-group`,
      crossDataset: 'SINGLE_DATASET',
      status: 'ENABLED',
      filters: [
        {
          categoryFilter: {
            filterId: `${id}-filter`,
            column: { dataSetIdentifier, columnName: column },
            configuration: { filterListConfiguration: { matchOperator: 'CONTAINS', selectAllOptions: 'FILTER_ALL_VALUES' } },
          },
        },
      ],
      scopeConfiguration: { selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId, scope: 'ALL_VISUALS' }] } },
    },
    control: { dropdown: { filterControlId: `${id}-control`, sourceFilterId: `${id}-filter`, title: label, type: 'MULTI_SELECT' } },
  };
}

/** A text box filter: rows whose `column` contains what is typed (everything while it is empty). */
function containsFilter(id: string, ds: DashboardDataSetKey, column: string, sheetId: string, label: string): { group: FilterGroup; control: FilterControl } {
  return {
    group: {
      filterGroupId: `${id}-group`,
      crossDataset: 'SINGLE_DATASET',
      status: 'ENABLED',
      filters: [
        {
          categoryFilter: {
            filterId: `${id}-filter`,
            column: col(ds, column),
            configuration: { customFilterConfiguration: { matchOperator: 'CONTAINS', nullOption: 'ALL_VALUES', selectAllOptions: 'FILTER_ALL_VALUES' } },
          },
        },
      ],
      scopeConfiguration: { selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId, scope: 'ALL_VISUALS' }] } },
    },
    control: { textField: { filterControlId: `${id}-control`, sourceFilterId: `${id}-filter`, title: label } },
  };
}

/** The drop-down that sets a run parameter, listing "Latest run", "Previous run" and every run id. */
function runControl(id: string, parameter: string, label: string): ParameterControl {
  return {
    dropdown: {
      parameterControlId: id,
      sourceParameterName: parameter,
      title: label,
      type: 'SINGLE_SELECT',
      selectableValues: { linkToDataSetColumn: col('runs', 'run_choice') },
    },
  };
}

type Element = { id: string; type: 'VISUAL' | 'FILTER_CONTROL' | 'PARAMETER_CONTROL' | 'TEXT_BOX'; columns: number; rows: number };

/** QuickSight's largest row span of a grid layout element (AWS::QuickSight::Dashboard GridLayoutElement.RowSpan). */
export const MAX_ROW_SPAN = 21;

function grid(elements: readonly Element[]): quicksight.CfnDashboard.LayoutProperty[] {
  const tall = elements.filter((e) => e.rows > MAX_ROW_SPAN || e.columns > 36);
  if (tall.length > 0) throw new Error(`dashboard layout: ${tall.map((e) => e.id).join(', ')} exceed 36 columns or ${MAX_ROW_SPAN} rows`);
  return [
    { configuration: { gridLayout: { elements: elements.map((e) => ({ elementId: e.id, elementType: e.type, columnSpan: e.columns, rowSpan: e.rows })) } } },
  ];
}

const INTERVAL_NOTE =
  'Better or worse: the 95 % interval of the difference lies wholly above or below 0. Intervals here: mean ± 1.96 sd / √n of the per-report differences (the run report gives the paired bootstrap, within a few 0.001 at n = 2,000); micro-F1 is pooled, so its difference has no interval here.';

const SHEET_VERDICT = 'verdict';
const SHEET_MEANS = 'means';
const SHEET_OBSERVATIONS = 'observations';
const SHEET_REPORTS = 'reports';
const SHEET_DISTRIBUTIONS = 'distributions';
const SHEET_COMPARE = 'run-comparison';

function verdictSheet(): SheetPart {
  const settings = scoringSettings(undefined, " (this deployment's settings; each run records its own in runs/<run id>/run-summary.json).");
  const visuals: Visual[] = [
    table(
      'verdict-trust',
      'summary',
      'Can the figures be trusted? Error rows per data set and model',
      `Above ${percent(MAX_TRUSTED_ERROR_RATE)} error rows (reports that could not be generated or scored) a data set's verdict is not trustworthy: its means leave those reports out.`,
      [
        KEY.dataset,
        { column: 'dataset_verdict', label: 'Data set verdict', width: 220 },
        KEY.model,
        { column: 'reports', label: 'Reports', format: 'count' },
        { column: 'errors', label: 'Error rows', format: 'count' },
        { column: 'error_share', label: 'Share', format: 'percent' },
        { column: 'trusted', label: 'Trusted', width: 180 },
        ORDER.model,
      ],
      [
        ['dataset_name', 'ASC'],
        ['model_order', 'ASC'],
      ],
    ),
    table(
      'verdict-paired',
      'paired',
      'Fine-tuned − pretrained on the same reports',
      INTERVAL_NOTE,
      [
        KEY.dataset,
        { column: 'metric_name', label: 'Figure', width: 120 },
        { column: 'in_words', label: 'In words', width: 300 },
        { column: 'pairs', label: 'Reports paired', format: 'count' },
        { column: 'a_mean', label: 'Fine-tuned', format: 'score' },
        { column: 'b_mean', label: 'Pretrained', format: 'score' },
        { column: 'difference', label: 'Difference', format: 'score' },
        { column: 'ci_low', label: '95 % interval, low', format: 'score' },
        { column: 'ci_high', label: '95 % interval, high', format: 'score' },
        ORDER.metric,
      ],
      [
        ['dataset_name', 'ASC'],
        ['metric_order', 'ASC'],
      ],
    ),
    table(
      'verdict-baselines',
      'paired',
      'Each model against the best baseline',
      `The best baseline is the one with the highest mean on that figure. ⚠ marks a model whose interval of model − baseline does not lie wholly above 0. ${INTERVAL_NOTE}`,
      [
        KEY.dataset,
        { column: 'model_name', label: 'Model', width: 120 },
        { column: 'metric_name', label: 'Figure', width: 120 },
        { column: 'baseline_result', label: 'Result', width: 160 },
        { column: 'in_words', label: 'Model − baseline', width: 300 },
        { column: 'against_name', label: 'Best baseline', width: 200 },
        { column: 'a_mean', label: 'Model mean', format: 'score' },
        { column: 'b_mean', label: 'Baseline mean', format: 'score' },
        ORDER.comparison,
        ORDER.metric,
      ],
      [
        ['dataset_name', 'ASC'],
        ['comparison_order', 'ASC'],
        ['metric_order', 'ASC'],
      ],
    ),
    table(
      'verdict-published',
      'summary',
      'Our means beside the published figures',
      'Published: mean F, no stemmer, FLAN-T5 XL as published and fine-tuned on the MIMIC-CXR training split.',
      [
        KEY.dataset,
        { column: 'model_name', label: 'Model', width: 120 },
        { column: 'metric_name', label: 'Figure', width: 120 },
        { column: 'mean_with_interval', label: 'Ours [95 % interval]', width: 220 },
        { column: 'published_mean', label: 'Published', format: 'score' },
        ORDER.model,
        ORDER.metric,
      ],
      [
        ['dataset_name', 'ASC'],
        ['model_order', 'ASC'],
        ['metric_order', 'ASC'],
      ],
    ),
  ];
  const published: FilterGroup = {
    filterGroupId: 'verdict-published-only-group',
    crossDataset: 'SINGLE_DATASET',
    status: 'ENABLED',
    filters: [
      {
        numericRangeFilter: {
          filterId: 'verdict-published-only-filter',
          column: col('summary', 'published_mean'),
          nullOption: 'NON_NULLS_ONLY',
          rangeMinimum: { staticValue: 0 },
          rangeMaximum: { staticValue: 1 },
          includeMinimum: true,
          includeMaximum: true,
        },
      },
    ],
    scopeConfiguration: {
      selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId: SHEET_VERDICT, scope: 'SELECTED_VISUALS', visualIds: ['verdict-published'] }] },
    },
  };
  return {
    runControlled: ['summary', 'paired'],
    filterGroups: [
      fixedFilter('verdict-rouge1-rows', 'summary', 'metric', ['rouge1'], true, SHEET_VERDICT, ['verdict-trust']),
      fixedFilter('verdict-ft-vs-pt', 'paired', 'comparison', ['Fine-tuned − pretrained'], true, SHEET_VERDICT, ['verdict-paired']),
      fixedFilter('verdict-vs-baseline', 'paired', 'comparison', ['Fine-tuned − pretrained'], false, SHEET_VERDICT, ['verdict-baselines']),
      published,
    ],
    sheet: {
      sheetId: SHEET_VERDICT,
      name: 'Verdict',
      title: 'Verdict: did fine-tuning help, and can the figures be trusted?',
      description: settings.text,
      parameterControls: [runControl('verdict-run-control', RUN_PARAMETER, 'Run')],
      textBoxes: [{ sheetTextBoxId: 'verdict-settings', content: `<text-box>${escapeXml(settings.text)}</text-box>` }],
      visuals,
      layouts: grid([
        { id: 'verdict-run-control', type: 'PARAMETER_CONTROL', columns: 12, rows: 2 },
        { id: 'verdict-settings', type: 'TEXT_BOX', columns: 24, rows: 3 },
        { id: 'verdict-trust', type: 'VISUAL', columns: 36, rows: 8 },
        { id: 'verdict-paired', type: 'VISUAL', columns: 36, rows: 9 },
        { id: 'verdict-baselines', type: 'VISUAL', columns: 36, rows: 12 },
        { id: 'verdict-published', type: 'VISUAL', columns: 36, rows: 12 },
      ]),
    },
  };
}

function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

function meansSheet(): SheetPart {
  return {
    runControlled: ['summary'],
    sheet: {
      sheetId: SHEET_MEANS,
      name: 'Means with intervals',
      title: 'Mean scores with their 95 % bootstrap intervals',
      description: 'Every model and baseline on every figure, as the run aggregated them (1,000 seeded resamples); baselines are written without any model.',
      parameterControls: [runControl('means-run-control', RUN_PARAMETER, 'Run')],
      visuals: [
        table(
          'means-table',
          'summary',
          'Mean with 95 % interval, per data set, model and figure',
          'ROUGE: mean F over scored reports. Clinical agreement: micro- and macro-F1 of CheXpert-style labels (rule-based labeler; present = positive or uncertain).',
          [
            KEY.dataset,
            KEY.model,
            { column: 'metric_name', label: 'Figure', width: 120 },
            { column: 'mean_with_interval', label: 'Mean [95 % interval]', width: 220 },
            { column: 'mean', label: 'Mean', format: 'score' },
            { column: 'ci_low', label: 'Interval low', format: 'score' },
            { column: 'ci_high', label: 'Interval high', format: 'score' },
            { column: 'reports', label: 'Reports (labelled, for agreement)', format: 'count' },
            { column: 'errors', label: 'Error rows', format: 'count' },
            { column: 'published_mean', label: 'Published', format: 'score' },
            ORDER.model,
            ORDER.metric,
          ],
          [
            ['dataset_name', 'ASC'],
            ['metric_order', 'ASC'],
            ['model_order', 'ASC'],
          ],
        ),
      ],
      layouts: grid([
        { id: 'means-run-control', type: 'PARAMETER_CONTROL', columns: 12, rows: 2 },
        { id: 'means-table', type: 'VISUAL', columns: 36, rows: 21 },
      ]),
    },
  };
}

function observationsSheet(): SheetPart {
  const model = dropDownFilter('observations-model', 'observations', 'model_name', SHEET_OBSERVATIONS, 'Model');
  return {
    runControlled: ['observations'],
    filterGroups: [model.group],
    sheet: {
      sheetId: SHEET_OBSERVATIONS,
      name: 'Per observation',
      title: 'What the generated impressions assert, miss and wrongly add, per CheXpert observation',
      description:
        'Asserts: present in the reference and the generated impression; misses: in the reference only; adds: in the generated impression only. Sensitivity = asserts ÷ support; precision = asserts ÷ (asserts + adds). Worst F1 first.',
      parameterControls: [runControl('observations-run-control', RUN_PARAMETER, 'Run')],
      filterControls: [model.control],
      visuals: [
        table(
          'observations-table',
          'observations',
          'Per observation and model, worst F1 first',
          'Pneumothorax and pleural effusion misses are what a clinician asks about first: filter the reports sheet by observation to read them.',
          [
            KEY.dataset,
            { column: 'model_name', label: 'Model', width: 120 },
            { column: 'observation', label: 'Observation', width: 200 },
            { column: 'f1', label: 'F1', format: 'score' },
            { column: 'sensitivity', label: 'Sensitivity', format: 'score' },
            { column: 'precision', label: 'Precision', format: 'score' },
            { column: 'support', label: 'Support', format: 'count' },
            { column: 'asserts', label: 'Asserts', format: 'count' },
            { column: 'misses', label: 'Misses', format: 'count' },
            { column: 'adds', label: 'Wrongly adds', format: 'count' },
          ],
          [
            ['f1', 'ASC'],
            ['support', 'DESC'],
          ],
        ),
      ],
      layouts: grid([
        { id: 'observations-run-control', type: 'PARAMETER_CONTROL', columns: 12, rows: 2 },
        { id: 'observations-model-control', type: 'FILTER_CONTROL', columns: 12, rows: 2 },
        { id: 'observations-table', type: 'VISUAL', columns: 36, rows: 21 },
      ]),
    },
  };
}

/** The columns of a side-by-side table of studies. */
const STUDY_COLUMNS: readonly Column[] = [
  { column: 'dataset_name', label: 'Data set', width: 110 },
  { column: 'study_id', label: 'Study', width: 90 },
  { column: 'findings', label: 'Findings', width: LONG_TEXT + 40 },
  { column: 'reference', label: 'Reference impression', width: LONG_TEXT },
  { column: 'reference_observations', label: 'Reference observations', width: 160 },
  { column: 'pretrained_text', label: `${MODEL_NAMES.pretrained} impression`, width: LONG_TEXT },
  { column: 'pretrained_label_differences', label: `${MODEL_NAMES.pretrained}: label differences`, width: 170 },
  { column: 'fine_tuned_text', label: `${MODEL_NAMES['fine-tuned']} impression`, width: LONG_TEXT },
  { column: 'fine_tuned_label_differences', label: `${MODEL_NAMES['fine-tuned']}: label differences`, width: 170 },
  { column: 'delta_rougelsum', label: 'Δ ROUGE-Lsum (fine-tuned − pretrained)', format: 'score' },
  ...ROUGE_METRICS.flatMap((m) => [
    { column: `pt_${m.column}`, label: `${MODEL_NAMES.pretrained} ${m.label}`, format: 'score' as const },
    { column: `ft_${m.column}`, label: `${MODEL_NAMES['fine-tuned']} ${m.label}`, format: 'score' as const },
  ]),
];

function reportsSheet(): SheetPart {
  const dataset = dropDownFilter('reports-dataset', 'studies', 'dataset_name', SHEET_REPORTS, 'Data set');
  const labels = dropDownFilter('reports-labels', 'studies', 'label_agreement', SHEET_REPORTS, 'Label disagreement');
  const lost = dropDownFilter('reports-lost', 'studies', 'fine_tuned_vs_pretrained', SHEET_REPORTS, 'Fine-tuned against pretrained (ROUGE-Lsum)');
  const observation = containsFilter('reports-observation', 'studies', 'observations_mentioned', SHEET_REPORTS, 'Observation (e.g. Pneumothorax)');
  const search = containsFilter('reports-search', 'studies', 'search_text', SHEET_REPORTS, 'Search study id or text (lower case)');
  const lowest: FilterGroup = {
    filterGroupId: 'reports-lowest-group',
    crossDataset: 'SINGLE_DATASET',
    status: 'ENABLED',
    filters: [
      {
        numericRangeFilter: {
          filterId: 'reports-lowest-filter',
          column: col('studies', 'ft_rank'),
          nullOption: 'NON_NULLS_ONLY',
          rangeMinimum: { staticValue: 1 },
          rangeMaximum: { staticValue: LOWEST_SCORING_LIMIT },
          includeMinimum: true,
          includeMaximum: true,
        },
      },
    ],
    scopeConfiguration: {
      selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId: SHEET_REPORTS, scope: 'SELECTED_VISUALS', visualIds: ['reports-lowest'] }] },
    },
  };
  const controls = [dataset, labels, lost, observation, search];
  return {
    runControlled: ['studies'],
    filterGroups: [...controls.map((c) => c.group), lowest],
    sheet: {
      sheetId: SHEET_REPORTS,
      name: 'Reports side by side',
      title: 'Reports side by side: findings, reference, pretrained and fine-tuned',
      description:
        'One row per study. Sort by any column (worst first: click a score or Δ); filter by data set, label disagreement, observation, or search by study id or text. Label differences name what each model misses or adds against the reference.',
      parameterControls: [runControl('reports-run-control', RUN_PARAMETER, 'Run')],
      filterControls: controls.map((c) => c.control),
      visuals: [
        table(
          'reports-lowest',
          'studies',
          `The ${LOWEST_SCORING_LIMIT} reports per data set where the fine-tuned model scores lowest (ROUGE-Lsum F)`,
          'As the Athena named query fine-tuned-lowest-scoring-reports; reports the fine-tuned model could not score are not ranked.',
          STUDY_COLUMNS,
          [
            ['ft_rougelsum', 'ASC'],
            ['study_id', 'ASC'],
          ],
        ),
        table(
          'reports-all',
          'studies',
          'Every report, fine-tuned losses to pretrained first',
          'Δ < 0: the fine-tuned impression scored lower than the pretrained one.',
          STUDY_COLUMNS,
          [
            ['delta_rougelsum', 'ASC'],
            ['study_id', 'ASC'],
          ],
        ),
      ],
      layouts: grid([
        { id: 'reports-run-control', type: 'PARAMETER_CONTROL', columns: 6, rows: 2 },
        ...controls.map((c) => ({
          id: (Object.values(c.control)[0] as { filterControlId: string }).filterControlId,
          type: 'FILTER_CONTROL' as const,
          columns: 6,
          rows: 2,
        })),
        { id: 'reports-lowest', type: 'VISUAL', columns: 36, rows: 18 },
        { id: 'reports-all', type: 'VISUAL', columns: 36, rows: 21 },
      ]),
    },
  };
}

function distributionsSheet(): SheetPart {
  const boxPlots: Visual[] = ROUGE_METRICS.map(({ column, label }) => ({
    boxPlotVisual: {
      visualId: `box-${column}`,
      title: title(`${label} F per report, by data set and model`),
      subtitle: title('Box: quartiles; whiskers and dots: QuickSight box plot with outliers shown. Reports that could not be scored are left out.'),
      chartConfiguration: {
        fieldWells: {
          boxPlotAggregatedFieldWells: {
            groupBy: [{ categoricalDimensionField: { fieldId: `box-${column}-group`, column: col('predictions', 'group_name') } }],
            values: [{ numericalMeasureField: { fieldId: `box-${column}-value`, column: col('predictions', column) } }],
          },
        },
        boxPlotOptions: { outlierVisibility: 'VISIBLE', allDataPointsVisibility: 'HIDDEN' },
      },
    },
  }));
  return {
    runControlled: ['predictions', 'summary'],
    filterGroups: [
      fixedFilter(
        'distributions-rouge-rows',
        'summary',
        'metric',
        ROUGE_METRICS.map((m) => m.metric),
        true,
        SHEET_DISTRIBUTIONS,
        ['distribution-figures'],
      ),
    ],
    sheet: {
      sheetId: SHEET_DISTRIBUTIONS,
      name: 'Score distributions',
      title: 'Score distributions per report',
      description: 'Per-report ROUGE F of every model and data set, with the quartiles the run computed (linear interpolation).',
      parameterControls: [runControl('distributions-run-control', RUN_PARAMETER, 'Run')],
      visuals: [
        ...boxPlots,
        table(
          'distribution-figures',
          'summary',
          'Distribution figures per data set, model and ROUGE type',
          'Sample standard deviation; quartiles by linear interpolation; mean with its 95 % bootstrap interval.',
          [
            KEY.dataset,
            KEY.model,
            { column: 'metric_name', label: 'ROUGE', width: 110 },
            { column: 'mean_with_interval', label: 'Mean [95 % interval]', width: 220 },
            { column: 'std', label: 'Std', format: 'score' },
            { column: 'min', label: 'Min', format: 'score' },
            { column: 'p25', label: 'Q1', format: 'score' },
            { column: 'p50', label: 'Median', format: 'score' },
            { column: 'p75', label: 'Q3', format: 'score' },
            { column: 'max', label: 'Max', format: 'score' },
            ORDER.model,
            ORDER.metric,
          ],
          [
            ['dataset_name', 'ASC'],
            ['metric_order', 'ASC'],
            ['model_order', 'ASC'],
          ],
        ),
      ],
      layouts: grid([
        { id: 'distributions-run-control', type: 'PARAMETER_CONTROL', columns: 12, rows: 2 },
        ...ROUGE_METRICS.map(({ column }) => ({ id: `box-${column}`, type: 'VISUAL' as const, columns: 18, rows: 12 })),
        { id: 'distribution-figures', type: 'VISUAL', columns: 36, rows: 14 },
      ]),
    },
  };
}

/** The field of the summary data set that names the side (A or B) of a row in the run comparison. */
export const COMPARISON_SIDE_FIELD = 'comparison_side';

function comparisonSheet(): SheetPart {
  const matches = (parameter: string) => {
    const p = `\${${parameter}}`;
    return `((${p} = '${LATEST_RUN}' AND {run_rank} = 1) OR (${p} = '${PREVIOUS_RUN}' AND {run_rank} = 2) OR {run_id} = ${p})`;
  };
  const side: CalculatedField = {
    dataSetIdentifier: 'summary',
    name: COMPARISON_SIDE_FIELD,
    expression: withParameters(
      `ifelse(${matches(RUN_A_PARAMETER)}, concat('A: ', {run_id}), ${matches(RUN_B_PARAMETER)}, concat('B: ', {run_id}), 'not compared')`,
    ),
  };
  const S = 'summary';
  return {
    calculatedFields: [side],
    filterGroups: [fixedFilter('compare-chosen', S, COMPARISON_SIDE_FIELD, ['not compared'], false, SHEET_COMPARE, ['compare-pivot', 'compare-errors'])],
    sheet: {
      sheetId: SHEET_COMPARE,
      name: 'Run comparison',
      title: 'Two runs side by side',
      description:
        'Choose run A and run B (by default the latest and the one before it). Means with their 95 % bootstrap intervals; non-overlapping intervals are a real difference, overlapping ones may not be.',
      parameterControls: [runControl('compare-run-a-control', RUN_A_PARAMETER, 'Run A'), runControl('compare-run-b-control', RUN_B_PARAMETER, 'Run B')],
      visuals: [
        {
          pivotTableVisual: {
            visualId: 'compare-pivot',
            title: title('Mean and 95 % interval, run A against run B'),
            chartConfiguration: {
              fieldWells: {
                pivotTableAggregatedFieldWells: {
                  rows: [
                    { categoricalDimensionField: { fieldId: 'cmp-dataset', column: col(S, 'dataset_name') } },
                    { categoricalDimensionField: { fieldId: 'cmp-metric', column: col(S, 'metric_name') } },
                    { categoricalDimensionField: { fieldId: 'cmp-model', column: col(S, 'model_name') } },
                  ],
                  columns: [{ categoricalDimensionField: { fieldId: 'cmp-side', column: col(S, COMPARISON_SIDE_FIELD) } }],
                  values: (['mean', 'ci_low', 'ci_high'] as const).map((c) => ({
                    numericalMeasureField: {
                      fieldId: `cmp-${c.replace('_', '-')}`,
                      column: col(S, c),
                      aggregationFunction: { simpleNumericalAggregation: 'MAX' },
                      formatConfiguration: format('score')!.numberFormatConfiguration as quicksight.CfnDashboard.NumberFormatConfigurationProperty,
                    },
                  })),
                },
              },
              fieldOptions: {
                selectedFieldOptions: [
                  { fieldId: 'cmp-dataset', customLabel: 'Data set' },
                  { fieldId: 'cmp-metric', customLabel: 'Figure' },
                  { fieldId: 'cmp-model', customLabel: 'Model' },
                  { fieldId: 'cmp-side', customLabel: 'Run' },
                  { fieldId: 'cmp-mean', customLabel: 'Mean' },
                  { fieldId: 'cmp-ci-low', customLabel: 'Interval low' },
                  { fieldId: 'cmp-ci-high', customLabel: 'Interval high' },
                ],
              },
            },
          },
        },
        table(
          'compare-errors',
          S,
          'Error rows and trust, run A and run B',
          `Above ${percent(MAX_TRUSTED_ERROR_RATE)} error rows a data set's verdict is not trustworthy.`,
          [
            { column: COMPARISON_SIDE_FIELD, label: 'Run', width: 220 },
            KEY.dataset,
            KEY.model,
            { column: 'errors', label: 'Error rows', format: 'count' },
            { column: 'error_share', label: 'Share', format: 'percent' },
            { column: 'trusted', label: 'Trusted', width: 180 },
          ],
          [
            [COMPARISON_SIDE_FIELD, 'ASC'],
            ['dataset_name', 'ASC'],
          ],
        ),
      ],
      layouts: grid([
        { id: 'compare-run-a-control', type: 'PARAMETER_CONTROL', columns: 12, rows: 2 },
        { id: 'compare-run-b-control', type: 'PARAMETER_CONTROL', columns: 12, rows: 2 },
        { id: 'compare-pivot', type: 'VISUAL', columns: 36, rows: 21 },
        { id: 'compare-errors', type: 'VISUAL', columns: 36, rows: 10 },
      ]),
    },
  };
}

/**
 * The sheets, in order. Each is built on its own; a new sheet (e.g. the radiologists' review) is
 * one more function here.
 */
export const SHEETS: readonly (() => SheetPart)[] = [verdictSheet, meansSheet, observationsSheet, reportsSheet, distributionsSheet, comparisonSheet];

/** The filter that keeps the chosen run's rows of one data set on every sheet whose run control drives it. */
function runFilter(ds: DashboardDataSetKey, sheetIds: readonly string[]): FilterGroup {
  return {
    filterGroupId: `run-${ds}-group`,
    crossDataset: 'SINGLE_DATASET',
    status: 'ENABLED',
    filters: [
      {
        numericEqualityFilter: {
          filterId: `run-${ds}-filter`,
          column: col(ds, selectedRunField(ds)),
          value: 1,
          matchOperator: 'EQUALS',
          nullOption: 'NON_NULLS_ONLY',
        },
      },
    ],
    scopeConfiguration: { selectedSheets: { sheetVisualScopingConfigurations: sheetIds.map((sheetId) => ({ sheetId, scope: 'ALL_VISUALS' })) } },
  };
}

/**
 * The clinicians' dashboard: "Verdict" (trust, fine-tuned − pretrained, each model against the best
 * baseline, published figures), "Means with intervals", "Per observation", "Reports side by side"
 * (with the lowest-scoring reports), "Score distributions" and "Run comparison". Every sheet but the
 * last shows one run, chosen by its run control (the latest by default); the last compares two.
 * QuickSight validates field names only at deployment; the unit tests walk this definition and
 * check each column against its data set's columns.
 */
export function clinicianDashboardDefinition(dataSets: DashboardDataSetArns): Def {
  const parts = SHEETS.map((build) => build());
  const runControlled = [...new Set(parts.flatMap((p) => p.runControlled ?? []))];
  const parameter = (name: string, value: string) => ({
    stringParameterDeclaration: {
      name,
      parameterValueType: 'SINGLE_VALUED',
      defaultValues: { staticValues: [value] },
      valueWhenUnset: { valueWhenUnsetOption: 'RECOMMENDED_VALUE' },
    },
  });
  return {
    dataSetIdentifierDeclarations: DASHBOARD_DATA_SETS.map((key) => ({ identifier: key, dataSetArn: dataSets[key] })),
    parameterDeclarations: [parameter(RUN_PARAMETER, LATEST_RUN), parameter(RUN_A_PARAMETER, LATEST_RUN), parameter(RUN_B_PARAMETER, PREVIOUS_RUN)],
    calculatedFields: [
      ...runControlled.map((ds) => ({ dataSetIdentifier: ds, name: selectedRunField(ds), expression: withParameters(selectedRunExpression(RUN_PARAMETER)) })),
      ...parts.flatMap((p) => p.calculatedFields ?? []),
    ],
    sheets: parts.map((p) => p.sheet),
    filterGroups: [
      ...runControlled.map((ds) =>
        runFilter(
          ds,
          parts.filter((p) => (p.runControlled ?? []).length > 0).map((p) => p.sheet.sheetId),
        ),
      ),
      ...parts.flatMap((p) => p.filterGroups ?? []),
    ],
    analysisDefaults: {
      defaultNewSheetConfiguration: {
        interactiveLayoutConfiguration: { grid: { canvasSizeOptions: { screenCanvasSizeOptions: { resizeOption: 'RESPONSIVE' } } } },
        sheetContentType: 'INTERACTIVE',
      },
    },
  };
}
