import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import { dropDownFilterOn } from './clinician-dashboard-definition';

type Def = quicksight.CfnDashboard.DashboardVersionDefinitionProperty;
type Visual = quicksight.CfnDashboard.VisualProperty;
type FilterGroup = quicksight.CfnDashboard.FilterGroupProperty;
type FilterControl = quicksight.CfnDashboard.FilterControlProperty;

/** Identifier of the review rows data set inside the definition. */
export const REVIEWS_DATA_SET = 'reviews';
/** Identifier of the review figures data set inside the definition. */
export const REVIEW_SUMMARY_DATA_SET = 'review_summary';
/** Sheet id of the review sheet. */
export const SHEET_REVIEW = 'radiologist-review';

/** The ARNs of the two review data sets. */
export interface ReviewDashboardDataSets {
  readonly reviewsDataSetArn: string;
  readonly reviewSummaryDataSetArn: string;
}

const col = (dataSetIdentifier: string, columnName: string) => ({ dataSetIdentifier, columnName });
const title = (plainText: string) => ({ visibility: 'VISIBLE', formatText: { plainText } });
const dim = (fieldId: string, dataSet: string, column: string) => ({ categoricalDimensionField: { fieldId, column: col(dataSet, column) } });
const max = (fieldId: string, dataSet: string, column: string) => ({
  numericalMeasureField: { fieldId, column: col(dataSet, column), aggregationFunction: { simpleNumericalAggregation: 'MAX' } },
});

/** A filter on the figures' `metric`, for some visuals of the sheet. */
function metrics(id: string, values: readonly string[], visualIds: readonly string[]): FilterGroup {
  return {
    filterGroupId: `${id}-group`,
    crossDataset: 'SINGLE_DATASET',
    status: 'ENABLED',
    filters: [
      {
        categoryFilter: {
          filterId: `${id}-filter`,
          column: col(REVIEW_SUMMARY_DATA_SET, 'metric'),
          configuration: { filterListConfiguration: { matchOperator: 'CONTAINS', categoryValues: [...values] } },
        },
      },
    ],
    scopeConfiguration: {
      selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId: SHEET_REVIEW, scope: 'SELECTED_VISUALS', visualIds: [...visualIds] }] },
    },
  };
}

/** A drop-down of one column, on every visual of its data set on the sheet. */
function control(id: string, dataSet: string, column: string, label: string): { group: FilterGroup; control: FilterControl } {
  return dropDownFilterOn(id, dataSet, column, SHEET_REVIEW, label);
}

/** A table of figures grouped by review, data set, metric, model (and comparator), showing `columns` (MAX of one row each). */
function figures(visualId: string, text: string, withComparator: boolean, columns: readonly string[]): Visual {
  const S = REVIEW_SUMMARY_DATA_SET;
  const groups = ['review_id', 'dataset', 'metric', 'model', ...(withComparator ? ['comparator'] : [])];
  return {
    tableVisual: {
      visualId,
      title: title(text),
      chartConfiguration: {
        fieldWells: {
          tableAggregatedFieldWells: {
            groupBy: groups.map((g) => dim(`${visualId}-${g.replace('_', '-')}`, S, g)),
            values: columns.map((c) => max(`${visualId}-${c.replace('_', '-')}`, S, c)),
          },
        },
      },
    },
  };
}

const PREFERENCES = ['preferred', 'equal'];
const RATINGS = ['rating_correct', 'rating_complete', 'rating_concise', 'harm_rate'];
const AGREEMENT = ['alpha_correct', 'alpha_complete', 'alpha_concise', 'alpha_harm', 'alpha_preference', 'spearman_rouge_correct', 'spearman_labels_correct'];
const LOOPS = ['loops_total', 'loops_answered', 'loops_invalid', 'loops_failed', 'loops_stopped'];

/**
 * The "Radiologist review" sheet: preference rates with 95 % intervals, ratings and harm rates per
 * model, inter-reader agreement and rank correlations (from the review figures), review progress,
 * and every harm flag with its report (from the rows). Controls: run and review.
 */
