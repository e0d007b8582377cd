/**
 * Contract of the publish-results Lambda (AnalyticsStack, the run's last step): its event, its
 * output, the errors a `Catch` can match and the environment variables the ResultsPublisher
 * construct sets. The construct, the state machine and lambda/publish-results all read them here.
 */
import { parseEvent } from '../event-reader';
import { isValidRunId } from '../evaluation/keys';

/** `Error.name` of every error publish-results throws on purpose. */
export const PUBLISH_ERROR_NAMES = {
  /** No result file of the run was found under `prediction_data/`. */
  noResults: 'NoResultsError',
  /** Glue refused a partition for a reason other than "already exists". */
  partitionRegistration: 'PartitionRegistrationError',
} as const;

/** No result file of the run was found under `prediction_data/`. */
export class NoResultsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = PUBLISH_ERROR_NAMES.noResults;
  }
}

/** Glue refused a partition for a reason other than "already exists". */
export class PartitionRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = PUBLISH_ERROR_NAMES.partitionRegistration;
  }
}

/** Environment variables of publish-results (all required except the review tables and the data set ids). */
export const PUBLISH_ENV = {
  dataBucket: 'DATA_BUCKET',
  database: 'DATABASE_NAME',
  predictionsTable: 'PREDICTIONS_TABLE',
  summaryTable: 'SUMMARY_TABLE',
  /** The radiologist review tables (empty when reviews are not deployed: the run's reviews are then not registered). */
  reviewsTable: 'REVIEWS_TABLE',
  reviewSummaryTable: 'REVIEW_SUMMARY_TABLE',
  /** CloudWatch namespace of the refresh metric. */
  metricNamespace: 'METRIC_NAMESPACE',
  /** Name of the refresh metric (1 failed, 0 started). */
  metricName: 'METRIC_NAME',
  quicksightAccountId: 'QUICKSIGHT_ACCOUNT_ID',
  /** Comma-separated SPICE data set ids; empty when QuickSight is not configured. */
  quicksightDataSetIds: 'QUICKSIGHT_DATA_SET_IDS',
} as const;

/** Event of publish-results. */
export interface PublishResultsEvent {
  readonly runId: string;
}

/** One SPICE refresh. */
export interface IngestionResult {
  readonly dataSetId: string;
  /** Absent when the ingestion could not be created. */
  readonly ingestionId?: string;
  /** QuickSight's ingestion status (e.g. `INITIALIZED`), or `FAILED` when it could not be created. */
  readonly status: string;
  /** Error name and message from QuickSight when it could not be created. */
  readonly error?: string;
}

/** What publish-results returns to the state machine. */
export interface PublishResultsOutput {
  readonly runId: string;
  readonly partitions: {
    /** Partitions of the predictions table found for the run (one per data set and model). */
    readonly predictions: number;
    /** Partitions of the summary table found for the run (0 or 1). */
    readonly summary: number;
    /** Partitions of the review tables found for the run (one per review in each; absent when the tables are not configured). */
    readonly reviews?: number;
    readonly reviewSummary?: number;
    /** Newly registered by this call. */
    readonly created: number;
    /** Already registered (a retried or repeated call). */
    readonly alreadyRegistered: number;
  };
  readonly ingestions: readonly IngestionResult[];
  readonly quicksight: 'not-configured' | 'started' | 'failed';
  /** Why a refresh could not be started (QuickSight's error names and messages). */
  readonly error?: string;
}

/**
 * Parses the event of publish-results.
 * @throws InvalidEventError naming the field.
 */
export function parsePublishResultsEvent(event: unknown): PublishResultsEvent {
  return parseEvent('publish-results', event, (r) => ({
    runId: r.string('runId', isValidRunId, 'a run id (1-80 characters of A-Z a-z 0-9 . _ - starting with a letter or digit)'),
  }));
}
