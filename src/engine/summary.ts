// "What is wrong with this object", defined once: the findings of an analysis (or of one target's part
// of it), each listed once. The verdict, fix, audit and doctor all read it.
import { dedupeFindings, Report, type Finding } from '../targets/report.js';

export interface Summary {
  /** What the mutation changes (or, on a stored object, would change). */
  changes: Finding[];
  /** Fields not shaped as the kind requires: rejected as a bad request. */
  malformed: Finding[];
  /** What the rules refuse, in mutation (an immutable field) or validation. */
  problems: Finding[];
  warnings: string[];
}

/**
 * Mutation and validation read the same object, so the same finding may come from both: each is kept
 * once. `mutation` reads the mutation phase alone (what the mutating webhook answers on).
 */
export function summarize(analysis: { mutation: Report; validation: Report }, phases: 'mutation' | 'both' = 'both'): Summary {
  const mutation = analysis.mutation;
  const validation = phases === 'both' ? analysis.validation : new Report();
  return {
    changes: dedupeFindings(mutation.changes),
    malformed: dedupeFindings([...mutation.malformed, ...validation.malformed]),
    problems: dedupeFindings([...mutation.problems, ...validation.problems]),
    warnings: [...new Set([...mutation.warnings, ...validation.warnings])],
  };
}
