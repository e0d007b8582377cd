/**
 * The app's EventBridge rules, run locally: an event (e.g. the Step Functions "Execution Status
 * Change" the local Step Functions emits) is matched against each rule's `EventPattern` from the
 * template, and each target of a matching rule gets the event, transformed as the target says
 * (`Input`, `InputPath` or `InputTransformer`), the way EventBridge delivers it:
 * - a Lambda function is invoked asynchronously, with the retries an asynchronous Lambda invocation
 *   gets (the function's error → up to `retryAttempts` more attempts, delays scaled down);
 * - a Step Functions state machine gets a StartExecution with a generated name and the target input
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html); the execution runs in
 *   the local Step Functions like any other, and the invocation ends when the execution does.
 * Patterns are matched the way EventBridge matches exact values: every key of the pattern must be
 * present, a list matches when the event's value is one of its values, nested objects match
 * recursively (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html).
 * Content filters (`prefix`, `numeric`, `anything-but`, …) are refused: this app uses none. A target
 * of any other kind is refused when the rules are loaded, naming the rule and the target.
 */
import { randomUUID } from 'node:crypto';
import type { CloudAssembly } from './cloud-assembly';
import type { LambdaRuntime } from './lambda-runtime';
import type { LocalExecution } from './step-functions';

/** One delivery to a target and how it ended. */
export interface RuleInvocation {
  readonly rule: string;
  /** `lambda`: an asynchronous invocation; `state-machine`: an execution started by the rule. */
  readonly kind: 'lambda' | 'state-machine';
  /** The function's name, or the state machine's name. */
  readonly target: string;
  readonly attempts: number;
  /** The invocation succeeded, or the execution ended SUCCEEDED. */
  readonly ok: boolean;
  /** The function's result, or the execution's output. */
  readonly result?: unknown;
  readonly error?: string;
  /** The execution the rule started (state-machine targets). */
  readonly execution?: { readonly arn: string; readonly name: string; readonly status: string; readonly error?: string; readonly cause?: string };
}

/** Starts an execution of a local state machine (lib/local/step-functions.ts `start`). */
export type StartExecution = (stateMachineArn: string, name: string, input: unknown) => LocalExecution;

