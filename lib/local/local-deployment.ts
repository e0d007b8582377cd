/**
 * "Deploys" a synthesized app to the local services: creates, with the real SDK clients,
 * the resources the run's code and the CLI read at run time, each from its own template properties
 * (intrinsics resolved by {@link CloudAssembly}):
 * - KMS keys; S3 buckets with their default encryption (SSE-KMS with the data key) and versioning;
 * - Glue databases and tables (the analytics tables `publish-results` registers partitions in);
 * - Athena workgroups (in the local Athena, lib/local/athena.ts, which the endpoint router serves);
 * - SNS topics (the alarm topic the janitor workflow publishes to), with their KMS key attribute;
 * - one CloudFormation stack per synthesized stack, holding that stack's outputs with their local
 *   values, so the CLI finds the bucket and the state machine exactly as it does in AWS
 *   (`DescribeStacks`). The stacks' other resources (roles, Lambdas, alarms, …) are not created in
 *   moto: the rehearsal runs the Lambdas itself and IAM is not enforced locally.
 * And the region's public JumpStart bucket, seeded with the recorded manifest and spec the run
 * resolves, plus a placeholder object under each artifact key the spec names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AthenaClient, CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutBucketEncryptionCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { LOCAL_REGION, type CloudAssembly } from './cloud-assembly';

/** SDK client settings for the local endpoint. */
export interface LocalClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** What was created, for the rehearsal's summary. */
export interface LocalDeployment {
  readonly created: readonly string[];
}

/** The recorded JumpStart documents the rehearsal resolves (test/fixtures/jumpstart). */
export interface JumpStartSeed {
  /** Folder with `models_manifest.sample.json` and the spec files. */
  readonly fixturesDir: string;
  /** Model id and version whose spec is recorded (e.g. huggingface-text2text-flan-t5-base 2.2.3). */
  readonly modelId: string;
  readonly version: string;
  /** Spec file in `fixturesDir`. */
  readonly specFile: string;
}

