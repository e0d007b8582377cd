/**
 * Parses JumpStart JSON documents while remembering which numbers were written as floats.
 *
 * The SageMaker Python SDK turns spec defaults into strings with Python's `str()`, so a default
 * written `0.0` becomes `"0.0"` and `1e-08` stays `"1e-08"`, where JavaScript's `String()` gives
 * `"0"` and `"1e-8"`. `JSON.parse` forgets how a number was written (Node 20 has no reviver source
 * access), so a scan marks float literals before parsing and {@link pythonString} formats them as
 * Python would. Integers need no help: Python and JavaScript print them alike.
 */

/** A parsed document plus the float literals found in it, keyed by the object holding them. */
export interface ParsedSpecJson {
  readonly value: unknown;
  /** `floats.get(obj)?.has(key)`: `obj[key]` was written as a float literal (`1.0`, `1e-08`). */
  readonly floats: WeakMap<object, Set<string>>;
}

const MARK = '\u0000float:';
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * Parses JSON text, recording float literals.
 * @throws SyntaxError as `JSON.parse` does (the scan itself never rejects text).
 */
export function parseSpecJson(text: string): ParsedSpecJson {
  let out = '';
  let i = 0;
  let last = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i += 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m === null) {
        i += 1;
        continue;
      }
      if (m[1] !== undefined || m[2] !== undefined) {
        out += text.slice(last, i) + JSON.stringify(MARK + m[0]);
        last = i + m[0].length;
      }
      i += m[0].length;
    } else {
      i += 1;
    }
  }
  out += text.slice(last);
  const floats = new WeakMap<object, Set<string>>();
  const restore = (node: unknown): unknown => {
    if (Array.isArray(node) || (node !== null && typeof node === 'object')) {
      const obj = node as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const v = obj[key];
        if (typeof v === 'string' && v.startsWith(MARK)) {
          obj[key] = Number(v.slice(MARK.length));
          let set = floats.get(obj);
          if (set === undefined) floats.set(obj, (set = new Set()));
          set.add(key);
        } else {
          restore(v);
        }
      }
    }
    return node;
  };
  const parsed: unknown = JSON.parse(out);
  if (typeof parsed === 'string' && parsed.startsWith(MARK)) return { value: Number(parsed.slice(MARK.length)), floats };
  return { value: restore(parsed), floats };
}

/** Python's `repr()` of a float (which `str()` matches): `0.0`, `1.0`, `0.0001`, `1e-08`, `1e+16`. */
export function pythonFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    // JavaScript prints this range in fixed notation with the same shortest digits as Python.
    const fixed = n.toString();
    return fixed.includes('.') ? fixed : `${fixed}.0`;
  }
  const sign = exp < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * The string the SDK would send for a spec value: strings as written, booleans as `True`/`False`,
 * floats (per `floats`) Python-style, other numbers as JavaScript prints integers.
 * Returns `undefined` for null, objects and arrays, which have no agreed string form.
 */
export function pythonString(value: unknown, isFloatLiteral: boolean): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return isFloatLiteral ? pythonFloatRepr(value) : String(value);
  return undefined;
}
