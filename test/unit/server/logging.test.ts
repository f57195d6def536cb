// Logs: one JSON line per review with what an operator needs, and never the data of a ConfigMap or a
// Secret, whatever the review's outcome and at every log level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calicoConfigMap, calicoNodeDaemonSet, CNI_TEMPLATE, nonTargetConfigMap, review, secret } from '../../support/reviews.js';
import { send, startTestServer } from '../../support/server.js';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, FLUSH_INTERVAL_MS } from '../../../src/observability/logger.js';

const SECRET = 'Zebra-Quartz-7f3c9e51-do-not-log';
const SECRET_B64 = Buffer.from(SECRET).toString('base64');

test('ConfigMap and Secret data never reach the log, at any level and for any outcome', async (t) => {
  const server = await startTestServer(t, { logLevel: 'trace' });
  const withSecret = CNI_TEMPLATE.replace('"__KUBECONFIG_FILEPATH__"', `"__KUBECONFIG_FILEPATH__", "token": "${SECRET}"`);
  const bodies: [string, string, unknown][] = [
    ['calico-config, patched', '/mutate', review(calicoConfigMap(withSecret, { extra: SECRET }), { uid: 'l1' })],
    ['calico-config, validated', '/validate', review(calicoConfigMap(withSecret, { extra: SECRET }), { uid: 'l2' })],
    ['calico-config, unparseable template', '/validate', review(calicoConfigMap(`{"token": "${SECRET}",,`), { uid: 'l3' })],
    ['calico-config, UPDATE with oldObject', '/mutate', review(calicoConfigMap(withSecret), { uid: 'l4', operation: 'UPDATE', oldObject: calicoConfigMap(withSecret, { old: SECRET }) })],
    ['a Secret', '/mutate', review(secret({ password: SECRET_B64 }), { uid: 'l5' })],
    ['a Secret with stringData', '/validate', review({ ...secret({ password: SECRET_B64 }), stringData: { password: SECRET } }, { uid: 'l6' })],
    ['a non-target ConfigMap', '/validate', review(nonTargetConfigMap({ token: SECRET }), { uid: 'l7' })],
    ['a denied calico-node with the string in an env value', '/validate', review(calicoNodeDaemonSet({ env: { IP: SECRET } }), { uid: 'l8' })],
  ];
  for (const [name, path, body] of bodies) {
    const reply = await send(server.url, path, body, { ca: server.ca });
    assert.equal(reply.status, 200, name);
  }
  // Bad requests carrying the data: truncated, duplicate keys, wrong content type, too deep.
  const text = JSON.stringify(review(secret({ password: SECRET_B64, plain: SECRET }), { uid: 'bad' }));
  assert.equal((await send(server.url, '/mutate', text.slice(0, text.indexOf(SECRET) + SECRET.length + 5), { ca: server.ca })).status, 400);
  // V8's JSON.parse message quotes the text around the error: it goes to the client, never to the log.
  const quoted = await send(server.url, '/mutate', text.replace(`"${SECRET}"`, SECRET), { ca: server.ca });
  assert.equal(quoted.status, 400);
  assert.match(quoted.text, /Zebra/, 'the answer quotes the body (this case would leak if logged)');
  assert.equal((await send(server.url, '/mutate', text.replace('"plain"', `"plain":"${SECRET}","plain"`), { ca: server.ca })).status, 400);
  assert.equal((await send(server.url, '/mutate', text, { ca: server.ca, headers: { 'content-type': 'text/plain' } })).status, 415);
  assert.equal((await send(server.url, '/mutate', text.replace('"type":"Opaque"', `"type":${'['.repeat(600)}${']'.repeat(600)}`), { ca: server.ca })).status, 400);

  const log = server.logLines.join('');
  assert.ok(server.logLines.length >= bodies.length, 'something was logged');
  assert.ok(!log.includes(SECRET), 'the secret string is not in the log');
  assert.ok(!log.includes(SECRET_B64), 'nor its base64 form');
  assert.ok(!log.includes('Zebra'), 'nor a piece of it');
});

