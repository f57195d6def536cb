// GET (and HEAD) /healthz, /readyz and /metrics, and the JSON 404 for everything else that is not an
// admission endpoint. Four fixed routes need no framework: express cost ~45 ms of start-up and ~15 MB of
// idle memory (Node 26) for them. Paths match as express's default router did: case-insensitive, one
// trailing slash allowed, the query apart.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookMetrics } from '../observability/metrics.js';
import type { Refuse } from './refusals.js';

export interface Readiness {
  /** Empty when ready; otherwise why not (configuration, certificates, shutting down, ...). */
  notReadyReasons(): string[];
  /** Extra lines for /readyz?verbose (e.g. discovery mismatches); never make the server unready. */
  details?(): string[];
}

export interface ProbeRouteDeps {
  metrics: WebhookMetrics;
  readiness: Readiness;
  refuse: Refuse;
}

/** The request's path without its query, as sent, and the query. */
export function splitUrl(url: string | undefined): { path: string; query: string } {
  const text = url ?? '/';
  const at = text.indexOf('?');
  return at < 0 ? { path: text, query: '' } : { path: text.slice(0, at), query: text.slice(at + 1) };
}

/** The path as the routes compare it: lower case, one trailing slash dropped. */
export function routePath(path: string): string {
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  // For HEAD Node writes the headers only.
  res.end(body);
}

const TEXT = 'text/plain; charset=utf-8';

export function createProbeRoutes(deps: ProbeRouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { metrics, readiness } = deps;
  const notFound = (req: IncomingMessage, res: ServerResponse, path: string) => {
    send(res, 404, 'application/json; charset=utf-8', JSON.stringify({ error: `no route for ${req.method ?? ''} ${path}; POST /mutate or /validate, GET /healthz, /readyz, /metrics` }));
  };
  const failed = (res: ServerResponse, error: unknown, path: string) => {
    deps.refuse(res, { endpoint: 'other', status: 500, message: 'internal error', log: { fields: { err: error, path }, msg: 'unexpected error' } });
  };
  return (req, res) => {
    const { path, query } = splitUrl(req.url);
    const route = req.method === 'GET' || req.method === 'HEAD' ? routePath(path) : undefined;
    try {
      if (route === '/healthz') return send(res, 200, TEXT, 'ok');
      if (route === '/readyz') {
        const reasons = readiness.notReadyReasons();
        metrics.ready.set(reasons.length === 0 ? 1 : 0);
        const details = new URLSearchParams(query).has('verbose') ? (readiness.details?.() ?? []) : [];
        const body = [reasons.length === 0 ? 'ok' : `not ready: ${reasons.join('; ')}`, ...details].join('\n');
        return send(res, reasons.length === 0 ? 200 : 503, TEXT, body);
      }
      if (route === '/metrics') {
        metrics.registry.metrics().then((text) => send(res, 200, metrics.registry.contentType, text), (error: unknown) => failed(res, error, path));
        return;
      }
      notFound(req, res, path);
    } catch (error) {
      failed(res, error, path);
    }
  };
}
