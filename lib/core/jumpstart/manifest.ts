/**
 * JumpStart's `models_manifest.json`: parsing and version selection.
 *
 * Selection follows the SageMaker Python SDK: only entries whose `min_version` is at most the SDK
 * version this resolver stands in for are candidates; `*` takes the highest version, `N.*` the
 * highest `N.x.y`, anything else must match exactly. Versions compare numerically
 * (`2.2.15` > `2.2.9`). Pre-release or build suffixes are not supported: JumpStart uses plain
 * `major.minor.patch`, and an entry with any other version is ignored.
 */
import { ModelResolutionError } from './errors';

/**
 * The SDK release whose spec handling this resolver reproduces (variants-only image lookup, no
 * `*_ecr_specs` fallback). Manifest entries needing a newer SDK are not offered.
 */
export const RESOLVER_SDK_VERSION = '2.257.6';

/** One manifest entry (other fields of the real manifest are tolerated and ignored). */
export interface ManifestEntry {
  readonly model_id: string;
  readonly version: string;
  readonly min_version: string;
  readonly spec_key: string;
}

/** A version as three integers. */
export type Semver = readonly [number, number, number];

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

/** Parses `major.minor.patch`; `undefined` for anything else. */
export function parseSemver(text: string): Semver | undefined {
  const m = SEMVER.exec(text);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Negative, zero or positive as `a` is lower than, equal to or higher than `b`. */
export function compareSemver(a: Semver, b: Semver): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * The one rule for a model version request, wherever one is given (config `modelVersion`, the run
 * input's `modelVersion`, resolution): exact `2.2.3`, `N.*` (the highest `N.x.y`) or `*` (the highest).
 */
export const VERSION_REQUEST = /^(\*|\d+\.\*|\d+\.\d+\.\d+)$/;

/** What {@link VERSION_REQUEST} allows, for error messages. */
export const VERSION_REQUEST_EXPECTED = 'an exact version such as 2.2.3, a major wildcard such as 2.*, or * (the newest)';

/** Whether `requested` is a version request this module understands (`*`, `N.*`, `N.N.N`). */
export function isVersionRequest(requested: string): boolean {
  return VERSION_REQUEST.test(requested);
}

/**
 * Reads the manifest's JSON value, keeping entries with the four string fields the SDK needs.
 * @throws Error when the document is not a list.
 */
export function parseManifest(value: unknown): ManifestEntry[] {
  if (!Array.isArray(value)) throw new Error('models_manifest.json is not a JSON list');
  return value.filter(
    (e): e is ManifestEntry =>
      e !== null &&
      typeof e === 'object' &&
      typeof (e as ManifestEntry).model_id === 'string' &&
      typeof (e as ManifestEntry).version === 'string' &&
      typeof (e as ManifestEntry).min_version === 'string' &&
      typeof (e as ManifestEntry).spec_key === 'string',
  );
}

/**
 * Picks the manifest entry for a model and a version request.
 * @throws ModelResolutionError (field `version` or `model_id`) when nothing matches; the message
 *   lists the versions that were available, so the operator can pick one.
 */
export function selectManifestEntry(
  entries: readonly ManifestEntry[],
  modelId: string,
  requested: string,
  region: string,
  sdkVersion: string = RESOLVER_SDK_VERSION,
): ManifestEntry {
  if (!isVersionRequest(requested)) {
    throw new ModelResolutionError(modelId, requested, region, 'version', `expected ${VERSION_REQUEST_EXPECTED}`);
  }
  const sdk = parseSemver(sdkVersion);
  if (sdk === undefined) throw new Error(`invalid SDK version ${sdkVersion}`);
  const ofModel = entries.filter((e) => e.model_id === modelId);
  if (ofModel.length === 0) {
    throw new ModelResolutionError(modelId, requested, region, 'model_id', 'no such model in models_manifest.json');
  }
  const candidates = ofModel
    .map((entry) => ({ entry, version: parseSemver(entry.version), min: parseSemver(entry.min_version) }))
    .filter(
      (c): c is { entry: ManifestEntry; version: Semver; min: Semver } => c.version !== undefined && c.min !== undefined && compareSemver(c.min, sdk) <= 0,
    );
  const major = requested.endsWith('.*') ? Number(requested.slice(0, -2)) : undefined;
  const matching = candidates.filter((c) => (requested === '*' ? true : major !== undefined ? c.version[0] === major : c.entry.version === requested));
  if (matching.length === 0) {
    const available = candidates.map((c) => c.entry.version).sort((a, b) => compareSemver(parseSemver(a)!, parseSemver(b)!));
    throw new ModelResolutionError(
      modelId,
      requested,
      region,
      'version',
      `no manifest entry matches (available: ${available.length > 0 ? available.join(', ') : 'none'}` +
        `${candidates.length < ofModel.length ? `; entries needing SDK > ${sdkVersion} ignored` : ''})`,
    );
  }
  return matching.reduce((best, c) => (compareSemver(c.version, best.version) > 0 ? c : best)).entry;
}
