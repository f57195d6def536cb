// The webhook process under SIGTERM while busy, and its configuration reloaded from disk while running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpsRequest } from 'node:https';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calicoNodeDaemonSet, calicoNodeEnv, review } from '../../support/reviews.js';
import { decodePatch, responseOf, send, tempDir, type Reply } from '../../support/server.js';
import { eventually } from '../../support/wait.js';
import { spawnWebhook } from '../../support/child.js';
import { applyPatch } from 'rfc6902';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A review whose body arrives in two halves, the second after `gapMs`: in flight across a moment. */
function slowReview(url: string, ca: string, uid: string, gapMs: number): Promise<Reply> {
  const body = JSON.stringify(review(calicoNodeDaemonSet(), { uid }));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL('/mutate', url), { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.write(body.slice(0, 1000));
    setTimeout(() => req.end(body.slice(1000)), gapMs);
  });
}

test('SIGTERM under load: unready first, in-flight and new reviews succeed during the delay, then refused, exit 0', async (t) => {
  const delayMs = 2000;
  const webhook = await spawnWebhook(t, ['--shutdown-delay', String(delayMs / 1000), '--shutdown-timeout', '5']);
  const { url, ca } = webhook;
  assert.equal((await send(url, '/readyz', undefined, { ca })).status, 200);

  // The load: two keep-alive workers, reviews back to back, until shortly before the delay ends.
  const agent = new Agent({ keepAlive: true, maxSockets: 2, ca });
  t.after(() => agent.destroy());
  let stopAt = Date.now() + 60_000;
  let ok = 0;
  let okAfterSignal = 0;
  let signalledAt = 0;
  const failed: string[] = [];
  const body = review(calicoNodeDaemonSet(), { uid: 'load' });
  const worker = async () => {
    for (let i = 0; i < 100_000 && Date.now() < stopAt; i++) {
      try {
        const reply = await send(url, '/mutate', body, { ca, agent });
        if (reply.status === 200 && responseOf(reply).patchType === 'JSONPatch') {
          ok++;
          if (signalledAt > 0) okAfterSignal++;
        } else failed.push(`HTTP ${reply.status}: ${reply.text.slice(0, 200)}`);
      } catch (error) {
        failed.push((error as Error).message);
      }
    }
  };
  const load = Promise.all([worker(), worker()]);
  await sleep(500);

  const inFlight = slowReview(url, ca, 'in-flight', 800);
  const acrossClose = slowReview(url, ca, 'across-close', delayMs + 600);
  await sleep(100);
  signalledAt = Date.now();
  stopAt = signalledAt + delayMs - 500;
  assert.ok(webhook.child.kill('SIGTERM'));

  // Readiness goes false at once.
  await eventually(async () => {
    const ready = await send(url, '/readyz', undefined, { ca });
    assert.equal(ready.status, 503);
    assert.match(ready.text, /shutting down/);
  }, 1000, 20);
  const unreadyAfter = Date.now() - signalledAt;
  assert.ok(unreadyAfter < delayMs / 2, `unready ${unreadyAfter} ms after SIGTERM`);

  // New connections are still accepted during the delay.
  const fresh = await send(url, '/mutate', review(calicoNodeDaemonSet(), { uid: 'during-delay' }), { ca });
  assert.equal(fresh.status, 200);
  assert.equal(fresh.headers.connection, 'close', 'clients are told to reconnect elsewhere');

  await load;
  assert.deepEqual(failed, [], 'no failed request from the load');
  assert.ok(ok >= 50, `the load ran (${ok} reviews)`);
  assert.ok(okAfterSignal >= 10, `reviews succeeded during the delay (${okAfterSignal})`);

  const first = await inFlight;
  assert.equal(first.status, 200);
  assert.equal(responseOf(first).uid, 'in-flight');

  // After the delay the listener is closed: new connections are refused while the in-flight one finishes.
  await sleep(signalledAt + delayMs + 250 - Date.now());
  await assert.rejects(send(url, '/healthz', undefined, { ca, timeoutMs: 2000 }), /ECONNREFUSED/);
  const second = await acrossClose;
  assert.equal(second.status, 200, 'a review in flight when the listener closed is answered');
  assert.equal(responseOf(second).uid, 'across-close');

  const exit = await Promise.race([webhook.exited, sleep(10_000).then(() => ({ code: 'timeout', signal: null }))]);
  assert.deepEqual(exit, { code: 0, signal: null });
  const messages = webhook.logs.map((l) => l.msg);
  assert.ok(messages.includes('shutting down: readiness is now false'));
  assert.ok(messages.includes('shut down'));
});

/** A ConfigMap volume: config.yaml -> ..data/config.yaml, updated by swapping the ..data link. */
function configVolume(root: string) {
  let generation = 0;
  const publish = (text: string): void => {
    const folder = `..gen_${++generation}`;
    mkdirSync(join(root, folder), { recursive: true });
    writeFileSync(join(root, folder, 'config.yaml'), text);
    symlinkSync(folder, join(root, '..data_tmp'));
    renameSync(join(root, '..data_tmp'), join(root, '..data'));
  };
  mkdirSync(root, { recursive: true });
  return {
    path: join(root, 'config.yaml'),
    init(text: string): void {
      publish(text);
      symlinkSync('..data/config.yaml', join(root, 'config.yaml'));
    },
    publish,
  };
}

async function poolCidr(url: string, ca: string): Promise<string | undefined> {
  const object = calicoNodeDaemonSet();
  const reply = await send(url, '/mutate', review(object, { uid: 'cfg' }), { ca });
  assert.equal(reply.status, 200);
  const patched = structuredClone(object);
  applyPatch(patched, decodePatch(responseOf(reply)) as Parameters<typeof applyPatch>[1]);
  return calicoNodeEnv(patched).get('CALICO_IPV6POOL_CIDR');
}

test('a changed configuration file is used without restart; an invalid one keeps the last good one', async (t) => {
  const dir = tempDir(t);
  const volume = configVolume(join(dir, 'config-volume'));
  volume.init('mode: ipv6-only\npodCIDR: fd20::/112\n');
  const webhook = await spawnWebhook(t, ['--config', volume.path, '--shutdown-delay', '0']);
  const { url, ca } = webhook;
  assert.equal(await poolCidr(url, ca), 'fd20::/112');

  volume.publish('mode: ipv6-only\npodCIDR: fd30::/112\n');
  const changedAt = Date.now();
  await eventually(async () => assert.equal(await poolCidr(url, ca), 'fd30::/112'), 5000, 100);
  assert.ok(Date.now() - changedAt < 5000);

  volume.publish('mode: ipv6-only\npodCIDR: 10.244.0.0/16\n');
  await eventually(async () => {
    const metrics = (await send(url, '/metrics', undefined, { ca })).text;
    assert.match(metrics, /calico_ipv6_webhook_reloads_total\{what="config",result="error"\} 1/);
  }, 5000, 100);
  assert.equal(await poolCidr(url, ca), 'fd30::/112', 'the last good configuration stays');
  assert.ok(webhook.logs.some((l) => l.msg === 'configuration reload failed; keeping the previous one' && /podCIDR/.test(String(l.error))));
  const metrics = (await send(url, '/metrics', undefined, { ca })).text;
  assert.match(metrics, /calico_ipv6_webhook_reloads_total\{what="config",result="ok"\} 1/);
  assert.equal((await send(url, '/readyz', undefined, { ca })).status, 200, 'still ready');
});
