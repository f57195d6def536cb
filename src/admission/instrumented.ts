// Metrics and the review log, wrapped around a Reviewer as one decorator (kubewebhook's
// instrumenting): the rules and the route handler never see them. A reviewer that throws (a bug in
// a rule) is answered with an error here, counted and logged, and the process stays up.
import { performance } from 'node:perf_hooks';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import { errored, respond } from './answer.js';
import type { Reviewer } from './handler.js';

/** Log values come from the request; keep a hostile one from filling logs. */
const MAX_LOGGED_LENGTH = 256;

export function clipLogged(value: string | undefined): string | undefined {
  return value === undefined || value.length <= MAX_LOGGED_LENGTH ? value : `${value.slice(0, MAX_LOGGED_LENGTH)}…(${value.length} chars)`;
}

export function instrumented(review: Reviewer, deps: { metrics: WebhookMetrics; logger: Logger }): Reviewer {
  const { metrics, logger } = deps;
  return (endpoint, request) => {
    const started = performance.now();
    const kind = metrics.kindLabel(request.kind.kind);
    let outcome;
    try {
      outcome = review(endpoint, request);
    } catch (error) {
      logger.error({ endpoint, uid: clipLogged(request.uid), err: error }, 'rule failed');
      metrics.reviews.inc({ endpoint, kind, operation: request.operation, decision: 'error' });
      return {
        response: respond(request.uid, errored(`calico-ipv6-webhook failed to review this object: ${(error as Error).message}`)),
        decision: 'error', violated: [], target: undefined, patchOperations: 0,
      };
    }
    const seconds = (performance.now() - started) / 1000;
    metrics.duration.observe({ endpoint }, seconds);
    metrics.reviews.inc({ endpoint, kind, operation: request.operation, decision: outcome.decision });
    for (const rule of outcome.violated) metrics.rejections.inc({ rule });
    const name = request.name ?? request.object?.metadata?.name;
    logger.info({
      endpoint, uid: clipLogged(request.uid), kind: clipLogged(request.kind.kind), namespace: clipLogged(request.namespace),
      name: clipLogged(typeof name === 'string' ? name : undefined), operation: request.operation, dryRun: request.dryRun,
      rule: outcome.target, decision: outcome.decision, patchOperations: outcome.patchOperations,
      warnings: outcome.response.warnings?.length ?? 0, durationMs: Math.round(seconds * 1e6) / 1e3,
    }, 'review');
    return outcome;
  };
}
