// The webhook's analysis of an object that is already stored: what the mutating webhook would change
// if it were applied again, and what it would reject. Shared by audit and doctor.
import type { WebhookConfig } from '../config/types.js';
import { analyze, type Analysis } from '../engine/analyze.js';
import { kubeDnsServiceRule } from '../rules/kube-dns-service.js';
import { dedupeFindings, type Finding, type KubeObject, type Operation, type RuleContext } from '../rules/types.js';
import type { ConfigMapLookup } from './targets.js';

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
 * CREATE semantics ("what would the webhook do to this manifest"), except for the kube-dns Service:
 * its clusterIP is immutable, so it is judged as an update of itself and a wrong address is reported
 * as needing the Service to be recreated, not as a change the webhook could make.
 */
export function analyzeExisting(object: KubeObject, config: WebhookConfig, cluster: { lookupConfigMapKey?: ConfigMapLookup | undefined; calicoVersionHint?: RuleContext['calicoVersionHint'] }): ExistingAnalysis {
  const operation: Operation = kubeDnsServiceRule.matches(object) ? 'UPDATE' : 'CREATE';
  const ctx: RuleContext = {
    config,
    operation,
    oldObject: operation === 'UPDATE' ? object : undefined,
    lookupConfigMapKey: cluster.lookupConfigMapKey,
    calicoVersionHint: cluster.calicoVersionHint,
  };
  const analysis = analyze(object, ctx);
  return {
    object,
    analysis,
    operation,
    changes: dedupeFindings(analysis.mutation.changes),
    problems: dedupeFindings([...analysis.mutation.malformed, ...analysis.validation.malformed, ...analysis.mutation.problems, ...analysis.validation.problems]),
    warnings: [...new Set([...analysis.mutation.warnings, ...analysis.validation.warnings])],
  };
}
