// The HTTP surface (express): admission endpoints, health, readiness and metrics. Every way a request
// can fail ends in a JSON answer with a status; nothing thrown here reaches the process.
import express, { type NextFunction, type Request, type Response } from 'express';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import type { WebhookConfig } from '../config/types.js';
import { decodeReview, encodeReview, ReviewDecodeError, type ReviewVersion } from '../admission/review.js';
import { reviewRequest, type ClusterView, type Endpoint } from '../admission/handler.js';

/** The API server's own limit on a request body; anything larger cannot come from it. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

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
}

function errorReview(res: Response, httpStatus: number, message: string, apiVersion: ReviewVersion = 'admission.k8s.io/v1', uid = ''): void {
  res.status(httpStatus).json(encodeReview(apiVersion, { uid, allowed: false, status: { code: httpStatus, message } }));
}

export function createApp(deps: AppDeps): express.Express {
  const { logger, metrics } = deps;
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

  const jsonBody = express.json({ limit: MAX_BODY_BYTES, strict: true, type: () => true });

  for (const endpoint of ['mutate', 'validate'] as const satisfies readonly Endpoint[]) {
    app.post(
      `/${endpoint}`,
      (req, res, next) => {
        // The API server always sends application/json; anything else is not a review.
        if (!req.is('application/json')) {
          metrics.badRequests.inc({ endpoint, status: '415' });
          errorReview(res, 415, `content type must be application/json, got ${req.headers['content-type'] ?? 'none'}`);
          return;
        }
        next();
      },
      jsonBody,
      (req, res) => answer(endpoint, req, res, deps),
    );
  }

  app.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}; POST /mutate or /validate, GET /healthz, /readyz, /metrics` });
  });

  // body-parser's errors carry their HTTP status: 400 for bad JSON, 413 for size, 415 for charset.
  app.use((error: Error & { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    const endpoint = req.path.replace(/^\//, '');
    metrics.badRequests.inc({ endpoint, status: String(status) });
    const message = status === 413
      ? `request body exceeds ${MAX_BODY_BYTES} bytes, the API server's limit`
      : status === 400 ? `malformed JSON body: ${error.message}` : status === 500 ? 'internal error' : error.message;
    if (status === 500) logger.error({ err: error, path: req.path }, 'unexpected error');
    else logger.warn({ path: req.path, status, error: error.type ?? error.message }, 'bad request');
    if (res.headersSent) return;
    errorReview(res, status, message);
  });

  return app;
}

function answer(endpoint: Endpoint, req: Request, res: Response, deps: AppDeps): void {
  const started = performance.now();
  const { logger, metrics } = deps;
  let request;
  try {
    request = decodeReview(req.body);
  } catch (error) {
    if (!(error instanceof ReviewDecodeError)) throw error;
    metrics.badRequests.inc({ endpoint, status: '400' });
    logger.warn({ endpoint, uid: error.uid || undefined, error: error.message }, 'malformed admission review');
    errorReview(res, 400, `malformed AdmissionReview: ${error.message}`, error.apiVersion, error.uid);
    return;
  }
  let outcome;
  try {
    outcome = reviewRequest(endpoint, request, deps.config(), deps.cluster);
  } catch (error) {
    // A rule that throws is a bug; the request still gets a clear answer and the process stays up.
    logger.error({ endpoint, uid: request.uid, err: error }, 'rule failed');
    metrics.reviews.inc({ endpoint, kind: request.kind.kind, operation: request.operation, decision: 'error' });
    res.status(200).json(encodeReview(request.apiVersion, { uid: request.uid, allowed: false, status: { code: 500, reason: 'InternalError', message: `calico-ipv6-webhook failed to review this object: ${(error as Error).message}` } }));
    return;
  }
  res.status(200).json(encodeReview(request.apiVersion, outcome.response));
  const seconds = (performance.now() - started) / 1000;
  metrics.duration.observe({ endpoint }, seconds);
  metrics.reviews.inc({ endpoint, kind: request.kind.kind, operation: request.operation, decision: outcome.decision });
  for (const rule of outcome.violated) metrics.rejections.inc({ rule });
  logger.info({
    endpoint, uid: request.uid, kind: request.kind.kind, namespace: request.namespace, name: request.name ?? request.object?.metadata?.name,
    operation: request.operation, dryRun: request.dryRun, rule: outcome.target, decision: outcome.decision,
    patchOperations: outcome.patchOperations, warnings: outcome.response.warnings?.length ?? 0, durationMs: Math.round(seconds * 1e6) / 1e3,
  }, 'review');
}
