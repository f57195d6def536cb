// Metrics and the review log, wrapped around a Reviewer as one decorator (kubewebhook's
// instrumenting): the rules and the route handler never see them. A reviewer that throws (a bug in
// a rule) is answered with an error here, counted and logged, and the process stays up.
//
// The decorator measures and reports to a ReviewRecorder. On the event loop that is the metrics and
// the log (reviewLog); in the large-review worker it is a list of plain records that the event loop
// replays into the same reviewLog, so a review is counted and logged alike wherever it ran.
import { performance } from 'node:perf_hooks';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import { clip } from '../text/clip.js';
import { errored, respond } from './answer.js';
import type { Endpoint, ReviewOutcome, Reviewer } from './handler.js';
import type { AdmissionRequest } from './review.js';

/** Log values come from the request; keep a hostile one from filling logs. */
const MAX_LOGGED_LENGTH = 256;

export function clipLogged(value: string | undefined): string | undefined {
  return value === undefined ? value : clip(value, MAX_LOGGED_LENGTH);
}

/** One review as the metrics and the log see it: plain data, clipped, without the object. */
export type ReviewRecord =
  | {
    endpoint: Endpoint;
    uid: string | undefined;
    kind: string;
    operation: string;
    failed: false;
    namespace: string | undefined;
    name: string | undefined;
    dryRun: boolean;
    rule: string | undefined;
    decision: ReviewOutcome['decision'];
    violated: string[];
    patchOperations: number;
    warnings: number;
    seconds: number;
  }
  | { endpoint: Endpoint; uid: string | undefined; kind: string; operation: string; failed: true; error: { message: string; stack: string | undefined } };

export type ReviewRecorder = (record: ReviewRecord) => void;

export function instrumentedWith(review: Reviewer, record: ReviewRecorder): Reviewer {
  return (endpoint, request) => {
    const started = performance.now();
    const facts = { endpoint, uid: clipLogged(request.uid), kind: request.kind.kind, operation: request.operation };
    let outcome;
    try {
      outcome = review(endpoint, request);
    } catch (error) {
      record({ ...facts, failed: true, error: { message: (error as Error).message, stack: (error as Error).stack } });
      return {
        response: respond(request.uid, errored(`calico-ipv6-webhook failed to review this object: ${(error as Error).message}`)),
        decision: 'error', violated: [], target: undefined, patchOperations: 0,
      };
    }
    const name = nameOf(request);
    record({
      ...facts, failed: false, namespace: clipLogged(request.namespace), name: clipLogged(name), dryRun: request.dryRun, rule: outcome.target,
      decision: outcome.decision, violated: outcome.violated, patchOperations: outcome.patchOperations,
      warnings: outcome.response.warnings?.length ?? 0, seconds: (performance.now() - started) / 1000,
    });
    return outcome;
  };
}

function nameOf(request: AdmissionRequest): string | undefined {
  const name = request.name ?? request.object?.metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

/** The recorder of the server: counts, times and logs one line per review. */
export function reviewLog(deps: { metrics: WebhookMetrics; logger: Logger }): ReviewRecorder {
  const { metrics, logger } = deps;
  return (record) => {
    const kind = metrics.kindLabel(record.kind);
    if (record.failed) {
      logger.error({ endpoint: record.endpoint, uid: record.uid, err: record.error }, 'rule failed');
      metrics.countReview(record.endpoint, kind, record.operation, 'error');
      return;
    }
    metrics.observeDuration(record.endpoint, record.seconds);
    metrics.countReview(record.endpoint, kind, record.operation, record.decision);
    for (const rule of record.violated) metrics.rejections.inc({ rule });
    logger.info({
      endpoint: record.endpoint, uid: record.uid, kind: clipLogged(record.kind), namespace: record.namespace, name: record.name,
      operation: record.operation, dryRun: record.dryRun, rule: record.rule, decision: record.decision, patchOperations: record.patchOperations,
      warnings: record.warnings, durationMs: Math.round(record.seconds * 1e6) / 1e3,
    }, 'review');
  };
}

export function instrumented(review: Reviewer, deps: { metrics: WebhookMetrics; logger: Logger }): Reviewer {
  return instrumentedWith(review, reviewLog(deps));
}
