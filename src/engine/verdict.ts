// What the webhook answers for an analysed object: one place that decides allowed, denied and warnings.
import type { ValidationAction } from '../config/types.js';
import { describeObject } from '../k8s/object.js';
import { clipTo } from '../text/clip.js';
import type { Finding } from '../targets/report.js';
import type { Analysis } from './analyze.js';
import { summarize } from './summary.js';

interface VerdictBase {
  warnings: string[];
  /** Finding.rule of every problem, for metrics. */
  violated: string[];
}

/** Admitted (perhaps with warnings), or refused with a code, a reason and a message: never half of each. */
export type Verdict =
  | (VerdictBase & { allowed: true; code?: undefined; reason?: undefined; message?: undefined })
  | (VerdictBase & {
    allowed: false;
    /** 403 for policy, 400 for an object the rules cannot read. */
    code: 400 | 403;
    reason: 'Forbidden' | 'BadRequest';
    message: string;
  });

/** Kubernetes cuts warnings over 256 characters; keep them whole by shortening them ourselves. */
export const MAX_WARNING_LENGTH = 255;

export function clipWarning(text: string): string {
  return clipTo(text, MAX_WARNING_LENGTH);
}

export function formatFinding(f: Finding): string {
  return `[${f.rule}] ${f.path}: found ${f.found}, expected ${f.expected}. Fix: ${f.fix}`;
}

interface Listed {
  finding: Finding;
  /** The mutation would have fixed it: the mutating webhook did not run. */
  mutable: boolean;
}

function denial(analysis: Analysis, listed: Listed[], code: 400 | 403): string {
  const what = describeObject(analysis.original);
  const heading = code === 400
    ? `calico-ipv6-webhook cannot read ${what} (${listed.length} problem${listed.length === 1 ? '' : 's'}):`
    : `calico-ipv6-webhook: ${what} does not meet the IPv6 rules (${listed.length} problem${listed.length === 1 ? '' : 's'}):`;
  const lines = listed.map((l, i) => `${i + 1}. ${formatFinding(l.finding)}${l.mutable ? ' (the mutating webhook makes this change; it is off or was bypassed)' : ''}`);
  return [heading, ...lines].join('\n');
}

function decide(analysis: Analysis, listed: Listed[], malformed: Finding[], warnings: string[], action: ValidationAction): Verdict {
  const violated = [...malformed, ...listed.map((l) => l.finding)].map((f) => f.rule);
  if (malformed.length === 0 && listed.length === 0) return { allowed: true, warnings: warnings.map(clipWarning), violated };
  if (action === 'warn') {
    const asWarnings = [...malformed, ...listed.map((l) => l.finding)].map((f) => `would deny ${describeObject(analysis.original)}: ${formatFinding(f)}`);
    return { allowed: true, warnings: [...warnings, ...asWarnings].map(clipWarning), violated };
  }
  if (malformed.length > 0) {
    return { allowed: false, code: 400, reason: 'BadRequest', message: denial(analysis, malformed.map((finding) => ({ finding, mutable: false })), 400), warnings: warnings.map(clipWarning), violated };
  }
  return { allowed: false, code: 403, reason: 'Forbidden', message: denial(analysis, listed, 403), warnings: warnings.map(clipWarning), violated };
}

/**
 * The mutating answer: the patch is built by the caller; refused here are unreadable objects and what
 * a rule refused during mutation (changes the API server would reject before validation runs).
 */
export function mutationVerdict(analysis: Analysis, action: ValidationAction): Verdict {
  const summary = summarize(analysis, 'mutation');
  const listed = summary.problems.map((finding) => ({ finding, mutable: false }));
  return decide(analysis, listed, summary.malformed, analysis.mutation.warnings, action);
}

/**
 * The validating answer, on the object as it will be stored: what mutation would still change is a
 * problem too (mutation was off or bypassed), listed with what it cannot fix at all.
 */
export function validationVerdict(analysis: Analysis, action: ValidationAction): Verdict {
  const summary = summarize(analysis);
  const listed: Listed[] = [
    ...summary.changes.map((finding) => ({ finding, mutable: true })),
    ...summary.problems.map((finding) => ({ finding, mutable: false })),
  ];
  return decide(analysis, listed, summary.malformed, analysis.validation.warnings, action);
}
