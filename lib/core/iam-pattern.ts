/**
 * IAM's wildcard matching for resource ARNs and string conditions (`StringLike`, `ArnLike`): `*`
 * matches any run of characters, `/` and `:` included, `?` exactly one; everything else matches
 * itself, case-sensitively. Used to check, offline, that a key the app will touch lies inside the
 * pattern a role is granted.
 */

/** Whether `value` matches the IAM pattern `pattern`. */
export function matchesIamPattern(value: string, pattern: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}

/** Whether `value` matches at least one of `patterns`. */
export function matchesAnyIamPattern(value: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => matchesIamPattern(value, pattern));
}
