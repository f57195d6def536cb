// probe-routes.ts: the routes express used to serve, matched as its default router did.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { createProbeRoutes, routePath, splitUrl, type Readiness } from '../../../src/server/probe-routes.js';
import { countedRefusals } from '../../../src/server/refusals.js';
import { createLogger } from '../../../src/observability/logger.js';
import { WebhookMetrics } from '../../../src/observability/metrics.js';

async function withRoutes(readiness: Readiness, metrics: WebhookMetrics, run: (send: (method: string, path: string) => Promise<{ status: number; type: string; body: string }>) => Promise<void>): Promise<void> {
  const logger = createLogger({ level: 'silent' });
  const server = createServer(createProbeRoutes({ metrics, readiness, refuse: countedRefusals({ metrics, logger }) }));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  const send = (method: string, path: string) => new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
  try {
    await run(send);
  } finally {
    server.close();
  }
}

describe('probe routes', () => {
  it('paths: case-insensitive, one trailing slash, the query apart', () => {
    assert.deepEqual(splitUrl('/ReadyZ/?verbose'), { path: '/ReadyZ/', query: 'verbose' });
    assert.equal(routePath('/ReadyZ/'), '/readyz');
    assert.equal(routePath('/'), '/');
    assert.equal(routePath('/healthz//'), '/healthz/');
  });

  it('healthz, readyz (verbose details only when asked), metrics; HEAD as GET without a body', async () => {
    let reasons: string[] = [];
    const metrics = new WebhookMetrics();
    await withRoutes({ notReadyReasons: () => reasons, details: () => ['watch ok'] }, metrics, async (send) => {
      assert.deepEqual(await send('GET', '/healthz'), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok' });
      assert.deepEqual(await send('GET', '/HEALTHZ/'), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok' });
      assert.deepEqual(await send('HEAD', '/healthz'), { status: 200, type: 'text/plain; charset=utf-8', body: '' });
      assert.equal((await send('GET', '/readyz')).body, 'ok');
      assert.equal((await send('GET', '/readyz?verbose')).body, 'ok\nwatch ok');
      reasons = ['shutting down'];
      assert.deepEqual(await send('GET', '/readyz'), { status: 503, type: 'text/plain; charset=utf-8', body: 'not ready: shutting down' });
      const scraped = await send('GET', '/metrics');
      assert.equal(scraped.status, 200);
      assert.match(scraped.body, /calico_ipv6_webhook_ready 0/);
    });
  });

  it('anything else is a JSON 404 naming the routes, other methods on a probe path too', async () => {
    await withRoutes({ notReadyReasons: () => [] }, new WebhookMetrics(), async (send) => {
      for (const [method, path] of [['GET', '/nope?x=1'], ['POST', '/healthz'], ['DELETE', '/metrics']] as const) {
        const got = await send(method, path);
        assert.equal(got.status, 404);
        assert.equal(got.type, 'application/json; charset=utf-8');
        assert.deepEqual(JSON.parse(got.body), { error: `no route for ${method} ${path.split('?')[0]}; POST /mutate or /validate, GET /healthz, /readyz, /metrics` });
      }
    });
  });

  it('a failing metrics scrape is a counted 500 refusal, and the server goes on', async () => {
    const metrics = new WebhookMetrics();
    metrics.registry.metrics = () => Promise.reject(new Error('collector broke'));
    await withRoutes({ notReadyReasons: () => [] }, metrics, async (send) => {
      const got = await send('GET', '/metrics');
      assert.equal(got.status, 500);
      assert.equal((JSON.parse(got.body) as { response: { status: { message: string } } }).response.status.message, 'internal error');
      assert.equal((await send('GET', '/healthz')).status, 200);
    });
  });
});
