// POST /mutate and /validate, answered first (probe-routes.ts serves health, readiness, metrics and the
// 404). No framework on this path: express cost about 0.15 ms of CPU per request on this runtime (bench:
// the same read-parse-answer handler served ~5,000 req/s as an express 5 route and ~22,000 on the bare
// https server), more than a whole non-target review.
//
// A review holds memory only within the ReviewBudget: its body is not read until it is admitted.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { WebhookConfig } from '../config/types.js';
import type { Endpoint, Reviewer } from '../admission/handler.js';
import { answerBody, type BodyAnswer } from '../admission/body.js';
import type { ReviewRecord, ReviewRecorder } from '../admission/instrumented.js';
import { BodyTooLarge, readBody } from './read-body.js';
import type { ReviewBudget } from './review-budget.js';
import { writeAnswer, type Refuse } from './refusals.js';

/**
 * Bodies larger than this are refused (413). The API server accepts request bodies up to 3 MiB
 * (k8s.io/apiserver pkg/server/config.go NewConfig: MaxRequestBodyBytes) and etcd objects up
 * to 1.5 MiB by default, so a CREATE review fits; an UPDATE carries object and oldObject, so it could
 * exceed this only for an object over ~1.5 MiB, far beyond any target (a calico-node DaemonSet is ~6 KB).
 */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reviews a large body off the event loop (the worker): its answer, and its reviews to record here. */
export type LargeReviewer = (endpoint: Endpoint, body: Buffer, config: WebhookConfig) => Promise<{ answer: BodyAnswer; records: ReviewRecord[] }>;

export interface AdmissionRouteDeps {
  config: () => WebhookConfig;
  /** Counts, logs and writes every refusal (refusals.ts). */
  refuse: Refuse;
  /** The instrumented reviewer of the event loop, and the recorder behind its decorator. */
  review: Reviewer;
  record: ReviewRecorder;
  requireClientCert?: boolean | undefined;
  budget: ReviewBudget;
  /** Undefined: large bodies are reviewed on the event loop, one at a time. */
  largeReviewer?: LargeReviewer | undefined;
}

/** The endpoint a request is for, matched as express's router would (case-insensitive, one trailing slash). */
function admissionEndpoint(req: IncomingMessage): Endpoint | undefined {
  if (req.method !== 'POST') return undefined;
  const url = req.url ?? '';
  const query = url.indexOf('?');
  let path = (query < 0 ? url : url.slice(0, query)).toLowerCase();
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path === '/mutate' ? 'mutate' : path === '/validate' ? 'validate' : undefined;
}

/** Why a request is not a review we read, checked on the headers alone; undefined when it may be. */
function refusal(req: IncomingMessage, requireClientCert: boolean | undefined): { status: number; message: string } | undefined {
  if (requireClientCert && !(req.socket as TLSSocket).authorized) {
    const socket = req.socket as TLSSocket;
    const presented = Object.keys(socket.getPeerCertificate()).length > 0;
    return { status: 403, message: `a client certificate signed by the configured client CA is required (${presented ? `the one presented failed verification: ${String(socket.authorizationError)}` : 'none was presented'})` };
  }
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
    return { status: 400, message: 'the request has no body: POST an AdmissionReview as application/json' };
  }
  // The API server always sends application/json in UTF-8, uncompressed; anything else is not a review.
  const type = req.headers['content-type'];
  const [media = '', ...params] = (type ?? '').split(';');
  if (media.trim().toLowerCase() !== 'application/json') return { status: 415, message: `content type must be application/json, got ${type ?? 'none'}` };
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    const charset = value.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (name.trim().toLowerCase() === 'charset' && charset !== 'utf-8') return { status: 415, message: `unsupported charset "${charset.toUpperCase()}": the body must be UTF-8` };
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return { status: 415, message: `unsupported content encoding "${encoding}"` };
  if (length !== undefined && Number(length) > MAX_BODY_BYTES) return { status: 413, message: `request body exceeds ${MAX_BODY_BYTES} bytes, the API server's limit` };
  return undefined;
}

/** The route: a function that answers an admission request and returns true, or returns false for express. */
export function createAdmissionRoute(deps: AdmissionRouteDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { budget } = deps;

  const refuse = (endpoint: Endpoint, res: ServerResponse, status: number, message: string, headers?: Record<string, string>) => deps.refuse(res, { endpoint, status, message, headers });

  const answered = (endpoint: Endpoint, res: ServerResponse, answer: BodyAnswer) => {
    const { refusal } = answer;
    if (!refusal) return writeAnswer(res, answer.status, answer.text);
    // The answer made from the body keeps the review's apiVersion and uid.
    deps.refuse(res, { endpoint, status: refusal.status, message: refusal.error, text: answer.text, log: { fields: { endpoint, uid: refusal.uid, error: refusal.error }, msg: 'malformed admission review' } });
  };

  const review = async (endpoint: Endpoint, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const length = req.headers['content-length'];
    // Without a length (chunked), the body may be as large as the limit: it is budgeted so.
    const declared = length === undefined ? undefined : Number(length);
    const pending = budget.admit(declared ?? MAX_BODY_BYTES);
    const admission = pending instanceof Promise ? await pending : pending;
    if (!admission) {
      // Answered before the body is read; Node drops the unread rest once the answer is written.
      refuse(endpoint, res, 429, `the webhook is reviewing as many bytes as its memory budget allows (${budget.settings.maxBytes} bytes of bodies, ${budget.settings.maxReviews} reviews); retry shortly`, { 'retry-after': '1' });
      return;
    }
    try {
      let body: Buffer;
      try {
        body = await readBody(req, declared, MAX_BODY_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLarge) refuse(endpoint, res, 413, `request body exceeds ${MAX_BODY_BYTES} bytes, the API server's limit`);
        // Otherwise the client went away: there is no one to answer.
        return;
      }
      if (!budget.isLarge(body.length)) {
        answered(endpoint, res, answerBody(endpoint, body, deps.review));
      } else if (deps.largeReviewer) {
        const { answer, records } = await deps.largeReviewer(endpoint, body, deps.config());
        answered(endpoint, res, answer);
        for (const record of records) deps.record(record);
      } else {
        answered(endpoint, res, await budget.inLargeLane(() => Promise.resolve(answerBody(endpoint, body, deps.review))));
      }
    } finally {
      admission.release();
    }
  };

  return (req, res) => {
    const endpoint = admissionEndpoint(req);
    if (!endpoint) return false;
    const refused = refusal(req, deps.requireClientCert);
    if (refused) {
      refuse(endpoint, res, refused.status, refused.message);
      return true;
    }
    review(endpoint, req, res).catch((error: unknown) => {
      deps.refuse(res, { endpoint, status: 500, message: 'internal error', log: { fields: { err: error, path: req.url }, msg: 'unexpected error' } });
    });
    return true;
  };
}
