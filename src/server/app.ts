// The HTTP surface: the admission endpoints (admission-route.ts) first, then health, readiness, metrics
// and the 404 (probe-routes.ts). Every way a request can fail ends in a JSON answer with a status, counted
// and logged by one decorator (refusals.ts); nothing thrown here reaches the process.
import type { RequestListener } from 'node:http';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import type { WebhookConfig } from '../config/types.js';
import { reviewRequest, type ClusterView } from '../admission/handler.js';
import { instrumentedWith, reviewLog } from '../admission/instrumented.js';
import { createAdmissionRoute, MAX_BODY_BYTES, type LargeReviewer } from './admission-route.js';
import { createProbeRoutes, type Readiness } from './probe-routes.js';
import { countedRefusals } from './refusals.js';
import { budgetForMemoryLimit, DEFAULT_MEMORY_LIMIT_BYTES, ReviewBudget } from './review-budget.js';

export { MAX_BODY_BYTES };
export type { Readiness };

export interface AppDeps {
  config: () => WebhookConfig;
  logger: Logger;
  metrics: WebhookMetrics;
  readiness: Readiness;
  cluster?: ClusterView | undefined;
  /**
   * Admission endpoints answer only clients whose certificate the TLS layer verified against the
   * client CA (the API server). Health and metrics stay open: kubelet probes carry no certificate.
   */
  requireClientCert?: boolean;
  /** The memory budget of reviews (default: sized for the chart's 256 MiB limit). */
  budget?: ReviewBudget;
  /** Reviews large bodies off the event loop; without it they are reviewed on it, one at a time. */
  largeReviewer?: LargeReviewer | undefined;
}

export function createApp(deps: AppDeps): RequestListener {
  const { logger, metrics } = deps;
  const record = reviewLog({ metrics, logger });
  const refuse = countedRefusals({ metrics, logger });
  const admission = createAdmissionRoute({
    config: deps.config,
    refuse,
    review: instrumentedWith((endpoint, request) => reviewRequest(endpoint, request, deps.config(), deps.cluster), record),
    record,
    requireClientCert: deps.requireClientCert,
    budget: deps.budget ?? new ReviewBudget(budgetForMemoryLimit(DEFAULT_MEMORY_LIMIT_BYTES, MAX_BODY_BYTES)),
    largeReviewer: deps.largeReviewer,
  });
  const probes = createProbeRoutes({ metrics, readiness: deps.readiness, refuse });
  return (req, res) => {
    if (!admission(req, res)) probes(req, res);
  };
}
