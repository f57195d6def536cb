// The two floors the webhook is measured against, each run as its own process:
//   https   - a bare node:https server that reads the request body and answers fixed bytes: the most
//             this runtime can do per request on this machine;
//   express - an express app with the webhook's own JSON body parsing (express.json, same limit,
//             etag and x-powered-by off) answering the same fixed bytes: the framework's floor;
//   https-json - the bare https server reading the body into one buffer and JSON.parse-ing it, then the
//             same fixed bytes: with `express`, what express's own request handling costs.
//   https-spin - the bare https server spending a given CPU time per request (a busy loop, no
//             allocation) before the same fixed bytes: how many req/s a handler of known cost gets on
//             this transport (bench/budget.ts: the review cost each goal allows).
// POST /floor/<bytes> answers a JSON body of exactly that many bytes, so that each floor is measured
// with an answer the size of the webhook's answer to the same review; https-spin reads
// POST /floor/<bytes>/<microseconds>.
// Usage: node --import tsx bench/floor-server.ts https|https-json|https-spin|express CERT KEY
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import express from 'express';

const [kind, certPath, keyPath] = process.argv.slice(2);
if (!['https', 'https-json', 'https-spin', 'express'].includes(kind ?? '') || !certPath || !keyPath) {
  process.stderr.write('usage: floor-server.ts https|https-json|https-spin|express CERT KEY\n');
  process.exit(2);
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const answers = new Map<number, Buffer>();

/** A JSON AdmissionReview-like body of exactly `size` bytes (cached: the floor does no work per request). */
function answerOf(size: number): Buffer {
  let answer = answers.get(size);
  if (!answer) {
    const head = '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"floor","allowed":true,"pad":"';
    const tail = '"}}';
    answer = Buffer.from(head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail);
    answers.set(size, answer);
  }
  return answer;
}

function sizeOf(url: string | undefined): number {
  const match = /^\/floor\/(\d+)/.exec(url ?? '');
  return match ? Math.min(Number(match[1]), MAX_BODY_BYTES) : 64;
}

const tls = { cert: readFileSync(certPath), key: readFileSync(keyPath), minVersion: 'TLSv1.2' as const };

let handler: Parameters<typeof createServer>[1];
if (kind === 'https') {
  handler = (req, res) => {
    // Read the whole body, as any server must, then answer.
    req.on('data', () => undefined);
    req.on('end', () => {
      const answer = answerOf(sizeOf(req.url));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length });
      res.end(answer);
    });
  };
} else if (kind === 'https-json') {
  handler = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const answer = answerOf(sizeOf(req.url));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length });
      res.end(answer);
    });
  };
} else if (kind === 'https-spin') {
  handler = (req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      const micros = Number(/^\/floor\/\d+\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
      const until = performance.now() + micros / 1000;
      while (performance.now() < until);
      const answer = answerOf(sizeOf(req.url));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length });
      res.end(answer);
    });
  };
} else {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.post('/floor/:size', express.json({ limit: MAX_BODY_BYTES, strict: true, type: () => true }), (req, res) => {
    res.status(200).type('application/json').send(answerOf(sizeOf(req.url)));
  });
  handler = app;
}

const server = createServer(tls, handler);
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'floor serving', kind, url: `https://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
