/**
 * Reads whole entries of a zip by name through the path prepare takes (locate, read the stored
 * bytes in file order, decode), for tests that check contents rather than the steps.
 */
import { ReportZip } from '../../lib/cli/mimic-zip/report-zip';

/** The decoded contents of each of `names` found in the open `zip` (missing names are left out). */
export function readEntries(zip: ReportZip, names: readonly string[]): Map<string, Buffer> {
  const located = zip.locateEntries(names);
  const compressed = zip.readLocated(located);
  const out = new Map<string, Buffer>();
  names.forEach((name, i) => {
    const entry = located.entry(i);
    // decode() may return a view into a reused buffer: copy it.
    if (entry !== undefined) out.set(name, Buffer.from(zip.decode(entry, compressed.bytes(i))));
  });
  return out;
}
