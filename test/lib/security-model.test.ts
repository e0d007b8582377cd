/**
 * The README's "Security model" table is the synthesized templates' own account of who may read,
 * write and delete what (test/helpers/security-model.ts). It fails when the two differ; run
 * `npm run security-table` to rewrite the README's copy after a deliberate change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stackNames } from '../../lib/core/deployment';
import { securityTable, TABLE_END, TABLE_START } from '../helpers/security-model';
import { synthesizeApp } from '../helpers/synthesized-app';

const README = path.join(__dirname, '..', '..', 'README.md');
// QuickSight on, with a placeholder principal, so the table shows every principal the app can have.
const { templates, paths } = synthesizeApp({ 'impressions:quicksightPrincipalArns': ['arn:aws:quicksight:us-east-1:123456789012:user/default/clinician'] });
const generated = securityTable(templates, stackNames('impressions'), paths);

test('the README security model table is the one the templates give', () => {
  const text = fs.readFileSync(README, 'utf8');
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  expect({ start: start >= 0, end: end > start }).toEqual({ start: true, end: true });
  const current = text.slice(start + TABLE_START.length, end).trim();
  if (process.env.UPDATE_SECURITY_TABLE === '1' && current !== generated) {
    fs.writeFileSync(README, `${text.slice(0, start + TABLE_START.length)}\n${generated}\n${text.slice(end)}`);
    return;
  }
  expect(current).toBe(generated);
});

test('the table names every role of the app, the key policy services and the QuickSight viewers, and says no role deletes data', () => {
  const roles = Object.values(templates).flatMap((t) => Object.values(t.Resources).filter((r) => r.Type === 'AWS::IAM::Role'));
  const rows = generated.split('\n').slice(2);
  expect(rows.filter((r) => !r.includes('(key policy)') && !r.startsWith('| QuickSight users'))).toHaveLength(roles.length);
  expect(rows.some((r) => r.includes('logs.<region>.amazonaws.com (key policy)'))).toBe(true);
  expect(rows.some((r) => r.includes('cloudwatch.amazonaws.com (key policy)'))).toBe(true);
  expect(rows.some((r) => r.startsWith('| QuickSight users'))).toBe(true);
  expect(generated).not.toMatch(/s3:Delete/);
});
