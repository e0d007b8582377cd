/**
 * `impressions generate --endpoint <name> "<findings>" [--contract hf-text2text|tgi]`: one
 * impression from a deployed endpoint, with the configured prompt template, generation settings
 * and payload contract, the same code path as the evaluation.
 */
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { Command } from 'commander';
import {
  buildRequest,
  isPayloadContract,
  parseResponse,
  renderPrompt,
  withRetries,
  describeFailure,
  DEFAULT_RETRY_POLICY,
  type Sleep,
} from '../../core/evaluation';
import type { PayloadContract } from '../../core/run/contracts';
import { sdkInvoke } from '../../aws/invoke-endpoint';
import { awsClients } from '../aws';
import { CliError, EXIT } from '../errors';
import { loadProject } from '../project';

/** Arguments of {@link runGenerate}. */
export interface GenerateArgs {
  readonly endpointName: string;
  readonly findings: string;
  readonly contract: PayloadContract;
  readonly promptTemplate: string;
  readonly maxNewTokens: number;
  readonly numBeams: number;
  readonly client: SageMakerRuntimeClient;
  readonly out: NodeJS.WritableStream;
  readonly sleep?: Sleep;
}

/**
 * Generates and prints one impression.
 * @throws CliError when the endpoint answers with an error (after the retries) or a malformed
 * response; the SDK's error, for {@link describeAwsFailure}, when the call could not be made or was refused.
 */
export async function runGenerate(args: GenerateArgs): Promise<string> {
  if (args.findings.trim() === '') throw new CliError('findings: give the findings text as the argument');
  const request = buildRequest(args.contract, renderPrompt(args.promptTemplate, args.findings), { maxNewTokens: args.maxNewTokens, numBeams: args.numBeams });
  const outcome = await withRetries(() => sdkInvoke(args.client)(args.endpointName, request), DEFAULT_RETRY_POLICY, args.sleep);
  if (!outcome.ok) {
    // The endpoint answered (the model failed, or throttled, or broke): say so with the attempts.
    // Anything else (no credentials, no region, unreachable, access denied, no such endpoint)
    // goes to the CLI's one AWS error path.
    if (endpointAnswered(outcome.error)) throw new CliError(`endpoint ${args.endpointName}: ${describeFailure(outcome.error, outcome.attempts)}`, EXIT.failed);
    throw outcome.error;
  }
  const parsed = parseResponse(args.contract, outcome.value);
  if (!parsed.ok) throw new CliError(`endpoint ${args.endpointName}: ${parsed.error} (is --contract right?)`, EXIT.failed);
  args.out.write(`${parsed.text}\n`);
  return parsed.text;
}

function endpointAnswered(error: unknown): boolean {
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = e?.$metadata?.httpStatusCode;
  return e?.name === 'ModelError' || (typeof status === 'number' && (status === 429 || status >= 500));
}

/** Registers `generate`. */
export function register(program: Command): void {
  program
    .command('generate')
    .description('write one impression from a deployed endpoint (same prompt, settings and contract as the evaluation)')
    .requiredOption('--endpoint <name>', 'SageMaker endpoint name')
    .option('--contract <contract>', 'payload contract: tgi (JumpStart 2.x containers) or hf-text2text (1.x)', 'tgi')
    .argument('<findings>', 'the findings text')
    .action(async (findings: string, opts: { endpoint: string; contract: string }) => {
      if (!isPayloadContract(opts.contract)) throw new CliError(`--contract ${opts.contract}: must be tgi or hf-text2text`);
      const { config } = loadProject();
      await runGenerate({
        endpointName: opts.endpoint,
        findings,
        contract: opts.contract,
        promptTemplate: config.promptTemplate,
        maxNewTokens: config.maxNewTokens,
        numBeams: config.numBeams,
        client: awsClients().sageMakerRuntime,
        out: process.stdout,
      });
    });
}
