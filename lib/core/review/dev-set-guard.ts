/**
 * Keeps dev-set reports out of anything that trains: a feedback record whose study id, or whose
 * findings text, is in dev1 or dev2 is refused (the dev sets must stay unseen by the model they
 * measure). Texts are compared by a SHA-256 of the findings lower-cased with whitespace collapsed,
 * so a copy that differs only in spacing or case is still caught. Impressions are not compared:
 * short normal impressions ("No acute cardiopulmonary process.") recur across studies.
 */
import { createHash } from 'node:crypto';

/** A record as the guard needs it. */
export interface GuardedRecord {
  readonly study_id: string;
  readonly findings: string;
}

/** Why a record is refused. */
export type DevSetConflict = `study id in ${string}` | `findings text in ${string}`;

/** The hash the guard compares: SHA-256 of the findings lower-cased, whitespace collapsed, trimmed. */
export function findingsHash(findings: string): string {
  return createHash('sha256').update(findings.toLowerCase().replace(/\s+/g, ' ').trim(), 'utf8').digest('hex');
}

/** The dev sets' study ids and findings hashes. */
export class DevSetGuard {
  private readonly studies = new Map<string, string>();
  private readonly texts = new Map<string, string>();

  /** @param sets records per dev set name (`dev1`, `dev2`). */
  constructor(sets: Readonly<Record<string, readonly GuardedRecord[]>>) {
    for (const [name, records] of Object.entries(sets)) {
      for (const r of records) {
        if (!this.studies.has(r.study_id)) this.studies.set(r.study_id, name);
        const h = findingsHash(r.findings);
        if (!this.texts.has(h)) this.texts.set(h, name);
      }
    }
  }

  /** Records held (ids), for the report. */
  get size(): number {
    return this.studies.size;
  }

  /** Why `record` must not be used for training, or undefined when it may. */
  conflict(record: GuardedRecord): DevSetConflict | undefined {
    const byId = this.studies.get(record.study_id);
    if (byId !== undefined) return `study id in ${byId}`;
    const byText = this.texts.get(findingsHash(record.findings));
    if (byText !== undefined) return `findings text in ${byText}`;
    return undefined;
  }
}
