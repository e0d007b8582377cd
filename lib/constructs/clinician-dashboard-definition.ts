import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import { AGREEMENT_METRICS } from '../core/evaluation/agreement-summary';
import { ROUGE_METRICS } from '../core/evaluation/rows';

type Def = quicksight.CfnDashboard.DashboardVersionDefinitionProperty;
type Dimension = quicksight.CfnDashboard.DimensionFieldProperty;
type Measure = quicksight.CfnDashboard.MeasureFieldProperty;
type Visual = quicksight.CfnDashboard.VisualProperty;
type FilterGroup = quicksight.CfnDashboard.FilterGroupProperty;
type FilterControl = quicksight.CfnDashboard.FilterControlProperty;
type Sheet = quicksight.CfnDashboard.SheetDefinitionProperty;

/** Identifier of the predictions data set inside the definition. */
export const PREDICTIONS_DATA_SET = 'predictions';
/** Identifier of the summary data set inside the definition. */
export const SUMMARY_DATA_SET = 'summary';

/** Calculated field of the predictions data set: `<dataset> / <model>`, the box plots' group. */
export const DATASET_MODEL_FIELD = 'dataset_model';

/** The ARNs the definition points at. */
export interface DashboardDataSets {
  readonly predictionsDataSetArn: string;
  readonly summaryDataSetArn: string;
}

const SHEET_COMPARISON = 'model-comparison';
const SHEET_DISTRIBUTIONS = 'score-distributions';
const SHEET_REPORTS = 'read-reports';

function col(dataSet: string, columnName: string): quicksight.CfnDashboard.ColumnIdentifierProperty {
  return { dataSetIdentifier: dataSet, columnName };
}

function dim(fieldId: string, dataSet: string, column: string): Dimension {
  return { categoricalDimensionField: { fieldId, column: col(dataSet, column) } };
}

function measure(fieldId: string, dataSet: string, column: string, aggregation?: 'AVERAGE' | 'MAX'): Measure {
  return {
    numericalMeasureField: {
      fieldId,
      column: col(dataSet, column),
      ...(aggregation === undefined ? {} : { aggregationFunction: { simpleNumericalAggregation: aggregation } }),
    },
  };
}

function title(text: string): { visibility: string; formatText: { plainText: string } } {
  return { visibility: 'VISIBLE', formatText: { plainText: text } };
}

/** Category filter with a multi-select drop-down on one sheet; all values selected by default. */
function categoryFilter(id: string, dataSet: string, column: string, sheetId: string, label: string): { group: FilterGroup; control: FilterControl } {
  const filterId = `${id}-filter`;
  return {
    group: {
      filterGroupId: `${id}-group`,
      crossDataset: 'SINGLE_DATASET',
      status: 'ENABLED',
      filters: [
        {
          categoryFilter: {
            filterId,
            column: col(dataSet, column),
            configuration: { filterListConfiguration: { matchOperator: 'CONTAINS', selectAllOptions: 'FILTER_ALL_VALUES' } },
          },
        },
      ],
      scopeConfiguration: { selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId, scope: 'ALL_VISUALS' }] } },
    },
    control: { dropdown: { filterControlId: `${id}-control`, sourceFilterId: filterId, title: label, type: 'MULTI_SELECT' } },
  };
}

/**
 * A fixed filter on the summary's `metric` for some visuals of one sheet: `agreement` keeps the
 * CheXpert agreement rows only, `rouge` leaves them out (they have no distribution figures and
 * are not mean F of ROUGE).
 */
function metricFilter(id: string, sheetId: string, visualIds: string[], keep: 'agreement' | 'rouge'): FilterGroup {
  return {
    filterGroupId: `${id}-group`,
    crossDataset: 'SINGLE_DATASET',
    status: 'ENABLED',
    filters: [
      {
        categoryFilter: {
          filterId: `${id}-filter`,
          column: col(SUMMARY_DATA_SET, 'metric'),
          configuration: {
            filterListConfiguration: {
              matchOperator: keep === 'agreement' ? 'CONTAINS' : 'DOES_NOT_CONTAIN',
              categoryValues: AGREEMENT_METRICS.map((m) => m.metric),
            },
          },
        },
      },
    ],
    scopeConfiguration: { selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId, scope: 'SELECTED_VISUALS', visualIds }] } },
  };
}

