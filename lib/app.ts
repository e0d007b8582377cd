import { App, Tags } from 'aws-cdk-lib';
import { loadConfig, ImpressionsConfig, type SourceOf } from './config';
import { stackNames } from './core/deployment';
import { AnalyticsStack } from './stacks/analytics-stack';
import { DataStack } from './stacks/data-stack';
import { PipelineStack } from './stacks/pipeline-stack';
import { ReviewStack } from './stacks/review-stack';

/** The stacks of the app, for tests and for bin/app.ts. */
export interface ImpressionsStacks {
  readonly config: ImpressionsConfig;
  readonly data: DataStack;
  readonly analytics: AnalyticsStack;
  readonly pipeline: PipelineStack;
  /** Only with `impressions:reviewEnabled`. */
  readonly review?: ReviewStack;
}

/**
 * Reads the configuration from the app's context and creates every stack. Shared by bin/app.ts
 * and the tests, so both build exactly the same app (nag packs are registered by the caller).
 * @param sourceOf where each context value came from (bin/app.ts reads the context files), named in errors.
 * @throws ConfigError when a setting is invalid or an `impressions:*` key is not a setting.
 */
export function buildApp(app: App, sourceOf?: SourceOf): ImpressionsStacks {
  const config = loadConfig(app.node.getAllContext() as Record<string, unknown>, sourceOf);
  const names = stackNames(config.resourcePrefix);
  Tags.of(app).add('application', 'radiology-impressions');
  const data = new DataStack(app, names.data, {
    config,
    description: 'radiology-impressions: KMS key and the encrypted data bucket (stateful)',
  });
  const analytics = new AnalyticsStack(app, names.analytics, {
    config,
    dataStore: data.dataStore,
    description: 'radiology-impressions: Glue tables, Athena workgroup and the QuickSight dashboard over every run',
  });
  const pipeline = new PipelineStack(app, names.pipeline, {
    config,
    dataStore: data.dataStore,
    analytics: { publishFunction: analytics.publishFunction, refreshFailedMetric: analytics.publisher.metricRefreshFailed() },
    description: 'radiology-impressions: the run state machine, its Lambdas, clean-up safety nets and alarms',
  });
  const review = config.reviewEnabled
    ? new ReviewStack(app, names.review, {
        config,
        dataStore: data.dataStore,
        publishFunction: analytics.publishFunction,
        description: 'radiology-impressions: radiologist review (Cognito readers, SageMaker private workforce, A2I, review state machine)',
      })
    : undefined;
  return { config, data, analytics, pipeline, review };
}
