/**
 * A small evaluator of the IAM, KMS key, SQS queue and SNS topic policies in a synthesized
 * template, for the questions the safety nets depend on ("may EventBridge encrypt for the
 * dead-letter queue?", "may CloudWatch publish this alarm to the topic?"). It implements the parts
 * of policy evaluation those policies use: an explicit Deny wins, else an Allow whose principal,
 * action, resource and every condition match the request. A condition on a key the request does
 * not carry does not match (as in IAM), which is how a condition AWS does not send makes a
 * statement useless. CloudFormation intrinsics are compared as JSON.
 */

/** A statement as a template renders it. */
export interface TemplateStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A request to evaluate. */
export interface PolicyRequest {
  /** `{ Service: 'events.amazonaws.com' }`, or `{ AWS: <role ARN> }` for an identity policy (ignored there). */
  readonly principal?: { readonly Service?: string; readonly AWS?: unknown };
  readonly action: string;
  /** The resource as the template renders it (a string or an intrinsic); `undefined` matches only `*`. */
  readonly resource?: unknown;
  /** Condition keys the request carries (`aws:SourceArn`, `aws:SecureTransport`, …), values as the template renders them. */
  readonly context?: Readonly<Record<string, unknown>>;
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const flags = caseInsensitive ? 'i' : '';
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    flags,
  ).test(value);
}

function principalMatches(principal: unknown, request: PolicyRequest): boolean {
  if (principal === undefined) return true; // an identity policy
  if (principal === '*') return true;
  const p = principal as { Service?: string | string[]; AWS?: unknown };
  // {"AWS": "*"} is everyone, as "*" is (IAM user guide, "AWS JSON policy elements: Principal").
  if (list(p.AWS as unknown[]).includes('*')) return true;
  if (request.principal?.Service !== undefined) return list(p.Service).includes(request.principal.Service);
  if (request.principal?.AWS !== undefined) return list(p.AWS as unknown[]).some((a) => a === '*' || same(a, request.principal!.AWS));
  return false;
}

function resourceMatches(resource: unknown, request: PolicyRequest): boolean {
  return list(resource as unknown[]).some(
    (r) =>
      r === '*' ||
      (request.resource !== undefined &&
        (same(r, request.resource) || (typeof r === 'string' && typeof request.resource === 'string' && wildcard(r, request.resource)))),
  );
}

function conditionMatches(condition: TemplateStatement['Condition'], request: PolicyRequest): boolean {
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const actual = request.context?.[key];
      if (actual === undefined) return false;
      const values = list(expected as unknown[]);
      const ok =
        operator === 'StringEquals' || operator === 'ArnEquals' || operator === 'Bool'
          ? values.some((v) => same(v, actual) || (typeof v !== 'object' && typeof actual !== 'object' && String(v) === String(actual)))
          : operator === 'StringLike' || operator === 'ArnLike'
            ? values.some((v) => (typeof v === 'string' && typeof actual === 'string' ? wildcard(v, actual) : same(v, actual)))
            : false;
      if (!ok) return false;
    }
  }
  return true;
}

function statementMatches(s: TemplateStatement, request: PolicyRequest): boolean {
  return (
    principalMatches(s.Principal, request) &&
    list(s.Action).some((a) => wildcard(a, request.action, true)) &&
    resourceMatches(s.Resource, request) &&
    conditionMatches(s.Condition, request)
  );
}

/** Whether `statements` allow `request`: some Allow matches and no Deny does. */
export function allows(statements: readonly TemplateStatement[], request: PolicyRequest): boolean {
  if (statements.some((s) => s.Effect === 'Deny' && statementMatches(s, request))) return false;
  return statements.some((s) => s.Effect === 'Allow' && statementMatches(s, request));
}
