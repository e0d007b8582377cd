/**
 * Finds deployed resources from the outputs of this app's CloudFormation stacks, so operators never
 * copy bucket names or ARNs by hand.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CliError } from './errors';

/** Reads every output of a stack as a key → value map. */
export async function readStackOutputs(client: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  let response;
  try {
    response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    const e = error as Error;
    if (e.name === 'ValidationError' && /does not exist/.test(e.message)) {
      throw new CliError(`stack ${stackName} is not deployed in this account and region (run: npx cdk deploy --all)`);
    }
    throw new CliError(`could not read stack ${stackName}: ${e.name}: ${e.message}`);
  }
  const stack = response.Stacks?.[0];
  if (stack === undefined) throw new CliError(`stack ${stackName} is not deployed in this account and region (run: npx cdk deploy --all)`);
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey !== undefined && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  return outputs;
}

/** Reads one output of a stack, failing with a message that names the stack and the output. */
export async function requireStackOutput(client: CloudFormationClient, stackName: string, outputKey: string): Promise<string> {
  const outputs = await readStackOutputs(client, stackName);
  const value = outputs[outputKey];
  if (value === undefined) {
    throw new CliError(`stack ${stackName} has no output ${outputKey}; redeploy it with this version (npx cdk deploy --all)`);
  }
  return value;
}