function grid(elements: readonly { id: string; type: 'VISUAL' | 'FILTER_CONTROL'; columns: number; rows: number }[]): quicksight.CfnDashboard.LayoutProperty[] {
  return [
    {
      configuration: {
        gridLayout: { elements: elements.map((e) => ({ elementId: e.id, elementType: e.type, columnSpan: e.columns, rowSpan: e.rows })) },
      },
    },
  ];
}

/** Summary columns of a mean with its bootstrap interval, and the counts behind it. */
const INTERVAL_COLUMNS = ['mean', 'ci_low', 'ci_high', 'count', 'errors'];

/**
 * A table of summary rows grouped by run, data set, model and metric, showing `columns`. There is
 * one summary row per group, so the MAX aggregation returns the row's own value. Field ids are
 * `<fieldPrefix>-<column>` with `_` written `-`.
 */
function summaryTable(visualId: string, fieldPrefix: string, text: string, columns: readonly string[]): Visual {
  const S = SUMMARY_DATA_SET;
  const groups = [
    ['run', 'run_id'],
    ['dataset', 'dataset'],
    ['model', 'model'],
    ['metric', 'metric'],
  ] as const;
  return {
    tableVisual: {
      visualId,
      title: title(text),
      chartConfiguration: {
        fieldWells: {
          tableAggregatedFieldWells: {
            groupBy: groups.map(([field, column]) => dim(`${fieldPrefix}-${field}`, S, column)),
            values: columns.map((c) => measure(`${fieldPrefix}-${c.replaceAll('_', '-')}`, S, c, 'MAX')),
          },
        },
      },
    },
  };
}

/** The ROUGE columns of the predictions table with their labels (lib/core/evaluation/rows.ts). */
const ROUGE = ROUGE_METRICS.map((m) => [m.column, m.label] as const);

function modelComparisonSheet(): { sheet: Sheet; filterGroups: FilterGroup[] } {
  const S = SUMMARY_DATA_SET;
  const run = categoryFilter('comparison-run', S, 'run_id', SHEET_COMPARISON, 'Run');
  const dataset = categoryFilter('comparison-dataset', S, 'dataset', SHEET_COMPARISON, 'Data set');
  const visuals: Visual[] = [
    summaryTable('comparison-table', 'cmp', 'Mean ROUGE F with 95% bootstrap confidence interval (baselines included)', INTERVAL_COLUMNS),
    // Agreement rows only (metric filter below); std..max are null for them, so not shown.
    summaryTable(
      'comparison-agreement',
      'agr',
      'Clinical agreement (CheXpert-style labels): micro-F1 over 13 (headline), macro-F1 over 14, micro-F1 over 14, with 95% bootstrap interval (baselines included)',
      INTERVAL_COLUMNS,
    ),
    {
      pivotTableVisual: {
        visualId: 'comparison-pivot',
        title: title('Mean ROUGE F by data set and model (average over the selected runs)'),
        chartConfiguration: {
          fieldWells: {
            pivotTableAggregatedFieldWells: {
              rows: [dim('pvt-dataset', S, 'dataset'), dim('pvt-model', S, 'model')],
              columns: [dim('pvt-metric', S, 'metric')],
              values: [
                measure('pvt-mean', S, 'mean', 'AVERAGE'),
                measure('pvt-ci-low', S, 'ci_low', 'AVERAGE'),
                measure('pvt-ci-high', S, 'ci_high', 'AVERAGE'),
              ],
            },
          },
        },
      },
    },
    {
      barChartVisual: {
        visualId: 'comparison-bars',
        title: title('Mean ROUGE F by model, one panel per metric, colour = data set'),
        chartConfiguration: {
          orientation: 'VERTICAL',
          barsArrangement: 'CLUSTERED',
          fieldWells: {
            barChartAggregatedFieldWells: {
              category: [dim('bar-model', S, 'model')],
              values: [measure('bar-mean', S, 'mean', 'AVERAGE')],
              colors: [dim('bar-dataset', S, 'dataset')],
              smallMultiples: [dim('bar-metric', S, 'metric')],
            },
          },
        },
      },
    },
  ];
  const agreementOnly = metricFilter('comparison-agreement-metrics', SHEET_COMPARISON, ['comparison-agreement'], 'agreement');
  const rougeOnly = metricFilter('comparison-rouge-metrics', SHEET_COMPARISON, ['comparison-table', 'comparison-pivot', 'comparison-bars'], 'rouge');
  return {
    filterGroups: [run.group, dataset.group, agreementOnly, rougeOnly],
    sheet: {
      sheetId: SHEET_COMPARISON,
      name: 'Model comparison',
      title: 'Model comparison',
      description:
        'Mean ROUGE F and clinical agreement (CheXpert-style labels of generated against reference impressions) per model and data set as the run aggregated them, with the baselines and 95% bootstrap confidence intervals.',
      visuals,
      filterControls: [run.control, dataset.control],
      layouts: grid([
        { id: 'comparison-run-control', type: 'FILTER_CONTROL', columns: 18, rows: 2 },
        { id: 'comparison-dataset-control', type: 'FILTER_CONTROL', columns: 18, rows: 2 },
        { id: 'comparison-pivot', type: 'VISUAL', columns: 36, rows: 10 },
        { id: 'comparison-bars', type: 'VISUAL', columns: 36, rows: 12 },
        { id: 'comparison-agreement', type: 'VISUAL', columns: 36, rows: 12 },
        { id: 'comparison-table', type: 'VISUAL', columns: 36, rows: 14 },
      ]),
    },
  };
}

