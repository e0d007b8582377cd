/**
 * The one rewrite the rehearsal makes to the synthesized definition: aws-local-stepfunctions has no
 * Distributed Map (no `ItemReader`, no child executions, no tolerated-failure threshold), so each
 * `Map` state with `ProcessorConfig.Mode: DISTRIBUTED` becomes a Task state of the same name whose
 * local handler does what the Distributed Map does
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html):
 * - reads the items as the ItemReader would: `arn:aws:states:::s3:getObject` with its `Parameters`
 *   (`Bucket`, `Key`, resolved against the state's input by the engine) from the local S3, parsed per
 *   `ReaderConfig.InputType` (`JSONL`: one JSON value per non-empty line; `JSON`: an array), at most
 *   `ReaderConfig.MaxItems`; a missing object or an unparsable line fails the state with
 *   `States.ItemReaderFailed`;
 * - runs each item (through `ItemSelector` when there is one) as its own child execution of the
 *   `ItemProcessor`, at most `MaxConcurrency` at once;
 * - fails with `States.ExceedToleratedFailureThreshold` once more children failed than
 *   `ToleratedFailurePercentage` / `ToleratedFailureCount` allow (default 0), stopping the others;
 * - returns the children's outputs in item order (no ResultWriter in this app).
 * Everything else of the state (InputPath, ResultSelector, ResultPath, OutputPath, Retry, Catch,
 * Next/End) is kept as it is, so the engine applies it as Step Functions would.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { TaskError } from './task-integrations';

/** An ASL state (only what the rewrite reads). */
export type AslState = Record<string, unknown> & { Type: string };
/** An ASL definition. */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

/** A child execution started by a Distributed Map. */
export interface ChildExecution {
  readonly result: Promise<unknown>;
  abort(): void;
}

/** What the rewritten states need. */
export interface DistributedMapDeps {
  /** The object's text, or undefined when it does not exist. */
  readonly getObjectText: (bucket: string, key: string) => Promise<string | undefined>;
  /** Starts one child execution of `processor` with `input` (the item). */
  readonly startChild: (mapStateName: string, processor: AslDefinition, input: unknown, index: number) => ChildExecution;
}

/** Resource of the rewritten Task states (never called on AWS). */
export const LOCAL_DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::rehearsal:distributedMap';

/** Keys a Task state shares with a Map state and that the rewrite keeps. */
const KEPT = ['Comment', 'InputPath', 'ResultSelector', 'ResultPath', 'OutputPath', 'Retry', 'Catch', 'Next', 'End'];