function reviewSheet(): { sheet: quicksight.CfnDashboard.SheetDefinitionProperty; filterGroups: FilterGroup[] } {
  const S = REVIEW_SUMMARY_DATA_SET;
  const R = REVIEWS_DATA_SET;
  const run = control('review-run', S, 'run_id', 'Run');
  const review = control('review-id', S, 'review_id', 'Review');
  const rowsReview = control('review-rows-id', R, 'review_id', 'Review (harm flags)');
  const harmOnly: FilterGroup = {
    filterGroupId: 'review-harm-group',
    crossDataset: 'SINGLE_DATASET',
    status: 'ENABLED',
    filters: [
      {
        numericEqualityFilter: {
          filterId: 'review-harm-filter',
          column: col(R, 'harm'),
          value: 1,
          matchOperator: 'EQUALS',
          nullOption: 'NON_NULLS_ONLY',
        },
      },
    ],
    scopeConfiguration: {
      selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId: SHEET_REVIEW, scope: 'SELECTED_VISUALS', visualIds: ['review-harm-flags'] }] },
    },
  };
  const visuals: Visual[] = [
    figures('review-preferences', 'Preferred in blinded A/B judgements (share, 95% bootstrap interval over items), per pair of models', true, [
      'value',
      'ci_low',
      'ci_high',
      'count',
    ]),
    figures('review-ratings', 'Mean ratings (1-5) and share flagged as possibly harmful, per model', false, ['value', 'ci_low', 'ci_high', 'count']),
    {
      barChartVisual: {
        visualId: 'review-ratings-bars',
        title: title('Mean rating by model'),
        chartConfiguration: {
          orientation: 'VERTICAL',
          barsArrangement: 'CLUSTERED',
          fieldWells: {
            barChartAggregatedFieldWells: {
              category: [dim('review-bar-model', S, 'model')],
              values: [
                {
                  numericalMeasureField: {
                    fieldId: 'review-bar-value',
                    column: col(S, 'value'),
                    aggregationFunction: { simpleNumericalAggregation: 'AVERAGE' },
                  },
                },
              ],
              colors: [dim('review-bar-metric', S, 'metric')],
            },
          },
        },
      },
    },
    figures(
      'review-agreement',
      "Inter-reader agreement (Krippendorff's alpha) and rank correlation of ROUGE-Lsum and label agreement with the readers' correctness ratings (Spearman), with intervals",
      false,
      ['value', 'ci_low', 'ci_high', 'count'],
    ),
    figures('review-progress', 'Human loops: total, answered, unreadable output, failed, stopped at the deadline', false, ['count']),
    {
      tableVisual: {
        visualId: 'review-harm-flags',
        title: title('Impressions flagged as possibly harmful, with the report'),
        chartConfiguration: {
          fieldWells: {
            tableUnaggregatedFieldWells: {
              values: ['review_id', 'dataset', 'study_id', 'reader', 'source', 'impression', 'harm_reason', 'findings', 'corrected_impression'].map((c) => ({
                fieldId: `review-flag-${c.replace('_', '-')}`,
                column: col(R, c),
              })),
            },
          },
        },
      },
    },
  ];
  return {
    filterGroups: [
      run.group,
      review.group,
      rowsReview.group,
      harmOnly,
      metrics('review-preference-metrics', PREFERENCES, ['review-preferences']),
      metrics('review-rating-metrics', RATINGS, ['review-ratings']),
      metrics('review-bar-metrics', RATINGS.slice(0, 3), ['review-ratings-bars']),
      metrics('review-agreement-metrics', AGREEMENT, ['review-agreement']),
      metrics('review-loop-metrics', LOOPS, ['review-progress']),
    ],
    sheet: {
      sheetId: SHEET_REVIEW,
      name: 'Radiologist review',
      title: 'Radiologist review',
      description:
        'Blinded reviews by radiologists of the impressions of a run: which model they preferred, how they rated each, what they flagged as possibly harmful, how well they agreed, and how well ROUGE and label agreement track them.',
      visuals,
      filterControls: [run.control, review.control, rowsReview.control],
      layouts: [
        {
          configuration: {
            gridLayout: {
              elements: [
                { elementId: 'review-run-control', elementType: 'FILTER_CONTROL', columnSpan: 12, rowSpan: 2 },
                { elementId: 'review-id-control', elementType: 'FILTER_CONTROL', columnSpan: 12, rowSpan: 2 },
                { elementId: 'review-rows-id-control', elementType: 'FILTER_CONTROL', columnSpan: 12, rowSpan: 2 },
                { elementId: 'review-preferences', elementType: 'VISUAL', columnSpan: 36, rowSpan: 10 },
                { elementId: 'review-ratings-bars', elementType: 'VISUAL', columnSpan: 18, rowSpan: 10 },
                { elementId: 'review-ratings', elementType: 'VISUAL', columnSpan: 18, rowSpan: 10 },
                { elementId: 'review-agreement', elementType: 'VISUAL', columnSpan: 36, rowSpan: 10 },
                { elementId: 'review-progress', elementType: 'VISUAL', columnSpan: 36, rowSpan: 6 },
                { elementId: 'review-harm-flags', elementType: 'VISUAL', columnSpan: 36, rowSpan: 14 },
              ],
            },
          },
        },
      ],
    },
  };
}

/** `definition` with the two review data sets declared and the review sheet added (the dashboard includes it with one call). */
export function withReviewSheet(definition: Def, dataSets: ReviewDashboardDataSets): Def {
  const { sheet, filterGroups } = reviewSheet();
  return {
    ...definition,
    dataSetIdentifierDeclarations: [
      ...((definition.dataSetIdentifierDeclarations as quicksight.CfnDashboard.DataSetIdentifierDeclarationProperty[]) ?? []),
      { identifier: REVIEWS_DATA_SET, dataSetArn: dataSets.reviewsDataSetArn },
      { identifier: REVIEW_SUMMARY_DATA_SET, dataSetArn: dataSets.reviewSummaryDataSetArn },
    ],
    sheets: [...((definition.sheets as quicksight.CfnDashboard.SheetDefinitionProperty[]) ?? []), sheet],
    filterGroups: [...((definition.filterGroups as FilterGroup[]) ?? []), ...filterGroups],
  };
}
