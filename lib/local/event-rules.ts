/**
 * The app's EventBridge rules, run locally: an event (e.g. the Step Functions "Execution Status
 * Change" the local Step Functions emits) is matched against each rule's `EventPattern` from the
 * template, and a matching rule's Lambda targets are invoked asynchronously, with the retries an
 * asynchronous Lambda invocation gets (the function's error → up to `retryAttempts` more attempts,
 * delays scaled down). Patterns are matched the way EventBridge matches exact values: every key of
 * the pattern must be present, a list matches when the event's value is one of its values, nested
 * objects match recursively (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html).
 * Content filters (`prefix`, `numeric`, `anything-but`, …) are refused: this app uses none.
 */
import type { CloudAssembly } from './cloud-assembly';
import type { LambdaRuntime } from './lambda-runtime';

/** One asynchronous invocation and how it ended. */
export interface RuleInvocation {
  readonly rule: string;
  readonly functionName: string;
  readonly attempts: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

/** Whether `event` matches an EventBridge `pattern` of exact values. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((p) => {
      if (p !== null && typeof p === 'object') throw new Error(`event pattern content filter ${JSON.stringify(p)} is not supported locally`);
      return Array.isArray(event) ? event.includes(p) : event === p;
    });
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (event === null || typeof event !== 'object') return false;
    return Object.entries(pattern as Record<string, unknown>).every(
      ([key, sub]) => key in (event as Record<string, unknown>) && matchesPattern(sub, (event as Record<string, unknown>)[key]),
    );
  }
  return pattern === event;
}

/** The rules of an assembly with their Lambda targets, ready to receive events. */
export class LocalEventRules {
  /** Every invocation started, in order. */
  readonly invocations: Promise<RuleInvocation>[] = [];
  private readonly rules: { name: string; pattern: unknown; targets: string[] }[];

  constructor(
    assembly: CloudAssembly,
    private readonly lambda: LambdaRuntime,
    private readonly options: { retryAttempts: number; retryDelayMs: number },
  ) {
    this.rules = assembly.resourcesOfType('AWS::Events::Rule').map(({ stack, logicalId, resource }) => {
      const p = assembly.resolve(stack, resource.Properties ?? {}) as { EventPattern?: unknown; Targets?: { Arn: string }[]; State?: string };
      return { name: `${stack}/${logicalId}`, pattern: p.State === 'DISABLED' ? undefined : p.EventPattern, targets: (p.Targets ?? []).map((t) => t.Arn) };
    });
  }

  /** Sends `event` to every matching rule's Lambda targets (asynchronously). */
  put(event: unknown): void {
    for (const rule of this.rules) {
      if (rule.pattern === undefined || !matchesPattern(rule.pattern, event)) continue;
      for (const arn of rule.targets) {
        if (this.lambda.find(arn) === undefined) continue;
        this.invocations.push(this.invokeAsync(rule.name, arn, event));
      }
    }
  }

  private async invokeAsync(rule: string, arn: string, event: unknown): Promise<RuleInvocation> {
    const functionName = this.lambda.find(arn)!.name;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      try {
        const result = await this.lambda.invoke(arn, event);
        return { rule, functionName, attempts, ok: true, result };
      } catch (error) {
        if (attempts > this.options.retryAttempts)
          return { rule, functionName, attempts, ok: false, error: `${(error as Error).name}: ${(error as Error).message}` };
        await new Promise((r) => setTimeout(r, this.options.retryDelayMs * attempts));
      }
    }
  }

  /** Waits for every invocation started so far. */
  async settled(): Promise<RuleInvocation[]> {
    return Promise.all(this.invocations);
  }
}
