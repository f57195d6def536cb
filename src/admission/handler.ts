// One admission review, from decoded request to response: no HTTP here, so it is tested directly.
import { analyze, patchOf, targetIds } from '../engine/analyze.js';
import { mutationVerdict, validationVerdict } from '../engine/verdict.js';
import type { WebhookConfig } from '../config/types.js';
import type { RuleContext } from '../targets/target.js';
import type { ConfigMapSource } from '../k8s/config-maps.js';
import type { Version } from '../k8s/versions.js';
import { allowed, denied, patched, respond, type Answer } from './answer.js';
import { objectForRules, type AdmissionRequest, type AdmissionResponse } from './review.js';

export type Endpoint = 'mutate' | 'validate';

/** What the cluster tells the rules beyond the object itself (filled by discovery when it runs). */
export interface ClusterView extends ConfigMapSource {
  calicoVersion(): Version | undefined;
  /** Whether FelixConfiguration is known to enable programClusterRoutes on every node (RuleContext's field); absent: unknown. */
  felixConfigurationClusterRoutes?(): boolean;
  /** Differences between configuration and cluster, told to the user on every target object. */
  mismatches(): string[];
}

export interface ReviewOutcome {
  response: AdmissionResponse;
  decision: 'allowed' | 'patched' | 'denied' | 'error';
  /** Rules of the problems found (denied, or admitted with warnings under validationAction warn). */
  violated: string[];
  /** Ids of the targets that matched (`calico-config+flannel` when several did); undefined for other objects. */
  target: string | undefined;
  patchOperations: number;
}

/** One review, as the server runs it: decorators (metrics, the review log) wrap this shape. */
export type Reviewer = (endpoint: Endpoint, request: AdmissionRequest) => ReviewOutcome;

export function reviewRequest(endpoint: Endpoint, request: AdmissionRequest, config: WebhookConfig, cluster?: ClusterView): ReviewOutcome {
  const outcome = (answer: Answer, decision: ReviewOutcome['decision'], violated: string[] = [], target?: string): ReviewOutcome =>
    ({ response: respond(request.uid, answer), decision, violated, target, patchOperations: answer.patch?.length ?? 0 });
  // DELETE and CONNECT carry nothing to fix; the webhook has no side effects, so dryRun changes nothing.
  if (request.operation === 'DELETE' || request.operation === 'CONNECT' || !request.object) return outcome(allowed(), 'allowed');
  // A subresource (status, scale) carries no spec the rules could fix: judging it would deny, say, a
  // controller's status update of a DaemonSet whose spec predates the webhook.
  if (request.subResource !== undefined) return outcome(allowed(), 'allowed');
  const object = objectForRules(request.object, request);
  const ctx: RuleContext = {
    config,
    operation: request.operation,
    oldObject: request.oldObject ? objectForRules(request.oldObject, request) : undefined,
    configMaps: cluster,
    calicoVersionHint: cluster?.calicoVersion(),
    felixConfigurationClusterRoutes: cluster?.felixConfigurationClusterRoutes?.(),
  };
  const analysis = analyze(object, ctx, { validate: endpoint === 'validate' });
  const target = targetIds(analysis);
  if (target === undefined) return outcome(allowed(), 'allowed');

  const verdict = endpoint === 'mutate' ? mutationVerdict(analysis, config.validationAction) : validationVerdict(analysis, config.validationAction);
  const warnings = endpoint === 'validate' && cluster ? [...cluster.mismatches(), ...verdict.warnings] : verdict.warnings;
  if (!verdict.allowed) return outcome(denied(verdict.code, verdict.message, warnings), 'denied', verdict.violated, target);
  const patch = endpoint === 'mutate' ? patchOf(analysis) : [];
  return outcome(patched(patch, warnings), patch.length > 0 ? 'patched' : 'allowed', verdict.violated, target);
}