/** A rule target as the template declares it (intrinsics resolved). */
export interface RuleTarget {
  readonly Arn: string;
  readonly Id?: string;
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: { readonly InputPathsMap?: Record<string, string>; readonly InputTemplate: string };
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

/** The value at an EventBridge JSON path of dot notation (`$`, `$.detail.name`, `$.resources.0`); undefined when absent. */
export function valueAtPath(event: unknown, jsonPath: string): unknown {
  if (jsonPath === '$') return event;
  if (!jsonPath.startsWith('$.')) throw new Error(`JSON path ${jsonPath} is not in the dot notation EventBridge supports`);
  let value: unknown = event;
  for (const key of jsonPath.slice(2).split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * The input an `InputTransformer` gives a target, as EventBridge fills the template
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html and the
 * user guide's "Amazon EventBridge input transformation"): a placeholder outside a JSON string gets
 * the value as JSON (a string with its quotes, a missing path `null`); inside a JSON string, the
 * value's text, as in a template that is not JSON. A JSON template gives the parsed value; any other, its text.
 * Of the predefined variables, `aws.events.event.json` (the whole event) and `aws.events.rule-name`.
 */
export function transformInput(transformer: NonNullable<RuleTarget['InputTransformer']>, event: unknown, ruleName = ''): unknown {
  const values = new Map<string, unknown>(Object.entries(transformer.InputPathsMap ?? {}).map(([k, p]) => [k, valueAtPath(event, p)]));
  values.set('aws.events.event.json', event);
  values.set('aws.events.rule-name', ruleName);
  const template = transformer.InputTemplate;
  const isJson = /^\s*[{[]/.test(template);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '\\' && inString) {
      out += template.slice(i, i + 2);
      i += 1;
      continue;
    }
    if (c === '"' && isJson) inString = !inString;
    const placeholder = c === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (placeholder === null) {
      out += c;
      continue;
    }
    if (!values.has(placeholder[1])) throw new Error(`input template placeholder <${placeholder[1]}> is not in InputPathsMap`);
    const value = values.get(placeholder[1]);
    const json = JSON.stringify(value ?? null);
    out += inString || !isJson ? (typeof value === 'string' ? (isJson ? json.slice(1, -1) : value) : json) : json;
    i += placeholder[0].length - 1;
  }
  return isJson ? (JSON.parse(out) as unknown) : out;
}

/** The input a target receives for `event`. */
export function targetInput(target: RuleTarget, event: unknown, ruleName = ''): unknown {
  if (target.Input !== undefined) return JSON.parse(target.Input) as unknown;
  if (target.InputPath !== undefined) return valueAtPath(event, target.InputPath);
  if (target.InputTransformer !== undefined) return transformInput(target.InputTransformer, event, ruleName);
  return event;
}

/** What the rules need to deliver to their targets. */
export interface LocalEventRulesOptions {
  readonly retryAttempts: number;
  readonly retryDelayMs: number;
  /** Starts an execution of a state machine target; without it, a state machine target is refused. */
  readonly startExecution?: StartExecution;
}

/** The rules of an assembly with their targets, ready to receive events. */
export class LocalEventRules {
  /** Every delivery started, in order. */
  readonly invocations: Promise<RuleInvocation>[] = [];
  private readonly rules: { name: string; pattern: unknown; targets: RuleTarget[] }[];

  constructor(
    assembly: CloudAssembly,
    private readonly lambda: LambdaRuntime,
    private readonly options: LocalEventRulesOptions,
  ) {
    this.rules = assembly.resourcesOfType('AWS::Events::Rule').map(({ stack, logicalId, resource }) => {
      const p = assembly.resolve(stack, resource.Properties ?? {}) as { EventPattern?: unknown; Targets?: RuleTarget[]; State?: string };
      const name = `${stack}/${logicalId}`;
      const targets = p.Targets ?? [];
      for (const target of targets) {
        if (this.lambda.find(target.Arn) !== undefined) continue;
        if (/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:/.test(target.Arn) && options.startExecution !== undefined) continue;
        throw new Error(`rule ${name}: target ${target.Id ?? target.Arn} (${target.Arn}) is neither a local function nor a local state machine`);
      }
      return { name, pattern: p.State === 'DISABLED' ? undefined : p.EventPattern, targets };
    });
  }

  /** Sends `event` to every target of every matching rule (asynchronously). */
  put(event: unknown): void {
    for (const rule of this.rules) {
      if (rule.pattern === undefined || !matchesPattern(rule.pattern, event)) continue;
      for (const target of rule.targets) {
        this.invocations.push(
          this.lambda.find(target.Arn) !== undefined ? this.invokeAsync(rule.name, target, event) : this.startExecution(rule.name, target, event),
        );
      }
    }
  }

  private async invokeAsync(rule: string, target: RuleTarget, event: unknown): Promise<RuleInvocation> {
    const functionName = this.lambda.find(target.Arn)!.name;
    let attempts = 0;
    const input = targetInput(target, event, rule);
    for (;;) {
      attempts += 1;
      try {
        const result = await this.lambda.invoke(target.Arn, input);
        return { rule, kind: 'lambda', target: functionName, attempts, ok: true, result };
      } catch (error) {
        if (attempts > this.options.retryAttempts)
          return { rule, kind: 'lambda', target: functionName, attempts, ok: false, error: `${(error as Error).name}: ${(error as Error).message}` };
        await new Promise((r) => setTimeout(r, this.options.retryDelayMs * attempts));
      }
    }
  }

  /** StartExecution as EventBridge sends it (a generated name), then the execution's end. */
  private async startExecution(rule: string, target: RuleTarget, event: unknown): Promise<RuleInvocation> {
    const machineName = target.Arn.slice(target.Arn.lastIndexOf(':') + 1);
    let execution: LocalExecution;
    try {
      execution = this.options.startExecution!(target.Arn, randomUUID(), targetInput(target, event, rule));
    } catch (error) {
      return { rule, kind: 'state-machine', target: machineName, attempts: 1, ok: false, error: `${(error as Error).name}: ${(error as Error).message}` };
    }
    await execution.done;
    const { arn, name, status, error, cause } = execution;
    return {
      rule,
      kind: 'state-machine',
      target: machineName,
      attempts: 1,
      ok: status === 'SUCCEEDED',
      result: execution.output,
      ...(status !== 'SUCCEEDED' ? { error: `${status}${error !== undefined ? `: ${error}` : ''}${cause !== undefined ? `: ${cause}` : ''}` } : {}),
      execution: { arn, name, status, error, cause },
    };
  }

  /** Waits for every delivery started so far, and for the deliveries those started, until none is left. */
  async settled(): Promise<RuleInvocation[]> {
    let count = -1;
    while (count !== this.invocations.length) {
      count = this.invocations.length;
      await Promise.all(this.invocations);
    }
    return Promise.all(this.invocations);
  }
}