function distributionsSheet(): { sheet: Sheet; filterGroups: FilterGroup[] } {
  const P = PREDICTIONS_DATA_SET;
  const S = SUMMARY_DATA_SET;
  const run = categoryFilter('distributions-run', P, 'run_id', SHEET_DISTRIBUTIONS, 'Run (box plots)');
  const summaryRun = categoryFilter('distributions-summary-run', S, 'run_id', SHEET_DISTRIBUTIONS, 'Run (figures)');
  const boxPlots: Visual[] = ROUGE.map(([column, label]) => ({
    boxPlotVisual: {
      visualId: `box-${column}`,
      title: title(`${label} F per report, by data set and model`),
      chartConfiguration: {
        fieldWells: {
          boxPlotAggregatedFieldWells: {
            groupBy: [dim(`box-${column}-group`, P, DATASET_MODEL_FIELD)],
            values: [measure(`box-${column}-value`, P, column)],
          },
        },
      },
    },
  }));
  const figures = summaryTable(
    'distribution-figures',
    'fig',
    'Distribution figures per run, data set, model and metric (sample std, linear-interpolated quartiles)',
    ['count', 'errors', 'mean', 'std', 'min', 'p25', 'p50', 'p75', 'max'],
  );
  return {
    filterGroups: [run.group, summaryRun.group, metricFilter('distributions-rouge-metrics', SHEET_DISTRIBUTIONS, ['distribution-figures'], 'rouge')],
    sheet: {
      sheetId: SHEET_DISTRIBUTIONS,
      name: 'Score distributions',
      title: 'Score distributions',
      description:
        'Per-report ROUGE F of every model and data set; reports that could not be scored are excluded from the boxes and counted as errors in the table.',
      visuals: [...boxPlots, figures],
      filterControls: [run.control, summaryRun.control],
      layouts: grid([
        { id: 'distributions-run-control', type: 'FILTER_CONTROL', columns: 18, rows: 2 },
        { id: 'distributions-summary-run-control', type: 'FILTER_CONTROL', columns: 18, rows: 2 },
        ...ROUGE.map(([column]) => ({ id: `box-${column}`, type: 'VISUAL' as const, columns: 18, rows: 12 })),
        { id: 'distribution-figures', type: 'VISUAL', columns: 36, rows: 14 },
      ]),
    },
  };
}

