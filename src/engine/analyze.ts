// The one engine both front doors (the webhook server and the CLI) run: mutate a copy, then validate it.
// Every target that matches the object runs, in registry order, each with its own reports: two targets
// may own different keys of one object (calico-config's cni_network_config and flannel's net-conf.json
// in canal-config).
import type { KubeObject } from '../k8s/object.js';
import { TARGETS, targetsFor } from '../targets/registry.js';
import { Report } from '../targets/report.js';
import { AnalysisMemo, type RuleContext, type Target } from '../targets/target.js';
import { createPatch, type PatchOperation } from '../patch/json-patch.js';
import { copyForWrites } from '../patch/copy-on-write.js';

/** What one target found on the object. */
export interface TargetResult {
  target: Target;
  mutation: Report;
  validation: Report;
}

export interface Analysis {
  /** Every target that matched, in registry order; empty when the object is not a target. */
  results: TargetResult[];
  original: KubeObject;
  /** The object after every target's mutation (the original itself when the object is not a target). */
  mutated: KubeObject;
  /** All targets' mutation reports in one: changes, warnings about them, and what could not be read. */
  mutation: Report;
  /** All targets' findings and warnings on the mutated object; empty when not asked for. */
  validation: Report;
}

export interface AnalyzeOptions {
  /** Skip the validation phase (the mutating endpoint does not need it). */
  validate?: boolean;
  /** The registry to run; the registry's own list unless a test brings another. */
  targets?: readonly Target[];
}

/** One report holding every target's findings, in order. */
function merged(reports: readonly Report[]): Report {
  const out = new Report();
  for (const r of reports) {
    out.changes.push(...r.changes);
    out.problems.push(...r.problems);
    out.malformed.push(...r.malformed);
    for (const w of r.warnings) out.warn(w);
  }
  return out;
}

export function analyze(object: KubeObject, ctx: RuleContext, options: AnalyzeOptions = {}): Analysis {
  const matched = targetsFor(object, options.targets ?? TARGETS);
  if (matched.length === 0) return { results: [], original: object, mutated: object, mutation: new Report(), validation: new Report() };
  // Copied only where the matched targets write; the rest is shared, and never written (copy-on-write.ts).
  const mutated = copyForWrites(object, matched.flatMap((target) => target.writePaths));
  if (!ctx.memo) ctx = { ...ctx, memo: new AnalysisMemo() };
  const results: TargetResult[] = matched.map((target) => ({ target, mutation: new Report(), validation: new Report() }));
  for (const r of results) r.target.mutate?.(mutated, ctx, r.mutation);
  if (options.validate !== false) for (const r of results) r.target.validate(mutated, ctx, r.validation);
  return { results, original: object, mutated, mutation: merged(results.map((r) => r.mutation)), validation: merged(results.map((r) => r.validation)) };
}

/** Whether any target matched the object. */
export function isTarget(analysis: Analysis): boolean {
  return analysis.results.length > 0;
}

/** Ids of the targets that matched, joined: `calico-config` or `calico-config+flannel`. */
export function targetIds(analysis: Analysis): string | undefined {
  return analysis.results.length > 0 ? analysis.results.map((r) => r.target.id).join('+') : undefined;
}

export function patchOf(analysis: Analysis): PatchOperation[] {
  return isTarget(analysis) && analysis.mutation.changes.length > 0 ? createPatch(analysis.original, analysis.mutated) : [];
}
