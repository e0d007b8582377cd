/**
 * The Distributed Map rewrite, executed by aws-local-stepfunctions: items read as the ItemReader
 * reads them, one child execution per item, MaxConcurrency, the tolerated-failure threshold, and a
 * missing manifest failing the state with States.ItemReaderFailed (caught by the state's Catch).
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { parseItems, rewriteDistributedMaps, type AslDefinition } from '../../../lib/local/distributed-map';
import { polyfillPromiseWithResolvers } from '../../../lib/local/step-functions';

polyfillPromiseWithResolvers();

const definition = (tolerated?: number): AslDefinition => ({
  StartAt: 'Shards',
  States: {
    Shards: {
      Type: 'Map',
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: 'b', 'Key.$': '$.manifestKey' } },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'Work',
        States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } },
      },
      MaxConcurrency: 2,
      ...(tolerated === undefined ? {} : { ToleratedFailureCount: tolerated }),
      ResultPath: '$.results',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }],
      End: true,
    },
    Failed: { Type: 'Pass', End: true },
  },
});

async function run(def: AslDefinition, objects: Record<string, string>, work: (item: { n: number }) => Promise<unknown>) {
  let inFlight = 0;
  let peak = 0;
  const startedChildren: number[] = [];
  const { definition: rewritten, handlers } = rewriteDistributedMaps(def, {
    getObjectText: async (bucket, key) => objects[`${bucket}/${key}`],
    startChild: (_map, processor, item, index) => {
      startedChildren.push(index);
      const child = new StateMachine(processor as never, { validationOptions: { noValidate: true } }).run(item as never, {
        overrides: {
          taskResourceLocalHandlers: {
            Work: async (input: unknown) => {
              inFlight += 1;
              peak = Math.max(peak, inFlight);
              try {
                await new Promise((r) => setTimeout(r, 10));
                return (await work(input as { n: number })) as never;
              } finally {
                inFlight -= 1;
              }
            },
          },
        },
      });
      return { result: child.result, abort: child.abort };
    },
  });
  const output = await new StateMachine(rewritten as never, { validationOptions: { checkArn: false } }).run({ manifestKey: 'm.jsonl' } as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
  }).result;
  return { output: output as Record<string, unknown>, peak, startedChildren };
}

describe('Distributed Map rewrite', () => {
  test('reads the JSONL manifest from S3, runs one child per item at most MaxConcurrency at once, keeps the item order', async () => {
    const { output, peak } = await run(definition(), { 'b/m.jsonl': '{"n":1}\n{"n":2}\n\n{"n":3}\n' }, async (item) => item.n * 10);
    expect(output).toEqual({ manifestKey: 'm.jsonl', results: [10, 20, 30] });
    expect(peak).toBeLessThanOrEqual(2);
  });

  test('a failed child beyond the tolerated count fails the state with States.ExceedToleratedFailureThreshold', async () => {
    const failing = async (item: { n: number }) => {
      if (item.n === 2) throw Object.assign(new Error('shard 2 broke'), { name: 'EndpointUnavailableError' });
      return item.n;
    };
    const { output } = await run(definition(), { 'b/m.jsonl': '{"n":1}\n{"n":2}\n{"n":3}\n' }, failing);
    expect(output.error).toMatchObject({
      Error: 'States.ExceedToleratedFailureThreshold',
      Cause: expect.stringContaining('item 1: EndpointUnavailableError: shard 2 broke'),
    });
    const tolerated = await run(definition(1), { 'b/m.jsonl': '{"n":1}\n{"n":2}\n{"n":3}\n' }, failing);
    expect(tolerated.output.error).toBeUndefined();
  });

  test('a missing manifest fails the state with States.ItemReaderFailed, which its Catch receives', async () => {
    const { output, startedChildren } = await run(definition(), {}, async () => 1);
    expect(output.error).toMatchObject({ Error: 'States.ItemReaderFailed', Cause: expect.stringContaining('s3://b/m.jsonl does not exist') });
    expect(startedChildren).toEqual([]);
  });

  test('parseItems names the object and line of a bad JSONL line', () => {
    expect(() => parseItems('{"a":1}\nnot json\n', 'JSONL', 's3://b/k')).toThrow(/s3:\/\/b\/k: line 2 is not valid JSON/);
    expect(parseItems('[1,2]', 'JSON', 'x')).toEqual([1, 2]);
  });
});
