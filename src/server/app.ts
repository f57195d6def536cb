// The HTTP surface (express): admission endpoints, health, readiness and metrics. Every way a request
// can fail ends in a JSON answer with a status; nothing thrown here reaches the process.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import type { WebhookConfig } from '../config/types.js';
import { refused, reviewBody } from '../admission/answer.js';
import { reviewRequest, type ClusterView, type Endpoint, type Reviewer } from '../admission/handler.js';
import { clipLogged, instrumented } from '../admission/instrumented.js';
import { decodeReview, encodeReview, ReviewDecodeError, type ReviewVersion } from '../admission/review.js';
import { countMembers, findDuplicateKey, JsonLimitError, scanJson } from '../admission/json-limits.js';

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
  /**
   * Admission endpoints answer only clients whose certificate the TLS layer verified against the
   * client CA (the API server). Health and metrics stay open: kubelet probes carry no certificate.
   */
  requireClientCert?: boolean;
}

/** Writes an answer refused before review, with the HTTP status it names. */
function refuse(res: Response, httpStatus: number, message: string, apiVersion: ReviewVersion = 'admission.k8s.io/v1', uid = ''): void {
  res.status(httpStatus).json(reviewBody(apiVersion, uid, refused(httpStatus, message)));
}

export function createApp(deps: AppDeps): express.Express {
  const { logger, metrics } = deps;
  const review = instrumented((endpoint, request) => reviewRequest(endpoint, request, deps.config(), deps.cluster), { metrics, logger });
  /** What the byte scan learned about a body, for the duplicate-key check after parsing; this app's own. */
  const scanned = new WeakMap<IncomingMessage, { members: number; raw: Buffer }>();
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

  const jsonBody = express.json({
    limit: MAX_BODY_BYTES,
    strict: true,
    type: () => true,
    // Runs on the raw bytes before JSON.parse: UTF-8, depth and the member count (duplicate keys).
    verify: (req, _res, raw) => {
      const { members } = scanJson(raw);
      scanned.set(req, { members, raw });
    },
  });

  for (const endpoint of ['mutate', 'validate'] as const satisfies readonly Endpoint[]) {
    app.post(
      `/${endpoint}`,
      (req, res, next) => {
        if (deps.requireClientCert && !(req.socket as TLSSocket).authorized) {
          metrics.badRequests.inc({ endpoint, status: '403' });
          const socket = req.socket as TLSSocket;
          const presented = Object.keys(socket.getPeerCertificate()).length > 0;
          refuse(res, 403, `a client certificate signed by the configured client CA is required (${presented ? `the one presented failed verification: ${String(socket.authorizationError)}` : 'none was presented'})`);
          return;
        }
        const length = req.headers['content-length'];
        if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
          metrics.badRequests.inc({ endpoint, status: '400' });
          refuse(res, 400, 'the request has no body: POST an AdmissionReview as application/json');
          return;
        }
        // The API server always sends application/json; anything else is not a review.
        if (!req.is('application/json')) {
          metrics.badRequests.inc({ endpoint, status: '415' });
          refuse(res, 415, `content type must be application/json, got ${req.headers['content-type'] ?? 'none'}`);
          return;
        }
        next();
      },
      jsonBody,
      (req, res) => answer(endpoint, req, res, { metrics, logger, review, scanned }),
    );
  }

  app.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}; POST /mutate or /validate, GET /healthz, /readyz, /metrics` });
  });

  // body-parser's errors carry their HTTP status: 400 for bad JSON, 413 for size, 415 for charset.
  app.use((error: Error & { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    const endpoint = req.path.toLowerCase().includes('validate') ? 'validate' : req.path.toLowerCase().includes('mutate') ? 'mutate' : 'other';
    metrics.badRequests.inc({ endpoint, status: String(status) });
    const message = status === 413
      ? `request body exceeds ${MAX_BODY_BYTES} bytes, the API server's limit`
      : error instanceof JsonLimitError ? `malformed body: ${error.message}`
        : status === 400 ? `malformed JSON body: ${error.message}` : status === 500 ? 'internal error' : error.message;
    if (status === 500) logger.error({ err: error, path: req.path }, 'unexpected error');
    else logger.warn({ path: req.path, status, error: error.type ?? error.message }, 'bad request');
    if (res.headersSent) return;
    refuse(res, status, message);
  });

  return app;
}

interface AnswerDeps {
  metrics: WebhookMetrics;
  logger: Logger;
  review: Reviewer;
  scanned: WeakMap<IncomingMessage, { members: number; raw: Buffer }>;
}

/** A parsed body: refused when it is not a usable review, otherwise reviewed and answered in its version. */
function answer(endpoint: Endpoint, req: Request, res: Response, deps: AnswerDeps): void {
  const { logger, metrics } = deps;
  const scan = deps.scanned.get(req);
  if (scan && countMembers(req.body) !== scan.members) {
    // JSON.parse kept the last of a repeated key; name it instead (see json-limits.ts for why).
    const duplicate = findDuplicateKey(scan.raw.toString('utf8'));
    const what = duplicate ? `key ${JSON.stringify(clipLogged(duplicate.key))} appears twice in ${clipLogged(duplicate.path)}` : 'a key appears twice in one object';
    metrics.badRequests.inc({ endpoint, status: '400' });
    logger.warn({ endpoint, error: what }, 'malformed admission review');
    refuse(res, 400, `malformed body: ${what}; the API server never sends duplicate keys`);
    return;
  }
  let request;
  try {
    request = decodeReview(req.body);
  } catch (error) {
    if (!(error instanceof ReviewDecodeError)) throw error;
    metrics.badRequests.inc({ endpoint, status: '400' });
    logger.warn({ endpoint, uid: clipLogged(error.uid) || undefined, error: clipLogged(error.message) }, 'malformed admission review');
    refuse(res, 400, `malformed AdmissionReview: ${error.message}`, error.apiVersion, error.uid);
    return;
  }
  res.status(200).json(encodeReview(request.apiVersion, deps.review(endpoint, request).response));
}
