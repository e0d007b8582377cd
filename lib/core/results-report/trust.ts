/**
 * When a data set × model's figures can be trusted: the share of its rows that are errors (reports
 * that could not be generated or scored) must not exceed {@link MAX_TRUSTED_ERROR_SHARE}. Errors are
 * left out of every mean, so a high share means the figures describe a different, possibly easier,
 * set of reports than the one named. The report (terminal and HTML) and the dashboard mark a
 * verdict built on such figures as not trustworthy.
 */

/**
 * The largest share of error rows (errors ÷ rows, baselines and models alike) at which a data set ×
 * model's figures are still trusted: 1 %. This is the one definition of the threshold; `report
 * --max-error-rate` overrides it for one report.
 */
export const MAX_TRUSTED_ERROR_SHARE = 0.01;

/** errors ÷ rows; null when there are no rows. */
export function errorShare(errors: number, rows: number): number | null {
  return rows > 0 ? errors / rows : null;
}

/** True when `rows` > 0 and the error share is at most `maxShare`. */
export function isTrusted(errors: number, rows: number, maxShare = MAX_TRUSTED_ERROR_SHARE): boolean {
  const share = errorShare(errors, rows);
  return share !== null && share <= maxShare;
}
