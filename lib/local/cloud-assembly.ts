/**
 * Reads a synthesized cloud assembly (what `cdk synth` writes to cdk.out) for the rehearsal: the
 * stacks' templates, the Lambda functions with their bundles and environments, the run state
 * machine's definition and the EventBridge rules, with every CloudFormation intrinsic resolved to
 * the local names of one local deployment (account 123456789012, region us-east-1).
 *
 * Physical names follow what CloudFormation would give: a resource's own name property where the
 * template sets one (`BucketName`, `Name`, `DatabaseInput.Name`, …), else `<stack>-<logical id>`.
 * Values only known once a resource exists (the KMS key id) are given by the deployment through
 * {@link CloudAssembly.setPhysical}. Nothing here talks to a service.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The account and region of every local deployment (moto's default account). */
export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'us-east-1';

/** A CloudFormation resource of a template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A synthesized stack. */
export interface AssemblyStack {
  readonly name: string;
  readonly template: {
    readonly Resources: Record<string, TemplateResource>;
    readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>;
  };
  /** Asset hash → folder of the bundled asset. */
  readonly assets: Record<string, string>;
}

/** A Lambda function of the assembly, ready to run locally. */
export interface AssemblyFunction {
  readonly stack: string;
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** `index.handler` */
  readonly handler: string;
  /** The folder holding the esbuild bundle `cdk synth` wrote. */
  readonly bundleDir: string;
  /** The function's environment as the template sets it, intrinsics resolved. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

/** Physical values of one resource: its `Ref` and its `Fn::GetAtt` attributes. */
export interface PhysicalResource {
  readonly ref: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A failure to read the assembly, naming the file or the resource. */
export class CloudAssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudAssemblyError';
  }
}

/** Property holding a resource's own name, by resource type (what CloudFormation uses as its physical id). */
const NAME_PROPERTY: Record<string, (p: Record<string, unknown>) => unknown> = {
  'AWS::S3::Bucket': (p) => p.BucketName,
  'AWS::Athena::WorkGroup': (p) => p.Name,
  'AWS::Glue::Database': (p) => (p.DatabaseInput as Record<string, unknown> | undefined)?.Name,
  'AWS::Glue::Table': (p) => (p.TableInput as Record<string, unknown> | undefined)?.Name,
  'AWS::Lambda::Function': (p) => p.FunctionName,
  'AWS::StepFunctions::StateMachine': (p) => p.StateMachineName,
  'AWS::IAM::Role': (p) => p.RoleName,
  'AWS::SNS::Topic': (p) => p.TopicName,
  'AWS::SQS::Queue': (p) => p.QueueName,
};

/** `arn:aws:<service>:<region>:<account>:<resource>` of a resource type with a name. */
function arnOf(type: string, name: string): string {
  const r = LOCAL_REGION;
  const a = LOCAL_ACCOUNT;
  switch (type) {
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${name}`;
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${r}:${a}:function:${name}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${r}:${a}:stateMachine:${name}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${a}:role/${name}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${r}:${a}:${name}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${r}:${a}:${name}`;
    case 'AWS::Events::Rule':
      return `arn:aws:events:${r}:${a}:rule/${name}`;
    case 'AWS::Logs::LogGroup':
      return `arn:aws:logs:${r}:${a}:log-group:${name}:*`;
    default: {
      const service = type.split('::')[1]?.toLowerCase() ?? 'unknown';
      return `arn:aws:${service}:${r}:${a}:${name}`;
    }
  }
}

/** The synthesized app, with intrinsics resolved against one local deployment. */
export class CloudAssembly {
  readonly stacks: Record<string, AssemblyStack>;
  private readonly physical = new Map<string, PhysicalResource>();

  private constructor(
    readonly dir: string,
    stacks: Record<string, AssemblyStack>,
  ) {
    this.stacks = stacks;
  }

