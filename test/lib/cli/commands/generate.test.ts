import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { PassThrough } from 'node:stream';
import { runGenerate } from '../../../../lib/cli/commands/generate';
import { standInClient, startStandIn } from '../../../../lib/local/sagemaker-runtime';

const base = {
  endpointName: 'impressions-r-ft',
  findings: 'Heart size is normal. Lungs are clear.',
  promptTemplate: 'Findings: {context}',
  maxNewTokens: 80,
  numBeams: 10,
};

describe('generate', () => {
  it('sends the configured prompt in the chosen contract and prints the impression', async () => {
    const client = new SageMakerRuntimeClient({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock.on(InvokeEndpointCommand).resolves({ Body: Uint8ArrayBlobAdapter.fromString('{"generated_texts":["No acute process."]}') });
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    await expect(runGenerate({ ...base, contract: 'hf-text2text', client, out })).resolves.toBe('No acute process.');
    expect(text).toBe('No acute process.\n');
    const body = JSON.parse(new TextDecoder().decode(mock.commandCalls(InvokeEndpointCommand)[0].args[0].input.Body as Uint8Array));
    expect(body).toEqual({ text_inputs: 'Findings: Heart size is normal. Lungs are clear.', max_length: 80, num_beams: 10, num_return_sequences: 1 });
  });

  it('names a contract mismatch and an endpoint failure without report text', async () => {
    const client = new SageMakerRuntimeClient({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock
      .on(InvokeEndpointCommand)
      .resolvesOnce({ Body: Uint8ArrayBlobAdapter.fromString('{"generated_texts":["Heart"]}') })
      .rejects(Object.assign(new Error('Heart size is normal'), { name: 'ModelError', OriginalStatusCode: 400, $metadata: { httpStatusCode: 424 } }));
    await expect(runGenerate({ ...base, contract: 'tgi', client, out: new PassThrough() })).rejects.toThrow(
      'endpoint impressions-r-ft: malformed tgi response: response is an object, expected an array of {generated_text} (is --contract right?)',
    );
    await expect(runGenerate({ ...base, contract: 'tgi', client, out: new PassThrough() })).rejects.toThrow(
      /^endpoint impressions-r-ft: ModelError \(HTTP 424, container status 400\) after 1 attempt$/,
    );
  });

  it('works against the local stand-in (tgi)', async () => {
    const standIn = await startStandIn({ throttleRate: 0.5, seed: 3 });
    try {
      const text = await runGenerate({ ...base, contract: 'tgi', client: standInClient(standIn), out: new PassThrough(), sleep: async () => undefined });
      expect(text).toBe('Heart size is normal.');
      expect(JSON.parse(standIn.stats.bodies[0])).toEqual({
        inputs: 'Findings: Heart size is normal. Lungs are clear.',
        parameters: { max_new_tokens: 80, do_sample: false },
      });
    } finally {
      await standIn.close();
    }
  });
});
