/**
 * The run's cost estimate from measured seconds: training billable seconds and each endpoint's
 * InService-to-deleted seconds, times the configured `hourlyPrices` (USD per instance-hour).
 * It cannot see anything else: S3, Lambda, Step Functions, data transfer, taxes or discounts
 * (savings plans, spot savings beyond billable seconds) are not included.
 */

/** One measured usage. */
export interface UsageInput {
  /** What it was, e.g. `training` or `endpoint pretrained`. */
  readonly item: string;
  readonly instanceType: string;
  /** Instances (training jobs may use several). @default 1 */
  readonly instanceCount?: number;
  readonly seconds: number;
}

/** One priced line. */
export interface CostLine {
  readonly item: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly seconds: number;
  readonly usdPerHour: number | null;
  /** null when no price is configured for the instance type. */
  readonly usd: number | null;
}

/** The estimate. */
export interface CostEstimate {
  readonly currency: 'USD';
  readonly lines: readonly CostLine[];
  /** Sum of the priced lines. */
  readonly totalUsd: number;
  /** Instance types used without a configured price (their lines are not in the total). */
  readonly unpricedInstanceTypes: readonly string[];
  readonly note: string;
}

/** Seconds between two ISO-8601 times (≥ 0). @throws Error naming the bad time. */
export function secondsBetween(startIso: string, endIso: string): number {
  const start = Date.parse(startIso);
  const end = Date.parse(endIso);
  if (Number.isNaN(start)) throw new Error(`not an ISO-8601 time: ${JSON.stringify(startIso)}`);
  if (Number.isNaN(end)) throw new Error(`not an ISO-8601 time: ${JSON.stringify(endIso)}`);
  return Math.max(0, (end - start) / 1000);
}

/** Prices each usage; unknown instance types are listed, not guessed. */
export function estimateCost(usages: readonly UsageInput[], hourlyPrices: Readonly<Record<string, number>>): CostEstimate {
  const lines: CostLine[] = usages.map((u) => {
    if (!(u.seconds >= 0)) throw new Error(`${u.item}: seconds must be ≥ 0, got ${u.seconds}`);
    const count = u.instanceCount ?? 1;
    const price = hourlyPrices[u.instanceType];
    return {
      item: u.item,
      instanceType: u.instanceType,
      instanceCount: count,
      seconds: u.seconds,
      usdPerHour: price ?? null,
      usd: price === undefined ? null : (u.seconds / 3600) * price * count,
    };
  });
  return {
    currency: 'USD',
    lines,
    totalUsd: lines.reduce((sum, l) => sum + (l.usd ?? 0), 0),
    unpricedInstanceTypes: [...new Set(lines.filter((l) => l.usd === null).map((l) => l.instanceType))].sort(),
    note: 'SageMaker instance time only (training billable seconds, endpoint InService to deleted), at the configured hourly prices',
  };
}
