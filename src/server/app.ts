// The HTTP surface: the admission endpoints (admission-route.ts, dispatched before express, which costs
// more per request than a whole review), and in express health, readiness, metrics and the 404. Every
// way a request can fail ends in a JSON answer with a status; nothing thrown here reaches the process.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { RequestListener } from 'node:http';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import type { WebhookConfig } from '../config/types.js';
import { refused, reviewBody } from '../admission/answer.js';
import { reviewRequest, type ClusterView } from '../admission/handler.js';
import { instrumentedWith, reviewLog } from '../admission/instrumented.js';
import { createAdmissionRoute, MAX_BODY_BYTES, type LargeReviewer } from './admission-route.js';
import { budgetForMemoryLimit, DEFAULT_MEMORY_LIMIT_BYTES, ReviewBudget } from './review-budget.js';

export { MAX_BODY_BYTES };

export interface Readiness {
  /** Empty when ready; otherwise why not (configuration, certificates, shutting down, ...). */
  notReadyReasons(): string[];
  /** Extra lines for /readyz?verbose (e.g. discovery mismatches); never make the server unready. */
  details?(): string[];
}

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

/** Writes an answer refused before review, with the HTTP status it names. */
function refuse(res: Response, httpStatus: number, message: string): void {
  res.status(httpStatus).json(reviewBody('admission.k8s.io/v1', '', refused(httpStatus, message)));
}

export function createApp(deps: AppDeps): RequestListener {
  const { logger, metrics } = deps;
  const record = reviewLog({ metrics, logger });
  const admission = createAdmissionRoute({
    config: deps.config,
    logger,
    metrics,
    review: instrumentedWith((endpoint, request) => reviewRequest(endpoint, request, deps.config(), deps.cluster), record),
    record,
    requireClientCert: deps.requireClientCert,
    budget: deps.budget ?? new ReviewBudget(budgetForMemoryLimit(DEFAULT_MEMORY_LIMIT_BYTES, MAX_BODY_BYTES)),
    largeReviewer: deps.largeReviewer,
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });

  app.get('/readyz', (req, res) => {
    const reasons = deps.readiness.notReadyReasons();
    metrics.ready.set(reasons.length === 0 ? 1 : 0);
    const details = 'verbose' in req.query ? (deps.readiness.details?.() ?? []) : [];
    const body = [reasons.length === 0 ? 'ok' : `not ready: ${reasons.join('; ')}`, ...details].join('\n');
    res.status(reasons.length === 0 ? 200 : 503).type('text/plain').send(body);
  });

  app.get('/metrics', (_req, res, next) => {
    metrics.registry.metrics().then((text) => res.type(metrics.registry.contentType).send(text), next);
  });

  app.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}; POST /mutate or /validate, GET /healthz, /readyz, /metrics` });
  });

  // What express itself throws (a bad URL encoding, a handler's bug): a JSON answer with its status.
  app.use((error: Error & { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    metrics.badRequests.inc({ endpoint: 'other', status: String(status) });
    if (status === 500) logger.error({ err: error, path: req.path }, 'unexpected error');
    else logger.warn({ path: req.path, status, error: error.type ?? error.message }, 'bad request');
    if (res.headersSent) return;
    refuse(res, status, status === 500 ? 'internal error' : error.message);
  });

  return (req, res) => {
    if (!admission(req, res)) app(req, res);
  };
}
