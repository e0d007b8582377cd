/**
 * Formats an agreement report as a plain-text table for the terminal.
 */
import type { AgreementReport, Interval } from './agreement';

function fixed(value: number): string {
  return Number.isNaN(value) ? '   n/a' : value.toFixed(3).padStart(6);
}

function range(interval: Interval): string {
  return `[${fixed(interval.low).trim()}, ${fixed(interval.high).trim()}]`;
}

/**
 * One line per observation (support, predicted, precision, recall, F1), then the three headline
 * figures with their bootstrap intervals and the settings used. Counts and scores only, no text.
 */
export function formatAgreementTable(report: AgreementReport): string {
  const width = Math.max(...report.observations.map((o) => o.observation.length), 'observation'.length);
  const lines = [
    `${'observation'.padEnd(width)}  support  predicted  precision  recall      f1`,
    ...report.observations.map(
      (o) =>
        `${o.observation.padEnd(width)}  ${String(o.support).padStart(7)}  ${String(o.predicted).padStart(9)}` +
        `     ${fixed(o.precision)}  ${fixed(o.recall)}  ${fixed(o.f1)}`,
    ),
    '',
    `records: ${report.records}; present = positive or uncertain; bootstrap ${report.bootstrap.resamples} resamples, ` +
      `${Math.round(report.bootstrap.confidence * 100)}% percentile interval, seed ${report.bootstrap.seed}`,
    `micro-F1 (13, without No Finding): ${fixed(report.microF1Of13).trim()} ${range(report.intervals.microF1Of13)}`,
    `macro-F1 (14):                     ${fixed(report.macroF1).trim()} ${range(report.intervals.macroF1)}`,
    `micro-F1 (14):                     ${fixed(report.microF1Of14).trim()} ${range(report.intervals.microF1Of14)}`,
  ];
  return `${lines.join('\n')}\n`;
}
