/**
 * The data contracts between the parts of a run: the run's state as it flows through the state
 * machine ({@link RunState}, its output {@link RunOutput} and each stage's result), what JumpStart
 * resolution hands to the state machine, and the rows written under `prediction_data/` (DESIGN.md
 * "S3 layout"). The Lambdas, the state machine (every JSONPath it uses is derived from these types,
 * lib/core/json-path.ts), the Glue tables, the CLI and the dashboard all read these shapes; change
 * them here and everywhere at once.
 */
import type { PublishResultsOutput } from '../analytics/publish-contracts';
import type { AggregateResult, AggregateUsage } from '../evaluation/evaluation-lambda-contracts';
import type { PreflightQuotasResult, RunPlan } from './run-lambda-contracts';

/** Which request/response format an inference container speaks (chosen from the resolved spec). */
export type PayloadContract =
  /** HF text2text container (JumpStart 1.x): `{text_inputs, max_length, num_beams, num_return_sequences}` → `{generated_texts: [...]}`. */
  | 'hf-text2text'
  /** Text Generation Inference (JumpStart 2.x): `{inputs, parameters: {max_new_tokens, ...}}` → `[{generated_text}]`. */
  | 'tgi';

/** Where a model's weights live and how SageMaker must load them. */
export interface ModelDataLocation {
  /** `tarball`: a `model.tar.gz` (CreateModel `ModelDataUrl`); `prefix`: an uncompressed S3 prefix (`ModelDataSource`). */
  readonly type: 'tarball' | 'prefix';
  /** `s3://bucket/key` (a prefix ends with `/`). */
  readonly uri: string;
}

/** One training input channel, in CreateTrainingJob's `InputDataConfig` shape. */
export interface TrainingChannel {
  readonly ChannelName: string;
  readonly DataSource: {
    readonly S3DataSource: {
      readonly S3DataType: 'S3Prefix';
      readonly S3Uri: string;
      readonly S3DataDistributionType: 'FullyReplicated';
    };
  };
  readonly ContentType?: string;
  readonly InputMode?: 'File';
  readonly CompressionType?: 'None';
}

/**
 * Output of JumpStart resolution (the `resolved` field of the run's state), everything the state
 * machine needs to train and host the model. Security settings (roles, KMS, output location, tags,
 * network isolation, inter-container traffic encryption) are not here: the state machine sets them
 * from the deployment, whatever the spec says.
 */
export interface ResolvedModel {
  readonly modelId: string;
  /** The exact version selected (never a wildcard). */
  readonly version: string;
  readonly region: string;
  /** The spec's `s3://…` key, for the record. */
  readonly specUri: string;
  readonly training: {
    readonly image: string;
    readonly instanceType: string;
    /** Default hyperparameters merged with the configured and per-run ones, script-mode entries included; all strings. */
    readonly hyperparameters: Readonly<Record<string, string>>;
    /** Metric definitions (the project's own plus the spec's), CreateTrainingJob shape. */
    readonly metricDefinitions: readonly { readonly Name: string; readonly Regex: string }[];
    /** Every channel: `training` (the run's data), `model` (base weights), `code` (the script: containers are network-isolated). */
    readonly inputDataConfig: readonly TrainingChannel[];
    /** `NONE` when the spec asks for uncompressed output (JumpStart 2.x), else `GZIP`. */
    readonly outputCompression: 'NONE' | 'GZIP';
    /** False on instance types with NVMe instance storage, which reject `VolumeKmsKeyId`. */
    readonly volumeKmsSupported: boolean;
    /** Volume size to request, or `undefined` where the instance type ignores it. */
    readonly volumeSizeGb?: number;
    readonly maxRuntimeSeconds: number;
  };
  readonly inference: {
    readonly image: string;
    readonly instanceType: string;
    /** The pretrained weights. */
    readonly pretrainedModelData: ModelDataLocation;
    /**
     * Where the fine-tuned weights are, the one place the run decides it (the fine-tuning stage hosts
     * exactly this): the run's `modelData` when training is skipped, else SageMaker's fixed output
     * layout, see {@link fineTunedModelLocation} (lib/core/jumpstart/resolve.ts).
     */
    readonly fineTunedModelData: ModelDataLocation;
    /** Container environment, values as strings. */
    readonly environment: Readonly<Record<string, string>>;
    readonly payloadContract: PayloadContract;
    /** False on instance types with NVMe instance storage, which reject an endpoint config `KmsKeyId`. */
    readonly volumeKmsSupported: boolean;
    /**
     * `ProductionVariant.VolumeSizeInGB` (the spec's `inference_volume_size`), or `undefined` where
     * the instance type has NVMe storage and rejects it (added: the spec carries it, the SDK applies it).
     */
    readonly volumeSizeGb?: number;
    readonly modelDataDownloadTimeoutSeconds?: number;
    readonly containerStartupHealthCheckTimeoutSeconds?: number;
  };
}

