/**
 * When a data set × model's figures can be trusted: the share of its rows that are errors (reports
 * that could not be generated or scored) must not exceed {@link MAX_TRUSTED_ERROR_RATE}
 * (lib/core/evaluation/trust.ts, the one definition of the threshold, which the run summary and
 * `status` also apply). Errors are
 * left out of every mean, so a high share means the figures describe a different, possibly easier,
 * set of reports than the one named. The report (terminal and HTML) and the dashboard mark a
 * verdict built on such figures as not trustworthy.
 */
import { MAX_TRUSTED_ERROR_RATE } from '../evaluation/trust';

export { MAX_TRUSTED_ERROR_RATE };

/** errors ÷ rows; null when there are no rows. */
export function errorShare(errors: number, rows: number): number | null {
  return rows > 0 ? errors / rows : null;
}

/** True when `rows` > 0 and the error share is at most `maxShare`. */
export function isTrusted(errors: number, rows: number, maxShare = MAX_TRUSTED_ERROR_RATE): boolean {
  const share = errorShare(errors, rows);
  return share !== null && share <= maxShare;
}
