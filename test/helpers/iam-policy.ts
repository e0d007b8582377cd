/**
 * Reads IAM policies out of synthesized templates and evaluates requests against them offline, with
 * IAM's documented semantics for the operators the app uses
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
 * a positive operator (StringEquals, StringLike, ArnEquals, ArnLike, Bool, Numeric…) does not match a request
 * without the key unless it ends in `IfExists`; a negated one (StringNotEquals, StringNotLike,
 * ArnNotEquals, ArnNotLike) matches a request without the key, `IfExists` or not; `Null: true`
 * matches an absent key, `Null: false` a present one; ArnEquals and ArnLike both take wildcards.
 * Conditions of one statement must all match; an explicit Deny wins over any Allow; nothing
 * allowed is an implicit deny. Intrinsics are replaced by stable strings ({@link resolveValue}), so a
 * value compares equal to itself wherever the template repeats it. Resource policies (key, queue and
 * topic policies) are evaluated with a request that names its principal: a statement applies only to
 * the principals it names, `"*"` and `{"AWS": "*"}` being everyone (IAM user guide, "AWS JSON policy
 * elements: Principal"); a request without a principal is an identity-policy question and ignores it.
 */
import { matchesIamPattern } from '../../lib/core/iam-pattern';

/** A policy statement as a template holds it. */
export interface TemplateStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/**
 * A request to evaluate: the action, the resource and the request context (absent keys are left
 * out). The resource and context values may be ARNs or intrinsics as the template renders them; a
 * request without a resource (a key policy's own key) matches only `"*"`.
 */
export interface PolicyRequest {
  /** `{ Service: 'events.amazonaws.com' }` or `{ AWS: <ARN> }` for a resource policy; absent for an identity policy. */
  readonly principal?: { readonly Service?: string; readonly AWS?: unknown };
  readonly action: string;
  readonly resource?: unknown;
  readonly context?: Readonly<Record<string, unknown>>;
}

/** `allowed`, `explicit-deny` (a Deny matched) or `implicit-deny` (no Allow matched). */
export type Decision = 'allowed' | 'explicit-deny' | 'implicit-deny';

/**
 * A template value as one string: literals as they are, `Fn::Join` joined, any other intrinsic as
 * `{{<base64 of its JSON>}}` (the same intrinsic always gives the same string).
 */
export function resolveValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join !== undefined) return join[1].map(resolveValue).join(join[0]);
  return `{{${Buffer.from(JSON.stringify(value)).toString('base64url')}}}`;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Whether every condition of `statement` matches `context`. */
export function conditionsMatch(statement: TemplateStatement, requestContext: Readonly<Record<string, unknown>> = {}): boolean {
  const context = Object.fromEntries(Object.entries(requestContext).map(([key, value]) => [key, resolveValue(value)]));
  for (const [rawOperator, keys] of Object.entries(statement.Condition ?? {})) {
    const ifExists = rawOperator.endsWith('IfExists');
    const operator = ifExists ? rawOperator.slice(0, -'IfExists'.length) : rawOperator;
    for (const [key, expected] of Object.entries(keys)) {
      const values = list(expected).map(resolveValue);
      const actual = context[key];
      let match: boolean;
      if (operator === 'Null') {
        match = values[0] === 'true' ? actual === undefined : actual !== undefined;
      } else if (/^(StringNot|ArnNot)/.test(operator)) {
        const equal =
          operator.includes('Like') || operator.startsWith('Arn') ? values.some((v) => matchesIamPattern(actual ?? '', v)) : values.includes(actual ?? '');
        match = actual === undefined ? true : !equal;
      } else if (operator.startsWith('Numeric')) {
        const n = Number(actual);
        const limits = values.map(Number);
        const compare: Record<string, (a: number, b: number) => boolean> = {
          NumericEquals: (a, b) => a === b,
          NumericNotEquals: (a, b) => a !== b,
          NumericLessThan: (a, b) => a < b,
          NumericLessThanEquals: (a, b) => a <= b,
          NumericGreaterThan: (a, b) => a > b,
          NumericGreaterThanEquals: (a, b) => a >= b,
        };
        if (compare[operator] === undefined) throw new Error(`iam-policy: operator ${rawOperator} is not evaluated here`);
        match = actual === undefined ? ifExists : limits.some((limit) => compare[operator](n, limit));
      } else if (/^(String|Arn|Bool)/.test(operator)) {
        if (actual === undefined) match = ifExists;
        else if (operator === 'Bool') match = values.includes(actual.toLowerCase());
        else if (operator.includes('Like') || operator.startsWith('Arn')) match = values.some((v) => matchesIamPattern(actual, v));
        else match = values.includes(actual);
      } else {
        throw new Error(`iam-policy: operator ${rawOperator} is not evaluated here`);
      }
      if (!match) return false;
    }
  }
  return true;
}

/** Whether the statement's principal names the request's (always, for an identity-policy request). */
function principalMatches(principal: unknown, request: PolicyRequest): boolean {
  if (request.principal === undefined || principal === undefined || principal === '*') return true;
  const named = principal as { Service?: unknown; AWS?: unknown };
  const accounts = list(named.AWS).map(resolveValue);
  if (accounts.includes('*')) return true;
  if (request.principal.Service !== undefined) return list(named.Service).map(resolveValue).includes(request.principal.Service);
  return request.principal.AWS !== undefined && accounts.includes(resolveValue(request.principal.AWS));
}

/** Whether `statement` applies to `request` (principal, action, resource and conditions). */
export function statementApplies(statement: TemplateStatement, request: PolicyRequest): boolean {
  if (!principalMatches(statement.Principal, request)) return false;
  const actions = list(statement.Action).map(String);
  if (!actions.some((a) => matchesIamPattern(request.action.toLowerCase(), a.toLowerCase()))) return false;
  const resources = list(statement.Resource).map(resolveValue);
  const resource = request.resource === undefined ? undefined : resolveValue(request.resource);
  if (!resources.some((r) => r === '*' || (resource !== undefined && matchesIamPattern(resource, r)))) return false;
  return conditionsMatch(statement, request.context);
}

/** The decision of a set of statements (one principal's policies, or a resource policy) on `request`. */
export function evaluate(statements: readonly TemplateStatement[], request: PolicyRequest): Decision {
  const applying = statements.filter((s) => statementApplies(s, request));
  if (applying.some((s) => s.Effect === 'Deny')) return 'explicit-deny';
  return applying.some((s) => s.Effect === 'Allow') ? 'allowed' : 'implicit-deny';
}

/** Whether `statements` allow `request`: some Allow applies and no Deny does. */
export function allows(statements: readonly TemplateStatement[], request: PolicyRequest): boolean {
  return evaluate(statements, request) === 'allowed';
}

/** A synthesized template (the parts read here). */
export interface TemplateJson {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown>; readonly DependsOn?: string | string[] }>;
}

/** Every statement of every IAM policy (inline `AWS::IAM::Policy`) attached to role `roleLogicalId`. */
export function roleStatements(template: TemplateJson, roleLogicalId: string): TemplateStatement[] {
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => list(r.Properties?.Roles).some((ref) => (ref as { Ref?: string }).Ref === roleLogicalId))
    .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: TemplateStatement[] }).Statement);
}

/** The logical ids of the roles in `template` whose id starts with `prefix`. */
export function rolesStartingWith(template: TemplateJson, prefix: string): string[] {
  return Object.entries(template.Resources)
    .filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith(prefix))
    .map(([id]) => id);
}
