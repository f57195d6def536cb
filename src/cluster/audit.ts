// Background audit: the target objects already in the cluster that the webhook would change or reject
// if they were applied now, with the webhook's own messages.
import type { WebhookConfig } from '../config/types.js';
import { formatFinding } from '../engine/verdict.js';
import { nameOf, namespaceOf } from '../k8s/object.js';
import type { Finding } from '../targets/report.js';
import type { Operation } from '../k8s/object.js';
import { analyzeExisting } from './existing.js';
import type { ClusterReader, NamespaceScope } from './reader.js';
import { clusterContext, readTargets, type ReadFailure } from './targets.js';

export interface AuditEntry {
  kind: string;
  namespace: string;
  name: string;
  /** CREATE for everything but the kube-dns Service, judged as an update of itself (clusterIP is immutable). */
  operation: Operation;
  verdict: 'would-change' | 'would-reject';
  /** formatFinding of each change the mutating webhook would make. */
  changes: string[];
  /** formatFinding of each problem the webhook would reject. */
  problems: string[];
  warnings: string[];
  findings: { changes: Finding[]; problems: Finding[] };
}

export interface AuditResult {
  /** Target objects examined. */
  checked: number;
  /** Only those that are not compliant. */
  entries: AuditEntry[];
  failures: ReadFailure[];
}

export async function runAudit(reader: ClusterReader, scope: NamespaceScope, config: WebhookConfig): Promise<AuditResult> {
  const targets = await readTargets(reader, scope);
  const context = await clusterContext(reader, targets.objects);
  const entries: AuditEntry[] = [];
  for (const object of targets.objects) {
    const result = analyzeExisting(object, config, context);
    if (result.changes.length === 0 && result.problems.length === 0) continue;
    entries.push({
      kind: object.kind ?? '?',
      namespace: namespaceOf(object) ?? '',
      name: nameOf(object) ?? '',
      operation: result.operation,
      verdict: result.problems.length > 0 ? 'would-reject' : 'would-change',
      changes: result.changes.map(formatFinding),
      problems: result.problems.map(formatFinding),
      warnings: result.warnings,
      findings: { changes: result.changes, problems: result.problems },
    });
  }
  entries.sort((a, b) => `${a.namespace}/${a.kind}/${a.name}`.localeCompare(`${b.namespace}/${b.kind}/${b.name}`));
  return { checked: targets.objects.length, entries, failures: [...targets.failures, ...context.failures] };
}
