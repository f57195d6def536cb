// Starting the real HTTPS server for a test, and talking to it over real TLS, each request on a new
// connection unless an agent is given.
import { request as httpsRequest, type Agent } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/observability/logger.js';
import type { TestContext } from 'node:test';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/serve.js';
import { writeSelfSignedServing, type WrittenServingFiles } from '../../src/server/certificates.js';
import type { ConfigOverrides } from '../../src/config/load.js';

export interface TestServer {
  running: RunningServer;
  url: string;
  ca: string;
  files: WrittenServingFiles;
  dir: string;
  /** Every log line written so far, as text (one JSON object per line). */
  logLines: string[];
  logs(): Record<string, unknown>[];
}

export interface TestServerOptions extends Partial<Omit<ServeOptions, 'config' | 'logger'>> {
  flags?: ConfigOverrides;
  configFile?: string;
  logLevel?: string;
}

/** A server on 127.0.0.1, an ephemeral port and a fresh self-signed CA; closed when the test ends. */
export async function startTestServer(t: TestContext, options: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ciw-test-'));
  const files = await writeSelfSignedServing(join(dir, 'pki'));
  const logLines: string[] = [];
  // The production logger (its redaction included), writing into memory.
  const logger = createLogger({ level: options.logLevel ?? 'info', destination: { write: (line: string) => void logLines.push(line) } });
  const { flags, configFile, logLevel: _logLevel, ...rest } = options;
  const running = await startServer({
    port: 0,
    host: '127.0.0.1',
    tls: { certPath: files.certPath, keyPath: files.keyPath },
    shutdownDelaySeconds: 0,
    shutdownTimeoutSeconds: 2,
    reloadIntervalMs: 100,
    ...rest,
    config: { file: configFile, env: {}, flags: flags ?? {} },
    logger,
  });
  t.after(async () => {
    await running.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    running,
    url: running.url,
    ca: files.caPem,
    files,
    dir,
    logLines,
    logs: () => logLines.join('').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, unknown>;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string | number>;
  ca?: string;
  agent?: Agent | false;
  cert?: string;
  key?: string;
  timeoutMs?: number;
}

/** A response read to its end. */
export function replyOf(res: IncomingMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
    });
  });
}

/** One request; the body is sent as given (string or bytes), JSON-encoded when it is an object. */
export function send(url: string, path: string, body?: unknown, options: SendOptions = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const headers: Record<string, string | number> = { ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...options.headers };
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, url), {
      method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
      headers,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      agent: options.agent ?? false,
      timeout: options.timeoutMs ?? 10_000,
    }, (res) => void replyOf(res).then(resolve, reject));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export interface ReviewResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason?: string; message: string };
  patchType?: string;
  patch?: string;
  warnings?: string[];
}

/** The `response` of an AdmissionReview answer. */
export function responseOf(reply: Reply): ReviewResponse {
  const body = reply.json();
  return body.response as ReviewResponse;
}

export function decodePatch(response: ReviewResponse): { op: string; path: string; value?: unknown }[] {
  return response.patch ? (JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as { op: string; path: string; value?: unknown }[]) : [];
}

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'ciw-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

