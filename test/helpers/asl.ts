/**
 * Reads the Amazon States Language definitions out of a synthesized stack (tokens replaced by
 * stable dummy values) and walks their states, for asl-validator and aws-local-stepfunctions.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** A state of an ASL definition (only the fields the tests read are typed). */
export interface AslState {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Retry?: unknown[];
  Catch?: unknown[];
  Branches?: AslDefinition[];
  Iterator?: AslDefinition;
  ItemProcessor?: AslDefinition;
  [key: string]: unknown;
}

/** An ASL definition. */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

export const DUMMY_ACCOUNT = '123456789012';
export const DUMMY_REGION = 'us-east-1';

/** Replaces a CloudFormation intrinsic inside a definition string by a dummy value without quotes. */
function dummy(part: unknown): string {
  if (typeof part === 'string') return part;
  const p = part as Record<string, unknown>;
  if (typeof p.Ref === 'string') {
    if (p.Ref === 'AWS::Partition') return 'aws';
    if (p.Ref === 'AWS::Region') return DUMMY_REGION;
    if (p.Ref === 'AWS::AccountId') return DUMMY_ACCOUNT;
    if (p.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
    return `ref-${p.Ref}`;
  }
  const getAtt = p['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt !== undefined) return `arn:aws:lambda:${DUMMY_REGION}:${DUMMY_ACCOUNT}:function:${getAtt[0]}`;
  // A function ARN of another stack (weak cross-stack reference): the output is named after it.
  const output = p['Fn::GetStackOutput'] as { OutputName?: string } | undefined;
  if (output?.OutputName !== undefined && /FunctionArn|Function[0-9A-F]{8}Arn/.test(output.OutputName)) {
    return `arn:aws:lambda:${DUMMY_REGION}:${DUMMY_ACCOUNT}:function:${output.OutputName}`;
  }
  return `dummy-${Buffer.from(JSON.stringify(part)).toString('hex').slice(0, 16)}`;
}

/** Every state machine definition of `stack`, by logical id. */
export function stateMachineDefinitions(stack: Stack): Record<string, AslDefinition> {
  const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
  const result: Record<string, AslDefinition> = {};
  for (const [id, resource] of Object.entries(machines)) {
    const body = (resource as { Properties: { DefinitionString: unknown } }).Properties.DefinitionString;
    let text: string;
    if (typeof body === 'string') {
      text = body;
    } else {
      const [sep, parts] = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      text = parts.map(dummy).join(sep);
    }
    result[id] = JSON.parse(text) as AslDefinition;
  }
  return result;
}

/** Every state of `definition`, nested ones included, with its name. */
export function allStates(definition: AslDefinition): [string, AslState][] {
  const out: [string, AslState][] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    out.push([name, state]);
    for (const branch of state.Branches ?? []) out.push(...allStates(branch));
    if (state.Iterator !== undefined) out.push(...allStates(state.Iterator));
    if (state.ItemProcessor !== undefined) out.push(...allStates(state.ItemProcessor));
  }
  return out;
}

/** Makes `Promise.withResolvers` (Node 22) available on Node 20 for aws-local-stepfunctions (one definition, shipped with the rehearsal). */
export { polyfillPromiseWithResolvers } from '../../lib/local/step-functions';
