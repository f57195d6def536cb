// The webhook's analysis of an object that is already stored: what the mutating webhook would change
// if it were applied again, and what it would reject. Shared by audit and doctor.
import type { WebhookConfig } from '../config/types.js';
import { analyze, type Analysis } from '../engine/analyze.js';
import { TARGETS, targetsFor } from '../targets/registry.js';
import type { Finding, Report } from '../targets/report.js';
import { summarize } from '../engine/summary.js';
import type { KubeObject, Operation } from '../k8s/object.js';
import type { RuleContext, Target } from '../targets/target.js';

export interface ExistingAnalysis {
  object: KubeObject;
  analysis: Analysis;
  operation: Operation;
  /** What the mutating webhook would change. */
  changes: Finding[];
  /** What the webhook would reject (unfixable, or malformed). */
  problems: Finding[];
  warnings: string[];
}

/**
 * CREATE semantics ("what would the webhook do to this manifest"), except for targets stored as an
 * update of themselves (`storedAs: 'update'`: a field their rules check is immutable).
 */
/** A stored object's findings: what would change, and what would be rejected (malformed or refused). */
export function storedFindings(part: { mutation: Report; validation: Report }): { changes: Finding[]; problems: Finding[]; warnings: string[] } {
  const summary = summarize(part);
  return { changes: summary.changes, problems: [...summary.malformed, ...summary.problems], warnings: summary.warnings };
}

export function analyzeExisting(object: KubeObject, config: WebhookConfig, cluster: Pick<RuleContext, 'configMaps' | 'calicoVersionHint'>, targets: readonly Target[] = TARGETS): ExistingAnalysis {
  const operation: Operation = targetsFor(object, targets).some((t) => t.storedAs === 'update') ? 'UPDATE' : 'CREATE';
  const ctx: RuleContext = {
    config,
    operation,
    oldObject: operation === 'UPDATE' ? object : undefined,
    configMaps: cluster.configMaps,
    calicoVersionHint: cluster.calicoVersionHint,
  };
  const analysis = analyze(object, ctx, { targets });
  return { object, analysis, operation, ...storedFindings(analysis) };
}
