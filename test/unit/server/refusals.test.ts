// refusals.ts: the one decorator (count, log, write) and the one writer, on a parsed request's response
// and on a bare socket.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { countedRefusals, writeAnswer, type Refuse } from '../../../src/server/refusals.js';
import { createLogger } from '../../../src/observability/logger.js';
import { WebhookMetrics } from '../../../src/observability/metrics.js';

function captured(): { refuse: Refuse; lines: Record<string, unknown>[]; metrics: WebhookMetrics } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  const metrics = new WebhookMetrics();
  return { refuse: countedRefusals({ metrics, logger }), lines, metrics };
}

/** One request to a server whose handler is `handle`: the status, headers and body it got. */
async function answered(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ status: number; type: string | undefined; extra: string | undefined; body: string }> {
  const server = createServer(handle);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mutate`, { method: 'POST', body: '{}' });
    return { status: res.status, type: res.headers.get('content-type') ?? undefined, extra: res.headers.get('retry-after') ?? undefined, body: await res.text() };
  } finally {
    server.close();
  }
}

describe('refusals', () => {
  it('counts, logs and writes a refusal as an AdmissionReview with its status and headers', async () => {
    const { refuse, lines, metrics } = captured();
    const got = await answered((_req, res) => refuse(res, { endpoint: 'mutate', status: 429, message: 'busy', headers: { 'retry-after': '1' } }));
    assert.equal(got.status, 429);
    assert.equal(got.type, 'application/json; charset=utf-8');
    assert.equal(got.extra, '1');
    assert.deepEqual(JSON.parse(got.body), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: '', allowed: false, status: { code: 429, message: 'busy' } } });
    assert.match(await metrics.registry.metrics(), /calico_ipv6_webhook_bad_requests_total\{endpoint="mutate",status="429"\} 1/);
    assert.deepEqual(lines.map((l) => [l.level, l.msg, l.path, l.status, l.error]), [['warn', 'bad request', '/mutate', 429, 'busy']]);
  });

  it('a made answer is written as it is; its own log line is kept; 500 logs at error', async () => {
    const { refuse, lines } = captured();
    const got = await answered((_req, res) => refuse(res, { endpoint: 'validate', status: 500, message: 'internal error', text: '{"made":true}', log: { fields: { path: '/validate' }, msg: 'unexpected error' } }));
    assert.equal(got.status, 500);
    assert.equal(got.body, '{"made":true}');
    assert.deepEqual(lines.map((l) => [l.level, l.msg]), [['error', 'unexpected error']]);
  });

  it('without a target it only counts and logs', async () => {
    const { refuse, lines, metrics } = captured();
    refuse(undefined, { endpoint: 'other', status: 408, message: 'slow', log: { fields: { status: 408 }, msg: 'bad request' } });
    assert.match(await metrics.registry.metrics(), /calico_ipv6_webhook_bad_requests_total\{endpoint="other",status="408"\} 1/);
    assert.equal(lines.length, 1);
  });

  it('on a bare socket the writer puts a whole HTTP answer that closes the connection', () => {
    const socket = new PassThrough();
    let written = '';
    socket.on('data', (chunk: Buffer) => (written += chunk.toString()));
    writeAnswer(socket, 431, '{"x":1}');
    const [head = '', body] = written.split('\r\n\r\n');
    assert.deepEqual(head.split('\r\n'), ['HTTP/1.1 431 Request Header Fields Too Large', 'content-type: application/json; charset=utf-8', 'content-length: 7', 'connection: close']);
    assert.equal(body, '{"x":1}');
  });

  it('a response already answered is left alone', async () => {
    const got = await answered((_req, res) => {
      writeAnswer(res, 200, '{"first":true}');
      writeAnswer(res, 400, '{"second":true}');
    });
    assert.equal(got.status, 200);
    assert.equal(got.body, '{"first":true}');
  });
});
