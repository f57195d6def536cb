// Runs the webhook: the files it serves (serving-files.ts: configuration and TLS, reloaded), the HTTPS
// server with its timeouts and the refusal of requests Node cannot parse, and the graceful shutdown
// (shutdown.ts) that turns unready first, finishes in-flight reviews, then closes.
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { ConfigStore } from '../config/store.js';
import type { ConfigSource } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import { WebhookMetrics } from '../observability/metrics.js';
import { createApp, MAX_BODY_BYTES } from './app.js';
import { LargeReviewWorker } from './large-reviews.js';
import { budgetForMemoryLimit, DEFAULT_MEMORY_LIMIT_BYTES, ReviewBudget } from './review-budget.js';
import { MIN_TLS_VERSION, type TlsReloader, type TlsFiles } from './tls-files.js';
import { countedRefusals, writeAnswer, type Refuse } from './refusals.js';
import { servingFiles } from './serving-files.js';
import { gracefulShutdown } from './shutdown.js';
import { refusalText } from '../admission/body.js';
import type { ClusterView } from '../admission/handler.js';

/** How long a client may take; slow senders cannot hold a socket (or a TLS handshake) open forever. */
export interface ServerTimeouts {
  /** TLS handshake, from the TCP connection on. */
  handshakeMs: number;
  /** Request line and headers. */
  headersMs: number;
  /** The whole request, body included. The API server sends a review at once, within its own timeout (<= 30 s). */
  requestMs: number;
  /** An idle keep-alive connection. */
  keepAliveMs: number;
  /** How often headersMs and requestMs are checked: they fire up to this much late. */
  checkIntervalMs: number;
}

const DEFAULT_TIMEOUTS: Readonly<ServerTimeouts> = {
  handshakeMs: 10_000,
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 30_000,
  checkIntervalMs: 1_000,
};

export interface ServeOptions {
  config: ConfigSource;
  port: number;
  host: string;
  tls?: TlsFiles | undefined;
  /**
   * Clients of /mutate and /validate must present a certificate signed by this CA (the API server's);
   * also with a self-signed serving certificate. Overrides tls.clientCaPath.
   */
  clientCaPath?: string | undefined;
  timeouts?: Partial<ServerTimeouts> | undefined;
  /** Where a self-signed CA and certificate are written when no TLS files are given. */
  selfSignedDir?: string | undefined;
  /** Seconds between turning unready and refusing new connections, so endpoints drop this pod first. */
  shutdownDelaySeconds: number;
  /** Seconds in-flight requests get to finish once the listener is closed. */
  shutdownTimeoutSeconds: number;
  reloadIntervalMs?: number;
  logger: Logger;
  metrics?: WebhookMetrics;
  cluster?: ClusterView;
  /** The container's memory limit, which sizes the review budget (default: the chart's 256 MiB). */
  memoryLimitBytes?: number | undefined;
  /** Extra readiness conditions and details (e.g. cluster discovery). */
  readinessExtra?: { notReadyReasons(): string[]; details(): string[] };
}

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** Set when the server made its own certificate: the CA to trust. */
  caPath: string | undefined;
  configStore: ConfigStore;
  tls: TlsReloader;
  metrics: WebhookMetrics;
  /** The budget of reviews in flight (its peak is what tests check the bound against). */
  budget: ReviewBudget;
  /** Graceful: unready, wait the delay, stop accepting, let in-flight finish, close. */
  shutdown(): Promise<void>;
}

/**
 * Node's own answer to a request it cannot parse or that came too slowly is a bare status line; this one
 * says why, as an AdmissionReview like every other refusal. The socket is closed either way.
 */
function clientErrorHandler(refuse: Refuse, timeouts: ServerTimeouts): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  return (error, socket) => {
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const message = status === 408
      ? `the request did not arrive in time (headers within ${timeouts.headersMs} ms, the whole request within ${timeouts.requestMs} ms)`
      : status === 431 ? 'request headers too large' : `malformed HTTP request (${error.code ?? 'parse error'})`;
    // Only a socket nothing was written to yet can still carry an answer.
    const target = (socket as Socket).bytesWritten === 0 ? socket : undefined;
    // A client that reset the connection is not a bad request: answered if it can be, not counted.
    if (error.code === 'ECONNRESET') {
      if (target) writeAnswer(target, status, refusalText(status, message));
    } else {
      refuse(target, { endpoint: 'other', status, message, log: { fields: { status, error: error.code ?? error.message }, msg: 'bad request' } });
    }
    socket.destroy(error);
  };
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { logger } = options;
  const metrics = options.metrics ?? new WebhookMetrics();
  const files = await servingFiles({ config: options.config, tls: options.tls, clientCaPath: options.clientCaPath, selfSignedDir: options.selfSignedDir, logger, metrics });
  const { configStore, tls, clientCaPath } = files;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };

  let shuttingDown = false;
  const budget = new ReviewBudget(budgetForMemoryLimit(options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES, MAX_BODY_BYTES));
  // Large bodies off the event loop, unless discovery runs: the rules then ask its cache, which lives here.
  const largeReviews = options.cluster ? undefined : new LargeReviewWorker(budget.settings.workerHeapMb);
  const app = createApp({
    budget,
    largeReviewer: largeReviews ? (endpoint, body, config) => largeReviews.review(endpoint, body, config) : undefined,
    config: () => configStore.current,
    logger,
    metrics,
    cluster: options.cluster,
    requireClientCert: Boolean(clientCaPath),
    readiness: {
      notReadyReasons: () => [...(shuttingDown ? ['shutting down'] : []), ...(options.readinessExtra?.notReadyReasons() ?? [])],
      details: () => options.readinessExtra?.details() ?? [],
    },
  });
  const server = createServer({
    ...tls.options,
    minVersion: MIN_TLS_VERSION,
    // The certificate is asked for and verified by TLS; the app refuses unverified clients on the
    // admission endpoints only, since kubelet probes of /healthz and /readyz present none.
    requestCert: Boolean(clientCaPath),
    rejectUnauthorized: false,
    handshakeTimeout: timeouts.handshakeMs,
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionsCheckingInterval: timeouts.checkIntervalMs,
  }, (req, res) => {
    // Keep-alive connections would outlive the shutdown; ask clients to reconnect elsewhere.
    if (shuttingDown) res.setHeader('Connection', 'close');
    app(req, res);
  });
  // Slow senders cannot hold a socket forever; the API server sends a whole review at once.
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.on('tlsClientError', (error) => logger.debug({ error: error.message }, 'TLS handshake failed'));
  server.on('clientError', clientErrorHandler(countedRefusals({ metrics, logger }), timeouts));
  files.watch(options.reloadIntervalMs, (secure) => server.setSecureContext({ ...secure, minVersion: MIN_TLS_VERSION }));
  const shutdown = gracefulShutdown({
    server,
    logger,
    delaySeconds: options.shutdownDelaySeconds,
    timeoutSeconds: options.shutdownTimeoutSeconds,
    unready: () => {
      shuttingDown = true;
      metrics.ready.set(0);
    },
    stopWatching: () => files.close(),
    closeRest: async () => {
      await largeReviews?.close();
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  metrics.ready.set(1);
  logger.info({ url, clientCa: clientCaPath, config: options.config.file ?? '(embedded default)', mode: configStore.current.mode, podCIDR: configStore.current.podCIDR.text }, 'calico-ipv6-webhook serving');
  // The start-up line is what an operator (and a readiness script) waits for: out now, not with the next batch.
  logger.flush();

  return { server, port, url, caPath: files.caPath, configStore, tls, metrics, budget, shutdown };
}