function reportsSheet(): { sheet: Sheet; filterGroups: FilterGroup[] } {
  const P = PREDICTIONS_DATA_SET;
  const run = categoryFilter('reports-run', P, 'run_id', SHEET_REPORTS, 'Run');
  const dataset = categoryFilter('reports-dataset', P, 'dataset', SHEET_REPORTS, 'Data set');
  const model = categoryFilter('reports-model', P, 'model', SHEET_REPORTS, 'Model');
  const scoreFilterId = 'reports-score-filter';
  const score: FilterGroup = {
    filterGroupId: 'reports-score-group',
    crossDataset: 'SINGLE_DATASET',
    status: 'ENABLED',
    filters: [
      {
        numericRangeFilter: {
          filterId: scoreFilterId,
          column: col(P, 'rougelsum'),
          includeMinimum: true,
          includeMaximum: true,
          rangeMinimum: { staticValue: 0 },
          rangeMaximum: { staticValue: 1 },
          // Unscored reports (error set, score null) stay visible until the range is narrowed.
          nullOption: 'ALL_VALUES',
        },
      },
    ],
    scopeConfiguration: { selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId: SHEET_REPORTS, scope: 'ALL_VISUALS' }] } },
  };
  const columns = [
    'run_id',
    'dataset',
    'model',
    'study_id',
    'findings',
    'generated',
    'reference',
    'generated_labels',
    'reference_labels',
    ...ROUGE_METRICS.map((m) => m.column),
    'error',
  ] as const;
  return {
    filterGroups: [run.group, dataset.group, model.group, score],
    sheet: {
      sheetId: SHEET_REPORTS,
      name: 'Read reports',
      title: 'Read reports',
      description:
        "Each report's findings with the generated and the reference impression side by side, their CheXpert-style labels (JSON: 1 positive, 0 negative, -1 uncertain; unmentioned left out) and its ROUGE F scores.",
      visuals: [
        {
          tableVisual: {
            visualId: 'reports-table',
            title: title('Findings, generated and reference impressions'),
            chartConfiguration: {
              fieldWells: { tableUnaggregatedFieldWells: { values: columns.map((c) => ({ fieldId: `rep-${c}`, column: col(P, c) })) } },
            },
          },
        },
      ],
      filterControls: [
        run.control,
        dataset.control,
        model.control,
        {
          slider: {
            filterControlId: 'reports-score-control',
            sourceFilterId: scoreFilterId,
            title: 'ROUGE-Lsum F range',
            type: 'RANGE',
            minimumValue: 0,
            maximumValue: 1,
            stepSize: 0.01,
          },
        },
      ],
      layouts: grid([
        { id: 'reports-run-control', type: 'FILTER_CONTROL', columns: 9, rows: 2 },
        { id: 'reports-dataset-control', type: 'FILTER_CONTROL', columns: 9, rows: 2 },
        { id: 'reports-model-control', type: 'FILTER_CONTROL', columns: 9, rows: 2 },
        { id: 'reports-score-control', type: 'FILTER_CONTROL', columns: 9, rows: 2 },
        { id: 'reports-table', type: 'VISUAL', columns: 36, rows: 21 },
      ]),
    },
  };
}

/**
 * The clinicians' dashboard, declared in code (no template): "Model comparison" (summary rows:
 * ROUGE visuals and a clinical agreement table, each kept to its metrics by a fixed metric filter),
 * "Score distributions" (box plots of the per-report scores and the summary's distribution
 * figures) and "Read reports" (one row per report with run, data set, model and score-range
 * filters). QuickSight validates field names only at deployment; the unit tests walk this
 * definition and check each column against its data set.
 */
export function clinicianDashboardDefinition(dataSets: DashboardDataSets): Def {
  const sheets = [modelComparisonSheet(), distributionsSheet(), reportsSheet()];
  return {
    dataSetIdentifierDeclarations: [
      { identifier: PREDICTIONS_DATA_SET, dataSetArn: dataSets.predictionsDataSetArn },
      { identifier: SUMMARY_DATA_SET, dataSetArn: dataSets.summaryDataSetArn },
    ],
    calculatedFields: [{ dataSetIdentifier: PREDICTIONS_DATA_SET, name: DATASET_MODEL_FIELD, expression: "concat({dataset}, ' / ', {model})" }],
    sheets: sheets.map((s) => s.sheet),
    filterGroups: sheets.flatMap((s) => s.filterGroups),
    analysisDefaults: {
      defaultNewSheetConfiguration: {
        interactiveLayoutConfiguration: { grid: { canvasSizeOptions: { screenCanvasSizeOptions: { resizeOption: 'RESPONSIVE' } } } },
        sheetContentType: 'INTERACTIVE',
      },
    },
  };
}
