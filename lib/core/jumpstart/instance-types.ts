/**
 * Facts about SageMaker instance types that change which request fields are allowed. Derived from
 * the family name only (`ml.<family>.<size>`); a new family that breaks the naming habits below
 * (a `d` for local NVMe disks, or NVMe-only families g5, g6, p5, trn1) will be misjudged.
 */

/** The family of `ml.<family>.<size>` (`p3`, `g5`, `p4de`), or the input itself when it has another shape. */
export function instanceFamily(instanceType: string): string {
  const parts = instanceType.split('.');
  return parts.length === 3 && parts[0] === 'ml' ? parts[1] : instanceType;
}

/** Families with local NVMe storage whose names carry no `d`. */
const NVME_FAMILY_PREFIXES = ['g5', 'g6', 'p5', 'trn1'];

/**
 * Whether the instance type honours `VolumeSizeInGB` (the SageMaker Python SDK's rule): false for
 * families containing `d` (g4dn, p3dn, p4d, p4de) and for g5, g6 (incl. g6e), p5 and trn1, whose
 * storage is local NVMe.
 */
export function volumeSizeSupported(instanceType: string): boolean {
  const family = instanceFamily(instanceType);
  return !family.includes('d') && !NVME_FAMILY_PREFIXES.some((p) => family.startsWith(p));
}

/**
 * Whether `VolumeKmsKeyId` (training) or an endpoint config `KmsKeyId` may be set: SageMaker
 * rejects them on instance types with local NVMe storage (encrypted by the hardware instead).
 * Same families as {@link volumeSizeSupported}; trn1 is included because it has NVMe storage too.
 */
export function volumeKmsSupported(instanceType: string): boolean {
  return volumeSizeSupported(instanceType);
}