/** Model names used in result rows. */
export type ModelName = 'pretrained' | 'fine-tuned' | 'baseline-normal' | 'baseline-copy-findings' | 'baseline-first-sentence';

/** Precision, recall and F of one ROUGE type. */
export interface RougeTriple {
  readonly precision: number;
  readonly recall: number;
  readonly fmeasure: number;
}

/**
 * One scored (or failed) report: a line of `prediction_data/predictions/run_id=<id>/dataset=<d>/model=<m>/part-<n>.jsonl`.
 * The partition values (`run_id`, `dataset`, `model`) are also kept in the row. Score fields and
 * `generated_labels` are null when `error` is set.
 */
export interface PredictionRow {
  readonly run_id: string;
  readonly dataset: string;
  /** Where the set comes from, e.g. `mimic-cxr` or `indiana-university`. */
  readonly data_source: string;
  readonly model: ModelName;
  /** Resolved JumpStart version of the model that produced the text (empty for baselines). */
  readonly model_version: string;
  readonly study_id: string;
  readonly findings: string;
  readonly background: string;
  readonly reference: string;
  readonly generated: string | null;
  readonly rouge1: number | null;
  readonly rouge2: number | null;
  readonly rougel: number | null;
  readonly rougelsum: number | null;
  readonly rouge1_precision: number | null;
  readonly rouge1_recall: number | null;
  readonly rouge2_precision: number | null;
  readonly rouge2_recall: number | null;
  readonly rougel_precision: number | null;
  readonly rougel_recall: number | null;
  readonly rougelsum_precision: number | null;
  readonly rougelsum_recall: number | null;
  readonly latency_ms: number | null;
  /**
   * CheXpert-style labels of `generated` as compact JSON (lib/core/labels/row-labels.ts: snake-case
   * observation keys, values 1/0/-1, unmentioned observations left out), or null when `error` is set.
   */
  readonly generated_labels: string | null;
  /** Labels of `reference`, same form; null only for a record that could not be read (no reference text). */
  readonly reference_labels: string | null;
  /** Why the record could not be scored (never report text), or null. */
  readonly error: string | null;
  /** ISO-8601 UTC. */
  readonly created_at: string;
}

/** One aggregate: a line of `prediction_data/summary/run_id=<id>/summary.jsonl`. */
export interface SummaryRow {
  readonly run_id: string;
  readonly dataset: string;
  readonly model: string;
  /**
   * ROUGE rows: `rouge1`, `rouge2`, `rougeL`, `rougeLsum` (mean F over scored rows with the full
   * distribution). Agreement rows: `chexpert_micro_f1_13`, `chexpert_macro_f1_14`,
   * `chexpert_micro_f1_14` (`mean` is the figure over the labelled records, `ci_low`/`ci_high` its
   * bootstrap interval, and `std` to `max` are null: a pooled F1 has no per-record distribution).
   */
  readonly metric: string;
  /** ROUGE rows: rows of the dataset × model, errors included. Agreement rows: records labelled on both sides. */
  readonly count: number;
  readonly errors: number;
  readonly mean: number | null;
  readonly ci_low: number | null;
  readonly ci_high: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly p25: number | null;
  readonly p50: number | null;
  readonly p75: number | null;
  readonly max: number | null;
}

// ---------------------------------------------------------------------------------------------
// The run's state (Step Functions, JSONPath). Each top-level field is written by one state and
// read by later ones; the constructs derive every path from these types.

/** The two models a run hosts on endpoints. */
export type HostedModel = Extract<ModelName, 'pretrained' | 'fine-tuned'>;