  /** Loads every stack of the assembly in `dir` (a `cdk synth --output` folder). */
  static load(dir: string): CloudAssembly {
    const manifestFile = path.join(dir, 'manifest.json');
    if (!fs.existsSync(manifestFile)) throw new CloudAssemblyError(`${manifestFile}: no cloud assembly here (run npx cdk synth first)`);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
      artifacts?: Record<string, { type: string; properties?: { templateFile?: string }; displayName?: string }>;
    };
    const stacks: Record<string, AssemblyStack> = {};
    for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
      if (artifact.type !== 'aws:cloudformation:stack' || artifact.properties?.templateFile === undefined) continue;
      const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8')) as AssemblyStack['template'];
      const assets: Record<string, string> = {};
      const assetsFile = path.join(dir, `${id}.assets.json`);
      if (fs.existsSync(assetsFile)) {
        const files = (JSON.parse(fs.readFileSync(assetsFile, 'utf8')) as { files?: Record<string, { source: { path: string } }> }).files ?? {};
        for (const [hash, file] of Object.entries(files)) assets[hash] = path.join(dir, file.source.path);
      }
      stacks[id] = { name: id, template, assets };
    }
    if (Object.keys(stacks).length === 0) throw new CloudAssemblyError(`${manifestFile}: the assembly has no stack`);
    return new CloudAssembly(dir, stacks);
  }

  /** Sets the physical values of a resource created by the local deployment (e.g. the KMS key's ARN). */
  setPhysical(stack: string, logicalId: string, value: PhysicalResource): void {
    this.physical.set(`${stack}/${logicalId}`, value);
  }

  /** The stack named `name`. */
  stack(name: string): AssemblyStack {
    const stack = this.stacks[name];
    if (stack === undefined) throw new CloudAssemblyError(`no stack ${name} in ${this.dir} (stacks: ${Object.keys(this.stacks).join(', ')})`);
    return stack;
  }

  /** Every resource of `type` in every stack. */
  resourcesOfType(type: string): { stack: string; logicalId: string; resource: TemplateResource }[] {
    const out: { stack: string; logicalId: string; resource: TemplateResource }[] = [];
    for (const stack of Object.values(this.stacks)) {
      for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
        if (resource.Type === type) out.push({ stack: stack.name, logicalId, resource });
      }
    }
    return out;
  }

  /** The `Ref` value of a resource: its physical name. */
  ref(stackName: string, logicalId: string): string {
    const known = this.physical.get(`${stackName}/${logicalId}`);
    if (known !== undefined) return known.ref;
    const resource = this.stack(stackName).template.Resources[logicalId];
    if (resource === undefined) throw new CloudAssemblyError(`stack ${stackName}: Ref to unknown resource ${logicalId}`);
    const named = NAME_PROPERTY[resource.Type]?.(resource.Properties ?? {});
    const name = named === undefined ? `${stackName}-${logicalId}` : String(this.resolve(stackName, named));
    if (resource.Type === 'AWS::SQS::Queue') return `https://sqs.${LOCAL_REGION}.amazonaws.com/${LOCAL_ACCOUNT}/${name}`;
    if (resource.Type === 'AWS::SNS::Topic' || resource.Type === 'AWS::StepFunctions::StateMachine') return arnOf(resource.Type, name);
    return name;
  }

  /** A `Fn::GetAtt` value. Only ARNs and names are derived; others must be set by the deployment. */
  getAtt(stackName: string, logicalId: string, attribute: string): string {
    const known = this.physical.get(`${stackName}/${logicalId}`)?.attributes?.[attribute];
    if (known !== undefined) return known;
    const resource = this.stack(stackName).template.Resources[logicalId];
    if (resource === undefined) throw new CloudAssemblyError(`stack ${stackName}: Fn::GetAtt of unknown resource ${logicalId}`);
    const ref = this.ref(stackName, logicalId);
    if (attribute === 'Arn') {
      if (ref.startsWith('arn:')) return ref;
      if (resource.Type === 'AWS::SQS::Queue') return arnOf(resource.Type, ref.slice(ref.lastIndexOf('/') + 1));
      return arnOf(resource.Type, ref);
    }
    if (attribute === 'Name' || attribute.endsWith('Name')) return ref;
    throw new CloudAssemblyError(`stack ${stackName}: Fn::GetAtt ${logicalId}.${attribute} has no local value`);
  }

  /** The value of output `outputName` of `stackName`, resolved. */
  output(stackName: string, outputName: string): string {
    const output = this.stack(stackName).template.Outputs?.[outputName];
    if (output === undefined) throw new CloudAssemblyError(`stack ${stackName} has no output ${outputName}`);
    return String(this.resolve(stackName, output.Value));
  }

  /** Every output of `stackName`, resolved. */
  outputs(stackName: string): Record<string, string> {
    return Object.fromEntries(Object.keys(this.stack(stackName).template.Outputs ?? {}).map((name) => [name, this.output(stackName, name)]));
  }

  /** Resolves every intrinsic function inside `value` in the context of `stackName`. */
  resolve(stackName: string, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(stackName, v));
    if (value === null || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return this.intrinsic(stackName, keys[0], obj[keys[0]]);
    return Object.fromEntries(keys.map((k) => [k, this.resolve(stackName, obj[k])]));
  }

  private intrinsic(stackName: string, fn: string, arg: unknown): unknown {
    switch (fn) {
      case 'Ref': {
        const name = String(arg);
        if (name === 'AWS::Partition') return 'aws';
        if (name === 'AWS::Region') return LOCAL_REGION;
        if (name === 'AWS::AccountId') return LOCAL_ACCOUNT;
        if (name === 'AWS::URLSuffix') return 'amazonaws.com';
        if (name === 'AWS::StackName') return stackName;
        if (name === 'AWS::NoValue') return undefined;
        return this.ref(stackName, name);
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return this.getAtt(stackName, logicalId, attribute);
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return (this.resolve(stackName, parts) as unknown[]).map(String).join(sep);
      }
      case 'Fn::Split': {
        const [sep, text] = arg as [string, unknown];
        return String(this.resolve(stackName, text)).split(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (this.resolve(stackName, list) as unknown[])[Number(this.resolve(stackName, index))];
      }
      case 'Fn::Sub': {
        const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
        const resolvedVars = this.resolve(stackName, vars) as Record<string, unknown>;
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (name in resolvedVars) return String(resolvedVars[name]);
          if (name.includes('.')) {
            const [id, attribute] = name.split('.');
            return this.getAtt(stackName, id, attribute);
          }
          return String(this.intrinsic(stackName, 'Ref', name));
        });
      }
      case 'Fn::GetStackOutput': {
        const { StackName, OutputName } = arg as { StackName: unknown; OutputName: string };
        return this.output(String(this.resolve(stackName, StackName)), OutputName);
      }
      case 'Fn::ImportValue': {
        const exportName = String(this.resolve(stackName, arg));
        for (const stack of Object.values(this.stacks)) {
          for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
            if (output.Export !== undefined && this.resolve(stack.name, output.Export.Name) === exportName) return this.output(stack.name, name);
          }
        }
        throw new CloudAssemblyError(`stack ${stackName}: Fn::ImportValue ${exportName}: no stack exports it`);
      }
      default:
        throw new CloudAssemblyError(`stack ${stackName}: intrinsic ${fn} is not supported locally`);
    }
  }

  /** Every Lambda function of the assembly with its bundle and resolved environment. */
  functions(): AssemblyFunction[] {
    return this.resourcesOfType('AWS::Lambda::Function').map(({ stack, logicalId, resource }) => {
      const p = resource.Properties ?? {};
      const code = p.Code as { S3Key?: unknown; ZipFile?: unknown } | undefined;
      const key = code?.S3Key === undefined ? undefined : String(this.resolve(stack, code.S3Key));
      const hash = key?.replace(/\.zip$/, '');
      const bundleDir = hash === undefined ? undefined : this.stacks[stack].assets[hash];
      const variables = ((p.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      const environment = Object.fromEntries(Object.entries(this.resolve(stack, variables) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      return {
        stack,
        logicalId,
        name: this.ref(stack, logicalId),
        arn: this.getAtt(stack, logicalId, 'Arn'),
        handler: String(p.Handler ?? 'index.handler'),
        bundleDir: bundleDir ?? '',
        environment,
        timeoutSeconds: Number(p.Timeout ?? 3),
        memoryMb: Number(p.MemorySize ?? 128),
      };
    });
  }

  /** The function whose ARN (or name) is `arnOrName`, or undefined. */
  functionByArn(arnOrName: string): AssemblyFunction | undefined {
    const base = arnOrName.replace(/:(\$LATEST|\d+)$/, '');
    return this.functions().find((f) => f.arn === base || f.name === base);
  }

  /**
   * The state machine behind output `outputName` of `stackName` (the output holds its ARN, as
   * `StateMachineArn` does): its ARN and its definition with every intrinsic resolved.
   */
  stateMachineOfOutput(stackName: string, outputName: string): LocalStateMachineResource {
    const output = this.stack(stackName).template.Outputs?.[outputName];
    const logicalId = (output?.Value as { Ref?: string } | undefined)?.Ref;
    if (logicalId === undefined) throw new CloudAssemblyError(`stack ${stackName}: output ${outputName} does not name a state machine`);
    return this.stateMachine(stackName, logicalId);
  }

  /** A state machine of `stackName`: its ARN, name and definition with every intrinsic resolved (resolve after the local deployment). */
  stateMachine(stackName: string, logicalId: string): LocalStateMachineResource {
    const resource = this.stack(stackName).template.Resources[logicalId];
    const body = resource?.Properties?.DefinitionString;
    if (resource?.Type !== 'AWS::StepFunctions::StateMachine' || body === undefined) {
      throw new CloudAssemblyError(`stack ${stackName}: ${logicalId} is not a state machine with a DefinitionString`);
    }
    const text = String(this.resolve(stackName, body));
    const arn = this.ref(stackName, logicalId);
    return { arn, name: arn.slice(arn.lastIndexOf(':') + 1), logicalId, definition: JSON.parse(text) as Record<string, unknown> };
  }

  /** Every state machine of every stack (the run's, the janitor's, the provider framework's waiter). */
  stateMachines(): LocalStateMachineResource[] {
    return this.resourcesOfType('AWS::StepFunctions::StateMachine').map(({ stack, logicalId }) => this.stateMachine(stack, logicalId));
  }
}

/** A synthesized state machine, resolved for the local deployment. */
export interface LocalStateMachineResource {
  readonly arn: string;
  readonly name: string;
  readonly logicalId: string;
  readonly definition: Record<string, unknown>;
}