/** Creates every deployable resource of `assembly` in moto; returns what was created. */
export async function deployLocally(assembly: CloudAssembly, s3: S3Client, config: LocalClientConfig, jumpStart: JumpStartSeed): Promise<LocalDeployment> {
  const created: string[] = [];
  const kms = new KMSClient(config);
  const glue = new GlueClient(config);
  const athena = new AthenaClient(config);
  const cloudFormation = new CloudFormationClient(config);
  const sns = new SNSClient(config);

  for (const { stack, logicalId, resource } of assembly.resourcesOfType('AWS::KMS::Key')) {
    const key = await kms.send(new CreateKeyCommand({ Description: String(resource.Properties?.Description ?? `${stack}/${logicalId}`) }));
    assembly.setPhysical(stack, logicalId, { ref: key.KeyMetadata!.KeyId!, attributes: { Arn: key.KeyMetadata!.Arn!, KeyId: key.KeyMetadata!.KeyId! } });
    created.push(`kms key ${key.KeyMetadata!.KeyId!} (${stack}/${logicalId})`);
  }
  for (const { stack, logicalId, resource } of assembly.resourcesOfType('AWS::S3::Bucket')) {
    const bucket = assembly.ref(stack, logicalId);
    const p = (assembly.resolve(stack, resource.Properties ?? {}) ?? {}) as Record<string, unknown>;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const encryption = (
      p.BucketEncryption as { ServerSideEncryptionConfiguration?: { ServerSideEncryptionByDefault?: unknown; BucketKeyEnabled?: boolean }[] } | undefined
    )?.ServerSideEncryptionConfiguration;
    if (encryption !== undefined) {
      // CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
      const Rules = encryption.map((r) => ({
        ApplyServerSideEncryptionByDefault: r.ServerSideEncryptionByDefault as never,
        BucketKeyEnabled: r.BucketKeyEnabled,
      }));
      await s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules } }));
    }
    if ((p.VersioningConfiguration as { Status?: string } | undefined)?.Status === 'Enabled') {
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    }
    created.push(`s3 bucket ${bucket}${encryption !== undefined ? ' (default encryption as templated)' : ''}`);
  }
  for (const { stack, resource } of assembly.resourcesOfType('AWS::Glue::Database')) {
    const p = assembly.resolve(stack, resource.Properties ?? {}) as { DatabaseInput: { Name: string } };
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: p.DatabaseInput as never }));
    created.push(`glue database ${p.DatabaseInput.Name}`);
  }
  for (const { stack, resource } of assembly.resourcesOfType('AWS::Glue::Table')) {
    const p = assembly.resolve(stack, resource.Properties ?? {}) as { DatabaseName: string; TableInput: { Name: string } };
    await glue.send(new CreateTableCommand({ DatabaseName: p.DatabaseName, TableInput: p.TableInput as never }));
    created.push(`glue table ${p.DatabaseName}.${p.TableInput.Name}`);
  }
  for (const { stack, logicalId, resource } of assembly.resourcesOfType('AWS::Athena::WorkGroup')) {
    const p = assembly.resolve(stack, resource.Properties ?? {}) as { Name: string; WorkGroupConfiguration?: unknown };
    await athena.send(new CreateWorkGroupCommand({ Name: p.Name, Configuration: p.WorkGroupConfiguration as never }));
    created.push(`athena workgroup ${p.Name} (${stack}/${logicalId})`);
  }
  for (const { stack, logicalId, resource } of assembly.resourcesOfType('AWS::SNS::Topic')) {
    const arn = assembly.ref(stack, logicalId);
    const p = (assembly.resolve(stack, resource.Properties ?? {}) ?? {}) as { DisplayName?: string; KmsMasterKeyId?: string };
    const Attributes: Record<string, string> = {};
    if (p.DisplayName !== undefined) Attributes.DisplayName = p.DisplayName;
    if (p.KmsMasterKeyId !== undefined) Attributes.KmsMasterKeyId = p.KmsMasterKeyId;
    const topic = await sns.send(new CreateTopicCommand({ Name: arn.slice(arn.lastIndexOf(':') + 1), Attributes }));
    assembly.setPhysical(stack, logicalId, { ref: topic.TopicArn!, attributes: { TopicArn: topic.TopicArn!, TopicName: arn.slice(arn.lastIndexOf(':') + 1) } });
    created.push(`sns topic ${topic.TopicArn!}${p.KmsMasterKeyId !== undefined ? ' (KMS key as templated)' : ''}`);
  }
  await seedJumpStart(s3, jumpStart);
  created.push(`s3 bucket jumpstart-cache-prod-${LOCAL_REGION} (recorded ${jumpStart.modelId} ${jumpStart.version} spec)`);
  for (const name of Object.keys(assembly.stacks)) {
    const outputs = assembly.outputs(name);
    const template = {
      Resources: { LocalDeployment: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
      Outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { Value: v }])),
    };
    await cloudFormation.send(new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template) }));
    created.push(`cloudformation stack ${name} (${Object.keys(outputs).length} outputs)`);
  }
  return { created };
}

/** Puts the recorded manifest, the spec at its `spec_key` and a placeholder under each artifact key. */
async function seedJumpStart(s3: S3Client, seed: JumpStartSeed): Promise<void> {
  const bucket = `jumpstart-cache-prod-${LOCAL_REGION}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const manifestText = fs.readFileSync(path.join(seed.fixturesDir, 'models_manifest.sample.json'), 'utf8');
  const entry = (JSON.parse(manifestText) as { model_id: string; version: string; spec_key: string }[]).find(
    (e) => e.model_id === seed.modelId && e.version === seed.version,
  );
  if (entry === undefined) throw new Error(`${seed.fixturesDir}/models_manifest.sample.json has no entry for ${seed.modelId} ${seed.version}`);
  const specText = fs.readFileSync(path.join(seed.fixturesDir, seed.specFile), 'utf8');
  const spec = JSON.parse(specText) as Record<string, unknown>;
  const put = (key: string, body: string): Promise<unknown> => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  await put('models_manifest.json', manifestText);
  await put(entry.spec_key, specText);
  const artifactKeys = [
    'training_artifact_key',
    'training_prepacked_script_key',
    'training_script_key',
    'hosting_artifact_key',
    'hosting_prepacked_artifact_key',
    'hosting_script_key',
  ];
  for (const field of artifactKeys) {
    const key = spec[field];
    if (typeof key !== 'string' || key === '') continue;
    await put(key.endsWith('/') ? `${key}rehearsal-placeholder.json` : key, JSON.stringify({ placeholder: `${seed.modelId} ${seed.version} ${field}` }));
  }
}