/**
 * An error caught by a `Catch` (its `ResultPath` holds Step Functions' `{ Error, Cause }`). The
 * developer guide says the error output "usually" has a Cause: a state that reads it checks it is
 * present first (`States.Runtime`, which no Catch handles, is what reading a missing field raises).
 */
export interface CaughtError {
  readonly Error: string;
  readonly Cause?: string;
}

/**
 * Values SageMaker requires where resolution may leave them out ("Setting defaults": instance types
 * that ignore the volume size, specs without deploy timeouts). Merged under the resolved values.
 */
export interface SettingDefaults {
  readonly training: { readonly volumeSizeGb: number };
  readonly inference: { readonly modelDataDownloadTimeoutSeconds: number; readonly containerStartupHealthCheckTimeoutSeconds: number };
}

/** The resolved model with {@link SettingDefaults} merged under it ("Apply settings"): what training and hosting read. */
export interface RunSettings {
  readonly training: ResolvedModel['training'] & SettingDefaults['training'];
  readonly inference: ResolvedModel['inference'] & SettingDefaults['inference'];
}

/** What the fine-tuning stage hands on: the job and where its weights are. */
export interface FineTuningResult {
  /**
   * The training job; absent when training was skipped (CDK leaves a `null` out of a state's
   * `Parameters`, so the skipped branch cannot write one).
   */
  readonly trainingJobName?: string;
  readonly modelData: ModelDataLocation;
}

/** A model hosted on an endpoint (EndpointDeploymentStage). */
export interface EndpointDeployment {
  readonly endpointName: string;
  /** As DescribeEndpoint returns it (names lower-cased): what AddTags and ListTags take. */
  readonly endpointArn: string;
  readonly endpointConfigName: string;
  readonly modelName: string;
  readonly status: 'InService';
  /** When the run saw the endpoint InService (ISO-8601): the start of its billed time in the cost estimate. */
  readonly inServiceAt: string;
}

/** One model's evaluation (EvaluationStage); the rows themselves are in S3. */
export interface EvaluationStageResult {
  readonly model: HostedModel;
  readonly status: 'evaluated';
  readonly endpointName: string;
  /** `runs/<run id>/evaluation/<model>/shards.jsonl` in the data bucket. */
  readonly manifestKey: string;
  readonly shardCount: number;
  readonly recordCount: number;
}

/** What became of one model's endpoint at the end of its use (EndpointTeardownStage, or EndpointKeepStage). */
export interface EndpointTeardown {
  readonly deleted: boolean;
  /** True when `keepEndpoints` left it running (it then carries the tag `impressions:keep`). */
  readonly kept: boolean;
  /** When it was deleted (or, when kept, when the run moved on): the end of its billed time in the cost estimate. */
  readonly deletedAt: string;
}

/** Output of the first Parallel: fine-tuning beside the pretrained model's deploy → evaluate → delete. */
export interface Stage1Result {
  readonly training: FineTuningResult;
  readonly pretrainedEvaluation: EvaluationStageResult;
  readonly pretrainedEndpoint: EndpointDeployment;
  readonly pretrainedTeardown: EndpointTeardown;
}

/**
 * Endpoints a finished run leaves running on purpose (`keepEndpoints`): they bill per instance-hour
 * until deleted. Empty `names` when the run kept none.
 */
export interface EndpointsLeftRunning {
  readonly names: readonly string[];
  /** How to delete them (an `impressions` command), or that nothing is left. */
  readonly note: string;
}

/** The publish step's outcome: the function's output, or the failure recorded instead (never fatal to the run). */
export type PublicationResult = PublishResultsOutput | { readonly status: 'failed'; readonly error: string; readonly cause: string };

/**
 * The run's state as it flows through the state machine, in the order the fields are written:
 * validate-input writes `plan`, then `preflight`, `resolved`, `settingDefaults`, `settings`, the
 * first Parallel `stage1`, then `fineTunedEndpoint`, `fineTunedEvaluation`, `fineTunedTeardown`,
 * `aggregation`, `endpointsLeftRunning` and, with the AnalyticsStack, `publication`. A state sees the fields written
 * before it. Ids, names, URIs and counts only: never report text.
 */