function isDistributed(state: AslState): boolean {
  return (
    state.Type === 'Map' && ((state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig?.Mode ?? 'INLINE') === 'DISTRIBUTED'
  );
}

/** Items of an ItemReader object. */
export function parseItems(text: string, inputType: string, where: string): unknown[] {
  if (inputType === 'JSONL') {
    const items: unknown[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        items.push(JSON.parse(line));
      } catch (error) {
        throw new TaskError('States.ItemReaderFailed', `${where}: line ${i + 1} is not valid JSON (${(error as Error).message})`);
      }
    });
    return items;
  }
  if (inputType === 'JSON') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new TaskError('States.ItemReaderFailed', `${where}: not valid JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(parsed)) throw new TaskError('States.ItemReaderFailed', `${where}: the JSON is not an array`);
    return parsed;
  }
  throw new TaskError('States.ItemReaderFailed', `${where}: ReaderConfig.InputType ${inputType} is not supported by the rehearsal (JSON, JSONL)`);
}

/** Applies `ItemSelector` to one item with the engine itself (a one-state Pass machine). */
async function selectItem(selector: unknown, input: unknown, item: unknown, index: number): Promise<unknown> {
  const machine = new StateMachine({ StartAt: 'select', States: { select: { Type: 'Pass', Parameters: selector, End: true } } } as never, {
    validationOptions: { noValidate: true },
  });
  // The selector sees the Map's input as `$` and the item as `$$.Map.Item`.
  return machine.run(input as never, { context: { Map: { Item: { Index: index, Value: item } } } as never }).result;
}

function handlerFor(name: string, state: AslState, deps: DistributedMapDeps): (input: unknown) => Promise<unknown> {
  const reader = state.ItemReader as { Resource?: string; ReaderConfig?: { InputType?: string; MaxItems?: number } } | undefined;
  const processor = state.ItemProcessor as AslDefinition;
  const maxConcurrency = Number(state.MaxConcurrency ?? 0) || 40;
  const toleratedPercent = Number(state.ToleratedFailurePercentage ?? 0);
  const toleratedCount = Number(state.ToleratedFailureCount ?? 0);
  return async (wrapped) => {
    const { input, reader: params } = wrapped as { input: unknown; reader?: { Bucket?: string; Key?: string } };
    let items: unknown[];
    if (reader === undefined) {
      items = (state.ItemsPath === undefined ? input : undefined) as unknown[];
      if (!Array.isArray(items)) throw new TaskError('States.Runtime', `state "${name}": the input is not an array of items`);
    } else {
      if (reader.Resource !== 'arn:aws:states:::s3:getObject') {
        throw new TaskError(
          'States.ItemReaderFailed',
          `state "${name}": ItemReader ${reader.Resource ?? '?'} is not supported by the rehearsal (s3:getObject)`,
        );
      }
      const where = `s3://${params?.Bucket ?? '?'}/${params?.Key ?? '?'}`;
      const text = await deps.getObjectText(String(params?.Bucket), String(params?.Key));
      if (text === undefined) throw new TaskError('States.ItemReaderFailed', `state "${name}": ItemReader: ${where} does not exist (NoSuchKey)`);
      items = parseItems(text, reader.ReaderConfig?.InputType ?? 'JSON', `state "${name}": ItemReader ${where}`);
      if (reader.ReaderConfig?.MaxItems !== undefined) items = items.slice(0, reader.ReaderConfig.MaxItems);
    }
    const allowed = Math.max(toleratedCount, Math.floor((toleratedPercent / 100) * items.length));
    const children: (ChildExecution | undefined)[] = [];
    const results: unknown[] = new Array(items.length);
    const failures: { index: number; error: Error }[] = [];
    let next = 0;
    let stopped = false;
    const worker = async (): Promise<void> => {
      while (!stopped && next < items.length) {
        const index = next++;
        const childInput = state.ItemSelector === undefined ? items[index] : await selectItem(state.ItemSelector, input, items[index], index);
        const child = deps.startChild(name, processor, childInput, index);
        children[index] = child;
        try {
          results[index] = await child.result;
        } catch (error) {
          failures.push({ index, error: ((error as { cause?: unknown }).cause as Error | undefined) ?? (error as Error) });
          if (failures.length > allowed) stopped = true;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(maxConcurrency, Math.max(1, items.length)) }, worker));
    if (failures.length > allowed) {
      for (const child of children) child?.abort();
      const first = failures.sort((a, b) => a.index - b.index)[0];
      throw new TaskError(
        'States.ExceedToleratedFailureThreshold',
        `state "${name}": ${failures.length} of ${items.length} child executions failed, more than the ${allowed} tolerated; item ${first.index}: ${first.error.name}: ${first.error.message}`,
      );
    }
    return results;
  };
}

/**
 * Rewrites every Distributed Map of `definition` (at any depth) into a local Task state; returns the
 * rewritten definition and the handlers of those states, by state name.
 */
export function rewriteDistributedMaps(
  definition: AslDefinition,
  deps: DistributedMapDeps,
): { definition: AslDefinition; handlers: Record<string, (input: unknown) => Promise<unknown>> } {
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const rewrite = (def: AslDefinition): AslDefinition => {
    const states: Record<string, AslState> = {};
    for (const [name, state] of Object.entries(def.States)) {
      if (isDistributed(state)) {
        // A Map state has no timeout; the engine's Task default is 60 s, so the longest its timer allows (24.8 days).
        const task: AslState = { Type: 'Task', Resource: LOCAL_DISTRIBUTED_MAP_RESOURCE, TimeoutSeconds: 2_147_483 };
        for (const key of KEPT) if (key in state) task[key] = state[key];
        const readerParameters = (state.ItemReader as { Parameters?: unknown } | undefined)?.Parameters;
        task.Parameters = { 'input.$': '$', ...(readerParameters === undefined ? {} : { reader: readerParameters }) };
        handlers[name] = handlerFor(name, state, deps);
        states[name] = task;
        continue;
      }
      const copy: AslState = { ...state };
      if (Array.isArray(state.Branches)) copy.Branches = (state.Branches as AslDefinition[]).map(rewrite);
      if (state.ItemProcessor !== undefined) copy.ItemProcessor = rewrite(state.ItemProcessor as AslDefinition);
      if (state.Iterator !== undefined) copy.Iterator = rewrite(state.Iterator as AslDefinition);
      states[name] = copy;
    }
    return { ...def, States: states };
  };
  return { definition: rewrite(definition), handlers };
}

/** Every state of `definition` with its name, nested ones included (Distributed Map processors too). */
export function allStates(definition: AslDefinition): [string, AslState][] {
  const out: [string, AslState][] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    out.push([name, state]);
    for (const branch of (state.Branches as AslDefinition[] | undefined) ?? []) out.push(...allStates(branch));
    if (state.ItemProcessor !== undefined) out.push(...allStates(state.ItemProcessor as AslDefinition));
    if (state.Iterator !== undefined) out.push(...allStates(state.Iterator as AslDefinition));
  }
  return out;
}
