// One admission review, from decoded request to response: no HTTP here, so it is tested directly.
import { analyze, patchOf, targetIds } from '../engine/analyze.js';
import { mutationVerdict, validationVerdict } from '../engine/verdict.js';
import type { WebhookConfig } from '../config/types.js';
import type { RuleContext } from '../rules/target.js';
import type { Version } from '../k8s/versions.js';
import { objectForRules, type AdmissionRequest, type AdmissionResponse } from './review.js';

export type Endpoint = 'mutate' | 'validate';

/** What the cluster tells the rules beyond the object itself (filled by discovery when it runs). */
export interface ClusterView {
  lookupConfigMapKey(namespace: string, name: string, key: string): string | undefined;
  /** A whole ConfigMap (envFrom): its data, null when it does not exist, undefined when not known yet. */
  lookupConfigMap?(namespace: string, name: string): Readonly<Record<string, string>> | null | undefined;
  calicoVersion(): Version | undefined;
  /** Differences between configuration and cluster, told to the user on every target object. */
  mismatches(): string[];
}

export interface ReviewOutcome {
  response: AdmissionResponse;
  decision: 'allowed' | 'patched' | 'denied';
  /** Rules of the problems found (denied, or admitted with warnings under validationAction warn). */
  violated: string[];
  target: string | undefined;
  patchOperations: number;
}

export function reviewRequest(endpoint: Endpoint, request: AdmissionRequest, config: WebhookConfig, cluster?: ClusterView): ReviewOutcome {
  const allowed = (): ReviewOutcome => ({ response: { uid: request.uid, allowed: true }, decision: 'allowed', violated: [], target: undefined, patchOperations: 0 });
  // DELETE and CONNECT carry nothing to fix; the webhook has no side effects, so dryRun changes nothing.
  if (request.operation === 'DELETE' || request.operation === 'CONNECT' || !request.object) return allowed();
  // A subresource (status, scale) carries no spec the rules could fix: judging it would deny, say, a
  // controller's status update of a DaemonSet whose spec predates the webhook.
  if (request.subResource !== undefined) return allowed();
  const object = objectForRules(request.object, request);
  const ctx: RuleContext = {
    config,
    operation: request.operation,
    oldObject: request.oldObject ? objectForRules(request.oldObject, request) : undefined,
    lookupConfigMapKey: cluster ? (ns, name, key) => cluster.lookupConfigMapKey(ns, name, key) : undefined,
    lookupConfigMap: cluster?.lookupConfigMap ? (ns, name) => cluster.lookupConfigMap?.(ns, name) : undefined,
    calicoVersionHint: cluster?.calicoVersion(),
  };
  const analysis = analyze(object, ctx, { validate: endpoint === 'validate' });
  const target = targetIds(analysis);
  if (target === undefined) return allowed();

  const verdict = endpoint === 'mutate' ? mutationVerdict(analysis, config.validationAction) : validationVerdict(analysis, config.validationAction);
  const warnings = endpoint === 'validate' && cluster ? [...cluster.mismatches(), ...verdict.warnings] : verdict.warnings;
  const response: AdmissionResponse = { uid: request.uid, allowed: verdict.allowed };
  if (warnings.length > 0) response.warnings = warnings;
  if (!verdict.allowed) {
    response.status = { code: verdict.code ?? 403, reason: verdict.reason ?? 'Forbidden', message: verdict.message ?? 'denied' };
    return { response, decision: 'denied', violated: verdict.violated, target, patchOperations: 0 };
  }
  const patch = endpoint === 'mutate' ? patchOf(analysis) : [];
  if (patch.length > 0) response.patch = patch;
  return { response, decision: patch.length > 0 ? 'patched' : 'allowed', violated: verdict.violated, target, patchOperations: patch.length };
}
