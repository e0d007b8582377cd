/**
 * Number formatting shared by the terminal report, the HTML page and the dashboard titles, so a
 * figure reads the same in all of them.
 */

/** A figure with 4 decimals, `-` when missing. */
export function fmt(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/** A signed figure with a true minus sign (U+2212) and an explicit `+`, e.g. `+0.1234`, `−0.0500`. */
export function signed(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return text;
  return value < 0 ? `\u2212${text}` : `+${text}`;
}

/** `[low, high]` with 4 decimals and true minus signs. */
export function interval(low: number | null | undefined, high: number | null | undefined, digits = 4): string {
  const one = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits).replace('-', '\u2212'));
  return `[${one(low)}, ${one(high)}]`;
}

/** An integer with thousands separators (`2,000`). */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** A share as a percentage with one decimal (`1.5 %`), `-` when missing. */
export function percent(share: number | null | undefined): string {
  return share === null || share === undefined || !Number.isFinite(share) ? '-' : `${(share * 100).toFixed(1)} %`;
}

/** Seconds as hours with two decimals (`10.69 h`). */
export function hours(seconds: number): string {
  return `${(seconds / 3600).toFixed(2)} h`;
}
