/**
 * Finds deployed resources from the outputs of this app's CloudFormation stacks, so operators never
 * copy bucket names or ARNs by hand. A stack that is not deployed, or cannot be read, fails with the
 * SDK's error, which the CLI's one AWS error path explains (lib/cli/aws.ts).
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CliError, EXIT } from './errors';

/** Reads every output of a stack as a key → value map. */
export async function readStackOutputs(client: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  const response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const stack = response.Stacks?.[0];
  if (stack === undefined) throw new CliError(`CloudFormation returned no stack ${stackName}`, EXIT.failed);
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey !== undefined && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  return outputs;
}

/** One output of `outputs` (of `stackName`), failing with a message that names the stack and the output. */
export function outputOf(outputs: Readonly<Record<string, string>>, stackName: string, outputKey: string): string {
  const value = outputs[outputKey];
  if (value === undefined) {
    throw new CliError(`stack ${stackName} has no output ${outputKey}; redeploy it with this version (npx cdk deploy --all)`, EXIT.failed);
  }
  return value;
}

/** Reads one output of a stack, failing with a message that names the stack and the output. */
export async function requireStackOutput(client: CloudFormationClient, stackName: string, outputKey: string): Promise<string> {
  return outputOf(await readStackOutputs(client, stackName), stackName, outputKey);
}
