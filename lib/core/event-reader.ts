/**
 * Reads a Lambda event from `unknown` field by field, gathering every problem before it throws one
 * {@link InvalidEventError} that names the function and each bad field (`run.names.trainingJob:
 * expected a string, got 42`). The contract modules build their `parseXEvent` functions with it, so a
 * handler never trusts the shape of what the state machine (or a person re-invoking it) sent.
 * Values are shown as JSON cut to 80 characters; events carry ids, names and URIs, never report text.
 */

/** `Error.name` of {@link InvalidEventError} (a state machine `Catch` can match it; never retried). */
export const INVALID_EVENT_ERROR_NAME = 'InvalidEventError';

/** A Lambda event that does not have the contract's shape. */
export class InvalidEventError extends Error {
  constructor(
    /** The function whose event it is, e.g. `preflight-quotas`. */
    public readonly functionName: string,
    /** One line per bad field: `<dotted field>: <problem>`. */
    public readonly problems: readonly string[],
  ) {
    super(`invalid ${functionName} event (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}`);
    this.name = INVALID_EVENT_ERROR_NAME;
  }
}

/**
 * Parses `event` with `read`, which pulls each field through the reader; throws
 * {@link InvalidEventError} listing every problem found. A reader returns a placeholder for a bad
 * field so reading goes on; the placeholder never escapes, because any problem throws.
 */
export function parseEvent<T>(functionName: string, event: unknown, read: (reader: EventReader) => T): T {
  const problems: string[] = [];
  if (!isObject(event)) throw new InvalidEventError(functionName, [`(event): expected a JSON object, got ${show(event)}`]);
  const value = read(new EventReader(event, '', problems));
  if (problems.length > 0) throw new InvalidEventError(functionName, problems);
  return value;
}

/** Typed access to the fields of one JSON object of an event. */
export class EventReader {
  constructor(
    private readonly value: Readonly<Record<string, unknown>>,
    private readonly prefix: string,
    private readonly problems: string[],
  ) {}

  /** The dotted name of `key` in the event, for messages. */
  field(key: string): string {
    return `${this.prefix}${key}`;
  }

  /** Whether the object has `key` (not undefined). */
  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  /** Records a problem with `key` (for checks beyond the type). */
  problem(key: string, problem: string): void {
    this.problems.push(`${this.field(key)}: ${problem}`);
  }

  /** A string; with `valid` (a pattern or a test), one that passes it (`expected` describes it). */
  string(key: string, valid?: RegExp | ((text: string) => boolean), expected?: string): string {
    const v = this.value[key];
    if (typeof v !== 'string') return this.bad(key, expected ?? 'a string', v, '');
    const ok = valid === undefined || (typeof valid === 'function' ? valid(v) : valid.test(v));
    return ok ? v : this.bad(key, expected ?? `a string matching ${String(valid)}`, v, '');
  }

  /** One of `allowed`. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.value[key];
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    return this.bad(key, `one of ${allowed.join(', ')}`, v, allowed[0]);
  }

  /** A string or null. */
  nullableString(key: string): string | null {
    const v = this.value[key];
    if (v === null || typeof v === 'string') return v;
    return this.bad(key, 'a string or null', v, null);
  }

  /** A finite number; `integer` and `min` narrow it. */
  number(key: string, options: { readonly integer?: boolean; readonly min?: number } = {}): number {
    const v = this.value[key];
    const ok =
      typeof v === 'number' && Number.isFinite(v) && (options.integer !== true || Number.isInteger(v)) && (options.min === undefined || v >= options.min);
    if (ok) return v;
    const kind = options.integer === true ? 'a whole number' : 'a number';
    return this.bad(key, options.min === undefined ? kind : `${kind} ≥ ${options.min}`, v, 0);
  }

  /** A boolean. */
  boolean(key: string): boolean {
    const v = this.value[key];
    if (typeof v === 'boolean') return v;
    return this.bad(key, 'true or false', v, false);
  }

  /** An object of string values. */
  stringRecord(key: string): Record<string, string> {
    const v = this.value[key];
    if (!isObject(v)) return this.bad(key, 'an object of strings', v, {});
    for (const [name, text] of Object.entries(v)) {
      if (typeof text !== 'string') this.problems.push(`${this.field(key)}.${name}: expected a string, got ${show(text)}`);
    }
    return v as Record<string, string>;
  }

  /** A nested object, read with its own reader (its problems are named `key.<field>`). */
  object<T>(key: string, read: (reader: EventReader) => T): T {
    const v = this.value[key];
    if (!isObject(v)) {
      this.problems.push(`${this.field(key)}: expected an object, got ${show(v)}`);
      return read(new EventReader({}, `${this.field(key)}.`, []));
    }
    return read(new EventReader(v, `${this.field(key)}.`, this.problems));
  }

  /** Like {@link object}, but `null` is allowed and returned as is. */
  nullableObject<T>(key: string, read: (reader: EventReader) => T): T | null {
    return this.value[key] === null ? null : this.object(key, read);
  }

  /** An array of objects, each read with its own reader (problems are named `key[i].<field>`). */
  objects<T>(key: string, read: (reader: EventReader) => T): T[] {
    const v = this.value[key];
    if (!Array.isArray(v)) return this.bad(key, 'an array', v, []);
    return v.map((item, i) => {
      const name = `${this.field(key)}[${i}]`;
      if (isObject(item)) return read(new EventReader(item, `${name}.`, this.problems));
      this.problems.push(`${name}: expected an object, got ${show(item)}`);
      return read(new EventReader({}, `${name}.`, []));
    });
  }

  /** `read(this)` when `key` is present, else `undefined` (for optional fields). */
  optional<T>(key: string, read: (reader: EventReader, key: string) => T): T | undefined {
    return this.has(key) ? read(this, key) : undefined;
  }

  private bad<T>(key: string, expected: string, got: unknown, placeholder: T): T {
    this.problems.push(`${this.field(key)}: expected ${expected}, got ${show(got)}`);
    return placeholder;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