export interface RunState {
  readonly plan: RunPlan;
  readonly preflight: PreflightQuotasResult;
  readonly resolved: ResolvedModel;
  readonly settingDefaults: SettingDefaults;
  readonly settings: RunSettings;
  readonly stage1: Stage1Result;
  readonly fineTunedEndpoint: EndpointDeployment;
  readonly fineTunedEvaluation: EvaluationStageResult;
  readonly fineTunedTeardown: EndpointTeardown;
  readonly aggregation: AggregateResult;
  /** Which endpoints are still billing (kept with `keepEndpoints`) and how to delete them. */
  readonly endpointsLeftRunning: EndpointsLeftRunning;
  /** Absent when the pipeline is deployed without the AnalyticsStack's publish function. */
  readonly publication?: PublicationResult;
}

/** The output of a succeeded execution (`DescribeExecution.output`): the whole run state. */
export type RunOutput = RunState;

/** The state the first Parallel's branches start from: everything written before it. */
export type RunSetup = Pick<RunState, 'plan' | 'preflight' | 'resolved' | 'settingDefaults' | 'settings'>;

/** The fine-tuning branch of the first Parallel ends with its result at `training`. */
export interface FineTuningBranchState extends RunSetup {
  readonly training: FineTuningResult;
}

/** The pretrained branch of the first Parallel: deploy, evaluate, delete, each at its own field. */
export interface PretrainedBranchState extends RunSetup {
  readonly pretrainedEndpoint: EndpointDeployment;
  readonly pretrainedEvaluation: EvaluationStageResult;
  readonly pretrainedTeardown: EndpointTeardown;
}

/**
 * Why a run failed, as its clean-up and its final Fail state report it. Every field is always
 * present (a Fail state's ErrorPath/CausePath on a missing field would raise the uncatchable
 * `States.Runtime`).
 */
export interface RunFailure {
  /** The step that failed and the resource it worked on, e.g. `Deploy fine-tuned (endpoint impressions-r1-ft)`. */
  readonly where: string;
  /** The caught error's name (e.g. `EndpointFailed`, `SageMaker.ResourceLimitExceededException`, `States.TaskFailed`). */
  readonly error: string;
  /** `<where> failed: <the caught cause>`: names, statuses and SageMaker's messages only, never report text. */
  readonly cause: string;
}

/** A run state from the first Parallel on, as a failure note receives it: the caught error at `error`. */
export interface CaughtRunState extends RunSetup {
  readonly error: CaughtError;
}

/** A run state as the clean-up receives it: the failure, described. */
export interface FailedRunState extends RunSetup {
  readonly failure: RunFailure;
}

/** What the evaluation stage's branch receives (and nothing more). */
export interface EvaluationBranchInput {
  readonly plan: RunPlan;
  readonly resolved: ResolvedModel;
  readonly endpointName: string;
  readonly model: HostedModel;
}

/** What the aggregation stage's branch receives: the results to aggregate and the measured usage to cost. */
export interface AggregationBranchInput {
  readonly plan: RunPlan;
  readonly resolved: ResolvedModel;
  readonly training: FineTuningResult;
  readonly evaluation: { readonly pretrained: EvaluationStageResult; readonly 'fine-tuned': EvaluationStageResult };
  readonly endpoints: NonNullable<AggregateUsage['endpoints']>;
}

/** The two kinds of radiologist review (README "Radiologist review"). */
export type ReviewKind =
  /** Blinded A/B rating of dev-set impressions: measures the models, never used for training. */
  | 'evaluation'
  /** A draft impression of a new report accepted, corrected or rejected: becomes training data. */
  | 'feedback';

/** Where a reviewed impression comes from (hidden from the reader). */
export type ReviewSource = 'pretrained' | 'fine-tuned' | 'reference' | 'draft';

/** What became of one reader's human loop for one item. */
export type ReviewStatus =
  /** The reader answered; the ratings are filled in. */
  | 'answered'
  /** A2I wrote an output document that could not be read; `error` says why and `output_key` where it is. */
  | 'invalid'
  /** A2I reports the human loop Failed (e.g. the task expired); `error` carries A2I's failure code. */
  | 'failed'
  /** The loop was stopped (the review's deadline passed, or an operator stopped it) without an answer. */
  | 'stopped';

/**
 * One reader's judgement of one impression of one review item: a line of
 * `prediction_data/reviews/run_id=<id>/review_id=<r>/rows/<human loop name>.jsonl`.
 *
 * An evaluation item shows two impressions (A and B), so each answered loop gives two rows; a
 * feedback item shows one draft and gives one row. A loop without a usable answer (invalid
 * output, failed, stopped) still gives its rows, with `status` and `error` set and the answer
 * fields null: nothing is dropped. Texts are patient data: never log them.
 */