test('one JSON line per review with uid, kind, namespace, name, operation, decision, patch size and duration', async (t) => {
  const server = await startTestServer(t);
  const sent: { uid: string; path: string; body: unknown; kind: string; namespace: string; name: string; operation: string; decision: string; patched: boolean }[] = [
    { uid: 'r1', path: '/mutate', body: review(calicoNodeDaemonSet(), { uid: 'r1' }), kind: 'DaemonSet', namespace: 'kube-system', name: 'calico-node', operation: 'CREATE', decision: 'patched', patched: true },
    { uid: 'r2', path: '/validate', body: review(calicoNodeDaemonSet({ env: { IP6: 'none' } }), { uid: 'r2' }), kind: 'DaemonSet', namespace: 'kube-system', name: 'calico-node', operation: 'CREATE', decision: 'denied', patched: false },
    { uid: 'r3', path: '/mutate', body: review(calicoConfigMap(), { uid: 'r3', operation: 'UPDATE', oldObject: calicoConfigMap() }), kind: 'ConfigMap', namespace: 'kube-system', name: 'calico-config', operation: 'UPDATE', decision: 'patched', patched: true },
    { uid: 'r4', path: '/mutate', body: review(secret({ a: SECRET_B64 }), { uid: 'r4' }), kind: 'Secret', namespace: 'shop', name: 'db-credentials', operation: 'CREATE', decision: 'allowed', patched: false },
    { uid: 'r5', path: '/validate', body: review(nonTargetConfigMap(), { uid: 'r5', operation: 'DELETE', oldObject: nonTargetConfigMap() }), kind: 'ConfigMap', namespace: 'shop', name: 'shop-frontend', operation: 'DELETE', decision: 'allowed', patched: false },
  ];
  (sent[4]?.body as { request: Record<string, unknown> }).request.object = null;
  for (const s of sent) assert.equal((await send(server.url, s.path, s.body, { ca: server.ca })).status, 200);

  const lines = server.logLines.join('').split('\n').filter((l) => l !== '');
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
  const reviews = server.logs().filter((l) => l.msg === 'review');
  assert.equal(reviews.length, sent.length, 'exactly one line per review');
  for (const s of sent) {
    const matching = reviews.filter((l) => l.uid === s.uid);
    assert.equal(matching.length, 1, `one line for ${s.uid}`);
    const line = matching[0] as Record<string, unknown>;
    assert.equal(line.level, 'info');
    assert.equal(line.endpoint, s.path.slice(1));
    assert.equal(line.kind, s.kind);
    assert.equal(line.namespace, s.namespace);
    assert.equal(line.name, s.name);
    assert.equal(line.operation, s.operation);
    assert.equal(line.decision, s.decision);
    assert.equal(typeof line.patchOperations, 'number');
    assert.equal((line.patchOperations as number) > 0, s.patched, `${s.uid} patchOperations ${String(line.patchOperations)}`);
    assert.equal(typeof line.durationMs, 'number');
    assert.ok((line.durationMs as number) >= 0 && (line.durationMs as number) < 5000);
    assert.equal(typeof line.time, 'string');
    for (const key of ['object', 'oldObject', 'data', 'request']) assert.equal(line[key], undefined, `no ${key} in the line`);
  }
});

test('an object passed to the logger by mistake has its data censored', async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
  const configMap = calicoConfigMap(CNI_TEMPLATE, { token: SECRET });
  logger.info({ object: configMap, oldObject: configMap }, 'objects');
  logger.warn({ request: { uid: 'x', object: configMap, oldObject: configMap } }, 'a request');
  logger.error({ configMap, secret: { ...secret({ a: SECRET_B64 }), stringData: { b: SECRET } } }, 'nested data');
  logger.debug({ binary: { binaryData: { b: SECRET_B64 } } }, 'binary');
  assert.equal(lines.length, 4);
  const log = lines.join('');
  assert.ok(!log.includes(SECRET) && !log.includes(SECRET_B64), log);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(parsed[0]?.object, '[redacted]');
  assert.equal(parsed[1]?.request.uid, 'x', 'the rest of the entry is kept');
  assert.equal(parsed[1]?.request.object, '[redacted]');
  assert.equal(parsed[2]?.configMap.data, '[redacted]');
  assert.equal(parsed[2]?.configMap.metadata.name, 'calico-config');
  assert.equal(parsed[2]?.secret.stringData, '[redacted]');
  assert.equal(parsed[3]?.binary.binaryData, '[redacted]');
  assert.equal((configMap.data as Record<string, string>).token, SECRET, 'the object itself is not changed');
});

test('the server log is written in batches: review lines within the flush interval, warnings at once, ISO times', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ciw-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'log');
  const fd = openSync(path, 'w');
  const logger = createLogger({ async: true, fd });
  t.after(() => new Promise<void>((done) => logger.flush(() => done())));
  const lines = () => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; time: string; level: string });
  const eventually = async (what: string, check: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > deadline) assert.fail(`${what}: not within 5 s`);
      await new Promise((done) => setTimeout(done, 10));
    }
  };

  const before = Date.now();
  logger.info({ uid: 'a' }, 'review');
  logger.info({ uid: 'b' }, 'review');
  // An unbatched asynchronous write would be out within a few ms; a batch waits for the interval.
  await new Promise((done) => setTimeout(done, 30));
  if (Date.now() - before < FLUSH_INTERVAL_MS) assert.equal(readFileSync(path, 'utf8'), '', 'a review line waits for its batch');
  await eventually('the batch is flushed by the interval', () => lines().length === 2);
  assert.deepEqual(lines().map((l) => l.msg), ['review', 'review']);
  for (const line of lines()) {
    assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Date.parse(line.time) >= before && Date.parse(line.time) <= Date.now(), 'the time is when the line was logged');
  }

  logger.info({ uid: 'c' }, 'review');
  logger.warn({ error: 'x' }, 'bad request');
  // The warning is written now, with the review line before it; no interval has to pass.
  await eventually('the warning and the line before it are written', () => lines().length === 4);
  assert.deepEqual(lines().slice(2).map((l) => [l.level, l.msg]), [['info', 'review'], ['warn', 'bad request']]);
});
