// How doctor prints its verdicts: a table for people (fix lines under what failed), JSON for machines.
import { renderTable } from '../text/table.js';
import type { Check, CheckStatus } from './check.js';

const LABEL: Record<CheckStatus, string> = { pass: 'pass', fail: 'FAIL', unknown: 'unknown' };

export function summarize(checks: readonly Check[]): Record<CheckStatus, number> {
  const out: Record<CheckStatus, number> = { pass: 0, fail: 0, unknown: 0 };
  for (const c of checks) out[c.status] += 1;
  return out;
}

export function formatChecksTable(checks: readonly Check[]): string[] {
  const rows: string[][] = [];
  for (const c of checks) {
    rows.push([LABEL[c.status], c.id, c.evidence]);
    if (c.status !== 'pass' && c.fix) rows.push(['', '', `fix: ${c.fix}`]);
  }
  const n = summarize(checks);
  return [
    ...renderTable(['STATUS', 'CHECK', 'EVIDENCE'], rows),
    '',
    `${checks.length} check${checks.length === 1 ? '' : 's'}: ${n.pass} pass, ${n.fail} fail, ${n.unknown} unknown`,
  ];
}

export function formatChecksJson(checks: readonly Check[]): string {
  return JSON.stringify({ summary: summarize(checks), checks }, null, 2);
}
