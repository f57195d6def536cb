// Every request refused before (or instead of) a review ends here: one decorator counts it in
// calico_ipv6_webhook_bad_requests_total and logs it, and one writer puts the refusal on the wire, as an
// AdmissionReview with the HTTP status it names. The writer serves a response Node parsed and a bare
// socket Node could not parse a request from (clientError), so both refuse in the same words and bytes.
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { refusalText } from '../admission/body.js';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';

/** The endpoint label of a refusal: an admission endpoint, or `other` (probes, metrics, unparsed requests). */
export type RefusalEndpoint = 'mutate' | 'validate' | 'other';

/** Where a refusal goes: the response to a parsed request, or the socket of one Node could not parse. */
export type RefusalTarget = ServerResponse | Duplex;

export interface Refusal {
  endpoint: RefusalEndpoint;
  status: number;
  /** The answer's message (status.message of the AdmissionReview). */
  message: string;
  /** The serialized answer when it is already made (it keeps the request's apiVersion and uid). */
  text?: string | undefined;
  /** Extra response headers (retry-after). */
  headers?: Record<string, string> | undefined;
  /** The log line's fields and message (default: path, status and error, 'bad request'); level error from 500. */
  log?: { fields: Record<string, unknown>; msg: string } | undefined;
}

function isResponse(target: RefusalTarget): target is ServerResponse {
  return 'writeHead' in target;
}

/**
 * The one raw writer of a JSON answer (a review's, or a refusal). A response already started or gone is
 * left alone; on a bare socket the answer says `connection: close` (the caller destroys the socket).
 */
export function writeAnswer(target: RefusalTarget, status: number, text: string, headers: Record<string, string> = {}): void {
  const head = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers };
  if (isResponse(target)) {
    if (target.headersSent || target.destroyed) return;
    target.writeHead(status, head);
    target.end(text);
    return;
  }
  if (!target.writable) return;
  const lines = Object.entries({ ...head, connection: 'close' }).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  target.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${lines}\r\n${text}`);
}

/** The decorator: counts and logs a refusal, then writes it (no target: the socket is past answering). */
export type Refuse = (target: RefusalTarget | undefined, refusal: Refusal) => void;

export function countedRefusals(deps: { metrics: WebhookMetrics; logger: Logger }): Refuse {
  const { metrics, logger } = deps;
  return (target, refusal) => {
    const { endpoint, status, message } = refusal;
    metrics.badRequests.inc({ endpoint, status: String(status) });
    const { fields, msg } = refusal.log ?? { fields: { path: `/${endpoint}`, status, error: message }, msg: 'bad request' };
    if (status >= 500) logger.error(fields, msg);
    else logger.warn(fields, msg);
    if (target) writeAnswer(target, status, refusal.text ?? refusalText(status, message), refusal.headers);
  };
}