export interface ReviewRow {
  readonly run_id: string;
  readonly review_id: string;
  readonly kind: ReviewKind;
  /** Item number within the review, zero-padded (`0007`). */
  readonly item_id: string;
  /** The A2I human loop (one per item and reader). */
  readonly loop_name: string;
  readonly dataset: string;
  readonly study_id: string;
  /** Why the item was sampled (`label-disagreement`, `lowest-rouge`, `highest-rouge`, `random-audit`), null for feedback. */
  readonly stratum: string | null;
  /** The reader slot (work team) the loop went to: `reader-1` … `reader-3`, or `feedback`. */
  readonly reader: string;
  /** The worker's Cognito `sub` (pseudonymous), null when no answer was read. */
  readonly worker_id: string | null;
  /** Where the impression was shown: `A` or `B` (evaluation), null for a feedback draft. */
  readonly position: 'A' | 'B' | null;
  /** Where the impression comes from; the reader never saw this. */
  readonly source: ReviewSource;
  /** Source of the other impression of the pair, null for feedback. */
  readonly paired_with: ReviewSource | null;
  readonly findings: string;
  /** The impression text the reader judged. */
  readonly impression: string;
  /** Clinically correct, 1 (wrong) to 5 (fully correct). */
  readonly correct: number | null;
  /** Complete, 1 to 5. */
  readonly complete: number | null;
  /** Concise, 1 to 5. */
  readonly concise: number | null;
  /** "Could this harm a patient?": 1 yes, 0 no. */
  readonly harm: number | null;
  /** The reader's reason when `harm` is 1 (free text; patient data). */
  readonly harm_reason: string | null;
  /** The reader's choice for the item: `A`, `B` or `equal` (evaluation only). */
  readonly preference: 'A' | 'B' | 'equal' | null;
  /** The choice seen from this row's impression. */
  readonly outcome: 'preferred' | 'not-preferred' | 'equal' | null;
  /** Feedback only: what the radiologist did with the draft. */
  readonly decision: 'accepted' | 'corrected' | 'rejected' | null;
  /** The reader's corrected impression (optional for evaluation, required for a corrected draft). */
  readonly corrected_impression: string | null;
  /** ROUGE-Lsum F of this impression against the reference, from the run (null for the reference and drafts). */
  readonly rougelsum: number | null;
  /**
   * Share of the 14 CheXpert observations on which this impression's labels and the reference's
   * agree (present = positive or uncertain), from the run's stored labels; null for the reference and drafts.
   */
  readonly label_match: number | null;
  readonly status: ReviewStatus;
  /** Why there is no answer (never report text), or null. */
  readonly error: string | null;
  /** Key of the A2I output document read, or null when there was none. */
  readonly output_key: string | null;
  /** When the reader submitted (ISO-8601 UTC, from A2I), or null. */
  readonly submitted_at: string | null;
  /** When this row was written (ISO-8601 UTC). */
  readonly created_at: string;
}

/**
 * One figure of a review: a line of `prediction_data/reviews/run_id=<id>/review_id=<r>/summary/summary.jsonl`.
 * Metrics (README "Radiologist review"): `preferred`, `equal` (model against comparator), `rating_correct`,
 * `rating_complete`, `rating_concise`, `harm_rate` (per model), `alpha_*` (inter-reader agreement, model `all`),
 * `spearman_rouge_correct`, `spearman_labels_correct` (model `generated`), `loops_*` (counts, model `all`).
 */
export interface ReviewSummaryRow {
  readonly run_id: string;
  readonly review_id: string;
  /** `dev1`, `dev2` …, or `all`. */
  readonly dataset: string;
  readonly metric: string;
  readonly model: string;
  /** The other model of a preference figure, else null. */
  readonly comparator: string | null;
  /** The figure (a share, mean, coefficient or count), null when it cannot be computed (too few answers). */
  readonly value: number | null;
  /** 95% bootstrap interval over items (1,000 resamples, seeded), null for counts or when undefined. */
  readonly ci_low: number | null;
  readonly ci_high: number | null;
  /** Judgements, items or loops behind the figure (see the metric). */
  readonly count: number;
}
