/**
 * The prompt template a training channel was prepared with, recorded beside the channel so a run
 * cannot train on one prompt and evaluate with another: `impressions upload` stores it as S3 user
 * metadata of each channel object, `impressions run` compares it with the template the deployment
 * evaluates with.
 *
 * Object metadata rather than a file next to `train.jsonl`: the training job reads every object
 * under the channel prefix (`train_data/`) as training data. S3 returns metadata keys in lower case
 * and only printable US-ASCII values, and limits user metadata to 2 KB
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html), so the template
 * itself is stored URI-encoded, and only when it fits; its SHA-256 always is, and is what is compared.
 */
import { createHash } from 'node:crypto';

/** User metadata keys (lower case, as S3 returns them) of a channel object. */
export const CHANNEL_METADATA = {
  /** Hex SHA-256 of the template's UTF-8 bytes. */
  templateSha256: 'prompt-template-sha256',
  /** The template, URI-encoded (absent when too long for S3's 2 KB of user metadata). */
  template: 'prompt-template',
  /** `radiology-impressions <version>`: the tool that prepared and uploaded the object. */
  preparedBy: 'prepared-by',
} as const;

/** Longest encoded template stored in the metadata (S3 allows 2 KB of user metadata in all). */
const MAX_ENCODED_TEMPLATE = 1500;

/** Hex SHA-256 of a template's UTF-8 bytes. */
export function templateSha256(template: string): string {
  return createHash('sha256').update(template, 'utf8').digest('hex');
}

/** The metadata recording `template` on a channel object. */
export function channelMetadata(template: string, toolVersion: string): Record<string, string> {
  const encoded = encodeURIComponent(template);
  return {
    [CHANNEL_METADATA.templateSha256]: templateSha256(template),
    ...(encoded.length <= MAX_ENCODED_TEMPLATE ? { [CHANNEL_METADATA.template]: encoded } : {}),
    [CHANNEL_METADATA.preparedBy]: `radiology-impressions ${toolVersion}`,
  };
}

/** The template recorded on a channel object, as far as its metadata tells. */
export interface RecordedTemplate {
  readonly sha256?: string;
  readonly template?: string;
}

/** Reads the template record from an object's metadata (keys compared case-insensitively). */
export function recordedTemplate(metadata: Readonly<Record<string, string>> | undefined): RecordedTemplate {
  const lower = new Map(Object.entries(metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const sha256 = lower.get(CHANNEL_METADATA.templateSha256);
  const encoded = lower.get(CHANNEL_METADATA.template);
  let template: string | undefined;
  try {
    template = encoded === undefined ? undefined : decodeURIComponent(encoded);
  } catch {
    template = undefined;
  }
  return { sha256: sha256 !== undefined && /^[0-9a-f]{64}$/.test(sha256) ? sha256 : undefined, template };
}

/** The outcome of comparing a channel object's template with the expected one. */
export type TemplateComparison =
  { readonly status: 'same' } | { readonly status: 'unrecorded' } | { readonly status: 'different'; readonly recorded: RecordedTemplate };

/** Compares the template recorded on a channel object with the expected template's SHA-256. */
export function compareTemplate(recorded: RecordedTemplate, expectedSha256: string): TemplateComparison {
  if (recorded.sha256 === undefined) return { status: 'unrecorded' };
  return recorded.sha256 === expectedSha256 ? { status: 'same' } : { status: 'different', recorded };
}
