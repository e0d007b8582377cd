/**
 * Environment settings of the Lambdas (S3 text I/O is in lib/aws/s3-text.ts, shared with the CLI).
 */
import { CLEANUP_ENV } from '../../lib/core/run/run-lambda-contracts';

/** Reads a required environment variable. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** Reads a whole-number environment variable within bounds, or its default. */
export function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`environment variable ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/** The app's resource prefix of a clean-up function (janitor, orphan check, sweep); throws when it is unset or empty. */
export function resourcePrefixFromEnv(): string {
  return requiredEnv(CLEANUP_ENV.resourcePrefix);
}
