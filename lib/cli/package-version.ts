/** The version of this package (package.json), for `impressions --version` and the provenance of written files. */
export function packageVersion(): string {
  // Read at run time rather than imported, so no bundle carries package.json.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}
