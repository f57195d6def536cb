// Every malformed input of issue 6 against the real HTTPS server: each gets a clear error with the right
// status (an AdmissionReview-shaped JSON body wherever there is a body to answer), the server stays up,
// and a valid review sent right after, on a new connection, is answered correctly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connect as netConnect } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { MAX_BODY_BYTES } from '../../../src/server/app.js';
import { MAX_JSON_DEPTH } from '../../../src/admission/json-limits.js';
import { calicoConfigMap, calicoNodeDaemonSet, nonTargetConfigMap, review } from '../../support/reviews.js';
import { replyOf, responseOf, send, startTestServer, type Reply, type TestServer } from '../../support/server.js';
import { spawnWebhook } from '../../support/child.js';

function assertReviewError(reply: Reply, status: number, message: RegExp): void {
  assert.equal(reply.status, status, reply.text.slice(0, 500));
  assert.match(String(reply.headers['content-type']), /application\/json/);
  const body = reply.json();
  assert.equal(body.kind, 'AdmissionReview');
  const response = responseOf(reply);
  assert.equal(response.allowed, false);
  assert.equal(response.status?.code, status);
  assert.match(response.status?.message ?? '', message);
}

let counter = 0;
/** A valid review on a new connection is answered correctly: the server survived what came before. */
async function assertStillServes(server: { url: string; ca: string }): Promise<void> {
  const uid = `after-${++counter}`;
  const reply = await send(server.url, '/mutate', review(calicoNodeDaemonSet(), { uid }), { ca: server.ca });
  assert.equal(reply.status, 200, reply.text);
  const response = responseOf(reply);
  assert.equal(response.uid, uid);
  assert.equal(response.allowed, true);
  assert.equal(response.patchType, 'JSONPatch');
}

const valid = (): Record<string, unknown> => review(calicoNodeDaemonSet(), { uid: 'u-1' });
const withRequest = (patch: (request: Record<string, unknown>) => void, body = valid()): Record<string, unknown> => {
  patch(body.request as Record<string, unknown>);
  return body;
};

/** Malformed AdmissionReviews: [name, body as sent, expected HTTP status, message pattern]. */
const MALFORMED: [string, string | Record<string, unknown> | unknown[], number, RegExp][] = [
  ['truncated JSON', JSON.stringify(valid()).slice(0, 3000), 400, /malformed JSON body/],
  ['truncated to one byte', '{', 400, /malformed JSON body/],
  ['not JSON at all', 'apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n', 400, /malformed JSON body/],
  ['a JSON list', [valid()], 400, /must be an AdmissionReview object, got a list/],
  ['a JSON string (strict parsing)', '"AdmissionReview"', 400, /malformed JSON body/],
  ['JSON null', 'null', 400, /malformed JSON body/],
  ['an empty object', {}, 400, /apiVersion must be one of/],
  ['unknown apiVersion', { ...valid(), apiVersion: 'admission.k8s.io/v2' }, 400, /apiVersion must be one of .*got "admission.k8s.io\/v2"/],
  ['apiVersion a number', { ...valid(), apiVersion: 1 }, 400, /apiVersion must be one of .*got 1/],
  ['kind not AdmissionReview', { ...valid(), kind: 'ConversionReview' }, 400, /kind must be AdmissionReview/],
  ['request missing', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, 400, /no request object/],
  ['request a string', { ...valid(), request: 'CREATE calico-node' }, 400, /no request object/],
  ['request a list', { ...valid(), request: [] }, 400, /no request object/],
  ['uid missing', withRequest((r) => delete r.uid), 400, /request.uid must be a non-empty string, got nothing/],
  ['uid a number', withRequest((r) => (r.uid = 42)), 400, /request.uid must be a non-empty string, got 42/],
  ['uid empty', withRequest((r) => (r.uid = '')), 400, /request.uid/],
  ['operation unknown', withRequest((r) => (r.operation = 'PATCH')), 400, /request.operation must be one of CREATE, UPDATE, DELETE, CONNECT, got "PATCH"/],
  ['operation missing', withRequest((r) => delete r.operation), 400, /request.operation/],
  ['kind missing', withRequest((r) => delete r.kind), 400, /request.kind must be/],
  ['kind a string', withRequest((r) => (r.kind = 'DaemonSet')), 400, /request.kind must be/],
  ['kind.kind a number', withRequest((r) => (r.kind = { group: 'apps', version: 'v1', kind: 7 })), 400, /request.kind must be/],
  ['kind.group a list', withRequest((r) => (r.kind = { group: [], version: 'v1', kind: 'DaemonSet' })), 400, /request.kind must be/],
  ['object a string', withRequest((r) => (r.object = 'calico-node')), 400, /request.object must be an object, got string/],
  ['object a list', withRequest((r) => (r.object = [])), 400, /request.object must be an object, got a list/],
  ['oldObject a number', withRequest((r) => (r.oldObject = 3)), 400, /request.oldObject must be an object/],
  ['dryRun a string', withRequest((r) => (r.dryRun = 'true')), 400, /request.dryRun must be a boolean, got string/],
  ['namespace a number', withRequest((r) => (r.namespace = 5)), 400, /request.namespace must be a string/],
  ['name an object', withRequest((r) => (r.name = {})), 400, /request.name must be a string/],
];

test('malformed AdmissionReviews: 400 with a clear message in an AdmissionReview; the next review works', async (t) => {
  const server = await startTestServer(t);
  for (const [name, body, status, message] of MALFORMED) {
    await t.test(name, async () => {
      const reply = await send(server.url, '/mutate', typeof body === 'string' ? body : JSON.stringify(body), { ca: server.ca });
      assertReviewError(reply, status, message);
      await assertStillServes(server);
    });
  }
});

test('a decode error keeps the version and uid it could read', async (t) => {
  const server = await startTestServer(t);
  const body = review(calicoNodeDaemonSet(), { apiVersion: 'admission.k8s.io/v1beta1', uid: 'keep-me' });
  (body.request as Record<string, unknown>).operation = 'PATCH';
  const reply = await send(server.url, '/validate', body, { ca: server.ca });
  assertReviewError(reply, 400, /request.operation/);
  assert.equal(reply.json().apiVersion, 'admission.k8s.io/v1beta1');
  assert.equal(responseOf(reply).uid, 'keep-me');
});

test('wrong types inside a target object never crash a rule: an answer, not an internal error', async (t) => {
  const server = await startTestServer(t);
  const node = (edit: (o: Record<string, any>) => void): Record<string, unknown> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const object = calicoNodeDaemonSet() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    edit(object);
    return object;
  };
  const objects: [string, Record<string, unknown>][] = [
    ['metadata a string', node((o) => (o.metadata = 'calico-node'))],
    ['spec a string', node((o) => (o.spec = 'x'))],
    ['template null', node((o) => (o.spec.template = null))],
    ['containers an object', node((o) => (o.spec.template.spec.containers = { name: 'calico-node' }))],
    ['a container a number', node((o) => (o.spec.template.spec.containers = [1, 'two', null]))],
    ['env a string', node((o) => (o.spec.template.spec.containers[0].env = 'IP=none'))],
    ['an env entry a number', node((o) => o.spec.template.spec.containers[0].env.push(5, null, ['IP']))],
    ['an env value a number', node((o) => o.spec.template.spec.containers[0].env.push({ name: 'IP6', value: 6 }))],
    ['an env name missing', node((o) => o.spec.template.spec.containers[0].env.push({ value: 'autodetect' }))],
    ['image a number', node((o) => (o.spec.template.spec.containers[0].image = 3.3))],
    ['calico-config data a list', { ...calicoConfigMap(), data: ['cni_network_config'] }],
    ['cni_network_config a number', { ...calicoConfigMap(), data: { cni_network_config: 12 } }],
    ['cni_network_config a JSON list', calicoConfigMap('[1, 2, 3]')],
    ['cni_network_config with plugins a string', calicoConfigMap('{"plugins": "calico"}')],
  ];
  for (const [name, object] of objects) {
    await t.test(name, async () => {
      for (const path of ['/mutate', '/validate']) {
        const reply = await send(server.url, path, review(object, { uid: name }), { ca: server.ca });
        assert.equal(reply.status, 200, reply.text);
        const response = responseOf(reply);
        assert.equal(response.uid, name);
        assert.notEqual(response.status?.code, 500, `${path}: ${response.status?.message ?? ''}`);
        if (!response.allowed) assert.ok([400, 403].includes(response.status?.code ?? 0), JSON.stringify(response.status));
      }
    });
  }
  await assertStillServes(server);
});

function nested(depth: number, inner = '0'): string {
  return '['.repeat(depth) + inner + ']'.repeat(depth);
}

test('deep nesting is refused before parsing; nesting within the limit is reviewed', async (t) => {
  const server = await startTestServer(t);
  for (const [name, object] of [['non-target', nonTargetConfigMap()], ['calico-node', calicoNodeDaemonSet()]] as const) {
    await t.test(`${name}, 10,000 nested lists`, async () => {
      const text = JSON.stringify(review(object, { uid: 'deep' })).replace('"metadata":{', `"metadata":{"deep":${nested(10_000)},`);
      const reply = await send(server.url, '/mutate', text, { ca: server.ca });
      assertReviewError(reply, 400, new RegExp(`deeper than ${MAX_JSON_DEPTH} levels`));
      await assertStillServes(server);
    });
    await t.test(`${name}, 100,000 nested objects`, async () => {
      const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
      const text = JSON.stringify(review(object, { uid: 'deep' })).replace('"metadata":{', `"metadata":{"deep":${deep},`);
      const reply = await send(server.url, '/mutate', text, { ca: server.ca });
      assertReviewError(reply, 400, /deeper than/);
      await assertStillServes(server);
    });
  }
  await t.test('a calico-node nested to just under the limit is mutated (clone and diff survive it)', async () => {
    // review > request > object > spec > template > metadata > deep: 7 levels before the lists.
    const text = JSON.stringify(review(calicoNodeDaemonSet(), { uid: 'deep-ok' })).replace('"template":{"metadata":{', `"template":{"metadata":{"deep":${nested(MAX_JSON_DEPTH - 8)},`);
    const reply = await send(server.url, '/mutate', text, { ca: server.ca });
    assert.equal(reply.status, 200, reply.text.slice(0, 300));
    const response = responseOf(reply);
    assert.equal(response.allowed, true);
    assert.equal(response.patchType, 'JSONPatch');
    const okValidate = await send(server.url, '/validate', text, { ca: server.ca });
    assert.equal(okValidate.status, 200);
    assert.notEqual(responseOf(okValidate).status?.code, 500);
  });
  await t.test('a string full of brackets is not nesting', async () => {
    const reply = await send(server.url, '/mutate', review(nonTargetConfigMap({ brackets: '['.repeat(50_000) + '{'.repeat(50_000) + '\\"[' }), { uid: 'strings' }), { ca: server.ca });
    assert.equal(reply.status, 200, reply.text.slice(0, 300));
    assert.equal(responseOf(reply).allowed, true);
  });
});

test('huge strings: answered, and neither the answer nor the log line grows with them', async (t) => {
  const server = await startTestServer(t);
  const huge = 'x'.repeat(2 * 1024 * 1024);
  const cases: [string, Record<string, unknown>, (reply: Reply) => void][] = [
    ['a 2 MiB ConfigMap value', review(nonTargetConfigMap({ blob: huge }), { uid: 'h1' }), (reply) => assert.deepEqual(responseOf(reply), { uid: 'h1', allowed: true })],
    ['a 2 MiB calico-node env value', review(calicoNodeDaemonSet({ env: { IP: huge } }), { uid: 'h2' }), (reply) => {
      assert.equal(responseOf(reply).uid, 'h2');
      assert.ok(reply.text.length < 64 * 1024, `answer of ${reply.text.length} bytes`);
    }],
    ['a 2 MiB object kind', withRequest((r) => ((r.kind as Record<string, unknown>).kind = huge)), (reply) => assert.ok(reply.text.length < 64 * 1024)],
    ['a 2 MiB apiVersion', { ...valid(), apiVersion: huge }, (reply) => {
      assertReviewError(reply, 400, /apiVersion must be one of/);
      assert.ok(reply.text.length < 4096, `answer of ${reply.text.length} bytes`);
    }],
    ['a 2 MiB name', withRequest((r) => (r.name = huge)), (reply) => assert.equal(reply.status, 200)],
  ];
  for (const [name, body, check] of cases) {
    await t.test(name, async () => {
      const reply = await send(server.url, '/mutate', body, { ca: server.ca });
      check(reply);
      await assertStillServes(server);
    });
  }
  for (const line of server.logLines) assert.ok(line.length < 8192, `a log line of ${line.length} bytes`);
});

test('invalid UTF-8 is refused with 400, not decoded to replacement characters', async (t) => {
  const server = await startTestServer(t);
  const text = JSON.stringify(review(calicoNodeDaemonSet({ env: { IP6: 'auto@detect' } }), { uid: 'utf8' }));
  const [before, after] = text.split('@') as [string, string];
  const sequences: [string, number[]][] = [
    ['a lone continuation byte', [0x80]],
    ['0xff', [0xff, 0xfe]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
  ];
  for (const [name, bytes] of sequences) {
    await t.test(name, async () => {
      const body = Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
      const reply = await send(server.url, '/mutate', body, { ca: server.ca });
      assertReviewError(reply, 400, /not valid UTF-8/);
      await assertStillServes(server);
    });
  }
  await t.test('valid multi-byte UTF-8 is fine', async () => {
    const reply = await send(server.url, '/mutate', review(nonTargetConfigMap({ note: 'Grüße, 日本, 🚀' }), { uid: 'ok-utf8' }), { ca: server.ca });
    assert.equal(reply.status, 200);
  });
});

test('duplicate keys are refused with 400 naming the key and where it is', async (t) => {
  const server = await startTestServer(t);
  const text = JSON.stringify(review(calicoNodeDaemonSet(), { uid: 'dup' }));
  const cases: [string, string, RegExp][] = [
    ['uid twice in request', text.replace('"uid":"dup"', '"uid":"dup","uid":"other"'), /key "uid" appears twice in request[^.]/],
    ['an env value twice (a policy bypass if parsers disagree)', text.replace('{"name":"IP","value":"autodetect"}', '{"name":"IP","value":"none","value":"autodetect"}'), /key "value" appears twice in request\.object\.spec\.template\.spec\.containers\[0\]\.env\[5\]/],
    ['a key written with an escape', text.replace('"operation":"CREATE"', '"operation":"CREATE","op\\u0065ration":"DELETE"'), /key "operation" appears twice in request/],
    ['apiVersion twice at the top', text.replace('{"apiVersion":"admission.k8s.io/v1"', '{"apiVersion":"admission.k8s.io/v1","apiVersion":"admission.k8s.io/v1"'), /key "apiVersion" appears twice in \(top level\)/],
  ];
  for (const [name, body, message] of cases) {
    await t.test(name, async () => {
      assert.notEqual(body, text, 'the case edits the body');
      const reply = await send(server.url, '/mutate', body, { ca: server.ca });
      assertReviewError(reply, 400, message);
      await assertStillServes(server);
    });
  }
  await t.test('the same key in different objects is not a duplicate', async () => {
    const reply = await send(server.url, '/mutate', text, { ca: server.ca });
    assert.equal(reply.status, 200);
  });
});

/** A valid non-target review padded to exactly `size` bytes of JSON. */
function reviewOfSize(size: number): string {
  const base = JSON.stringify(review(nonTargetConfigMap({ pad: '' }), { uid: 'size' }));
  const text = base.replace('"pad":""', `"pad":"${'p'.repeat(size - base.length)}"`);
  assert.equal(Buffer.byteLength(text), size);
  return text;
}

function sendChunked(server: TestServer, path: string, body: string, chunkBytes = 64 * 1024): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, ca: server.ca, agent: false }, (res) => void replyOf(res).then(resolve, reject));
    req.on('error', reject);
    for (let i = 0; i < body.length; i += chunkBytes) req.write(body.slice(i, i + chunkBytes));
    req.end();
  });
}

test('bodies at exactly 3 MiB are reviewed; 3 MiB + 1 gets 413', async (t) => {
  const server = await startTestServer(t);
  assert.equal(MAX_BODY_BYTES, 3 * 1024 * 1024);
  const exact = reviewOfSize(MAX_BODY_BYTES);
  const over = reviewOfSize(MAX_BODY_BYTES + 1);
  await t.test('exactly 3 MiB, with content-length', async () => {
    const reply = await send(server.url, '/mutate', exact, { ca: server.ca });
    assert.equal(reply.status, 200);
    assert.deepEqual(responseOf(reply), { uid: 'size', allowed: true });
  });
  await t.test('exactly 3 MiB, chunked', async () => {
    const reply = await sendChunked(server, '/validate', exact);
    assert.equal(reply.status, 200);
  });
  await t.test('3 MiB + 1, with content-length', async () => {
    assertReviewError(await send(server.url, '/mutate', over, { ca: server.ca }), 413, /exceeds 3145728 bytes/);
    await assertStillServes(server);
  });
  await t.test('3 MiB + 1, chunked (no length announced)', async () => {
    assertReviewError(await sendChunked(server, '/mutate', over), 413, /exceeds 3145728 bytes/);
    await assertStillServes(server);
  });
});

test('wrong content type gets 415; no body gets 400', async (t) => {
  const server = await startTestServer(t);
  const body = JSON.stringify(valid());
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/yaml', 'multipart/form-data; boundary=x']) {
    await t.test(type, async () => {
      assertReviewError(await send(server.url, '/mutate', body, { ca: server.ca, headers: { 'content-type': type } }), 415, new RegExp(`content type must be application/json, got ${type.replace('/', '\\/')}`));
      await assertStillServes(server);
    });
  }
  await t.test('no content type', async () => {
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = httpsRequest(new URL('/mutate', server.url), { method: 'POST', headers: { 'content-length': Buffer.byteLength(body) }, ca: server.ca, agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(body);
    });
    assertReviewError(reply, 415, /got none/);
  });
  await t.test('a charset other than UTF-8', async () => {
    assertReviewError(await send(server.url, '/mutate', body, { ca: server.ca, headers: { 'content-type': 'application/json; charset=latin1' } }), 415, /charset/);
    await assertStillServes(server);
  });
  await t.test('application/json; charset=utf-8 is fine', async () => {
    const reply = await send(server.url, '/mutate', body, { ca: server.ca, headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.equal(reply.status, 200);
  });
  for (const headers of [{ 'content-type': 'application/json' }, { 'content-type': 'application/json', 'content-length': 0 }] as Record<string, string | number>[]) {
    await t.test(`no body (${JSON.stringify(headers)})`, async () => {
      const reply = await send(server.url, '/mutate', undefined, { ca: server.ca, method: 'POST', headers });
      assertReviewError(reply, 400, /no body/);
      await assertStillServes(server);
    });
  }
});

interface Closed {
  afterMs: number;
  received: string;
}

/** A raw HTTP answer read off a socket: its status line and AdmissionReview body. */
function assertRawReviewError(received: string, status: number, message: RegExp): void {
  const [head = '', body = ''] = received.split('\r\n\r\n');
  assert.match(head, new RegExp(`^HTTP/1\\.1 ${status} `), received);
  assert.match(head, /content-type: application\/json/i);
  assert.match(head, /connection: close/i);
  const review = JSON.parse(body) as { kind: string; response: { allowed: boolean; status: { code: number; message: string } } };
  assert.equal(review.kind, 'AdmissionReview');
  assert.equal(review.response.allowed, false);
  assert.equal(review.response.status.code, status);
  assert.match(review.response.status.message, message);
}

/** Opens a TLS connection and runs `drive` on it; resolves when the server closes it (bounded). */
function untilClosed(server: TestServer, drive: (socket: TLSSocket, stop: AbortSignal) => void, limitMs: number): Promise<Closed> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const stop = new AbortController();
    const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), ca: server.ca, servername: 'localhost' });
    let started = 0;
    let received = '';
    const timer = setTimeout(() => {
      stop.abort();
      socket.destroy();
      reject(new Error(`the server kept a slow connection open for ${limitMs} ms`));
    }, limitMs);
    socket.once('secureConnect', () => {
      started = Date.now();
      drive(socket, stop.signal);
    });
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      stop.abort();
      resolve({ afterMs: Date.now() - started, received });
    });
  });
}

/** Writes one piece every `everyMs` until stopped or the socket ends (bounded by the caller's limit). */
function dribble(socket: TLSSocket, stop: AbortSignal, piece: string, everyMs: number): void {
  const timer = setInterval(() => {
    if (stop.aborted || socket.destroyed || !socket.writable) clearInterval(timer);
    else socket.write(piece);
  }, everyMs);
  stop.addEventListener('abort', () => clearInterval(timer));
}

test('slow senders are cut off: handshake, headers and body timeouts', async (t) => {
  const timeouts = { handshakeMs: 800, headersMs: 800, requestMs: 1500, keepAliveMs: 5000, checkIntervalMs: 100 };
  const server = await startTestServer(t, { timeouts });
  const slack = 1500;

  await t.test('headers sent one line every 100 ms', async () => {
    const closed = await untilClosed(server, (socket, stop) => {
      socket.write('POST /mutate HTTP/1.1\r\nHost: localhost\r\n');
      dribble(socket, stop, 'X-Slow: a\r\n', 100);
    }, timeouts.headersMs + slack + 2000);
    assert.ok(closed.afterMs >= timeouts.headersMs - 100, `closed after ${closed.afterMs} ms`);
    assert.ok(closed.afterMs <= timeouts.headersMs + slack, `closed after ${closed.afterMs} ms`);
    assertRawReviewError(closed.received, 408, /did not arrive in time/);
    await assertStillServes(server);
  });

  await t.test('a body sent ten bytes every 100 ms', async () => {
    const body = JSON.stringify(valid());
    const closed = await untilClosed(server, (socket, stop) => {
      socket.write(`POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
      let at = 0;
      const timer = setInterval(() => {
        if (stop.aborted || socket.destroyed) return clearInterval(timer);
        socket.write(body.slice(at, at + 10));
        at += 10;
      }, 100);
      stop.addEventListener('abort', () => clearInterval(timer));
    }, timeouts.requestMs + slack + 2000);
    assert.ok(closed.afterMs >= timeouts.requestMs - 100, `closed after ${closed.afterMs} ms`);
    assert.ok(closed.afterMs <= timeouts.requestMs + slack, `closed after ${closed.afterMs} ms`);
    assertRawReviewError(closed.received, 408, /did not arrive in time/);
    await assertStillServes(server);
  });

  await t.test('a TCP connection that never starts TLS', async () => {
    const { port } = new URL(server.url);
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = netConnect({ host: '127.0.0.1', port: Number(port) });
      const started = Date.now();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('the server kept a silent connection open'));
      }, timeouts.handshakeMs + slack + 2000);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(Date.now() - started);
      });
    });
    assert.ok(closedAfter >= timeouts.handshakeMs - 100 && closedAfter <= timeouts.handshakeMs + slack, `closed after ${closedAfter} ms`);
    await assertStillServes(server);
  });

  await t.test('while slow senders hang, other reviews are answered at once', async () => {
    const hanging = untilClosed(server, (socket, stop) => {
      socket.write('POST /mutate HTTP/1.1\r\nHost: localhost\r\n');
      dribble(socket, stop, 'X-Slow: a\r\n', 100);
    }, timeouts.headersMs + slack + 2000);
    const started = Date.now();
    await assertStillServes(server);
    assert.ok(Date.now() - started < timeouts.headersMs, 'not queued behind the slow sender');
    await hanging;
  });
});

test('garbage HTTP, an aborted upload and a client that vanishes leave the server serving', async (t) => {
  const server = await startTestServer(t);
  const { port } = new URL(server.url);
  await t.test('not HTTP', async () => {
    const closed = await untilClosed(server, (socket) => socket.write('\x00\x01\x02 hello\r\n\r\n'), 5000);
    assertRawReviewError(closed.received, 400, /malformed HTTP request/);
    await assertStillServes(server);
  });
  await t.test('headers over the size limit', async () => {
    const closed = await untilClosed(server, (socket) => socket.write(`POST /mutate HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`), 5000);
    assertRawReviewError(closed.received, 431, /headers too large/);
    await assertStillServes(server);
  });
  await t.test('a body cut off half way', async () => {
    const body = JSON.stringify(valid());
    await new Promise<void>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), ca: server.ca, servername: 'localhost' }, () => {
        socket.write(`POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 100)}`);
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('error', () => undefined);
      socket.once('close', () => resolve());
    });
    await assertStillServes(server);
  });
  await t.test('a TLS handshake with garbage', async () => {
    await new Promise<void>((resolve) => {
      const socket = netConnect({ host: '127.0.0.1', port: Number(port) }, () => socket.write(Buffer.alloc(512, 0x16)));
      socket.on('error', () => undefined);
      socket.once('close', () => resolve());
      setTimeout(() => socket.destroy(), 2000);
    });
    await assertStillServes(server);
  });
});

test('the webhook process stays up through every bad input and answers the next review', async (t) => {
  const webhook = await spawnWebhook(t);
  const target = { url: webhook.url, ca: webhook.ca };
  for (const [name, body, status] of MALFORMED) {
    const reply = await send(webhook.url, '/mutate', typeof body === 'string' ? body : JSON.stringify(body), { ca: webhook.ca });
    assert.equal(reply.status, status, name);
  }
  const deep = JSON.stringify(review(calicoNodeDaemonSet(), { uid: 'deep' })).replace('"metadata":{', `"metadata":{"deep":${nested(10_000)},`);
  assert.equal((await send(webhook.url, '/mutate', deep, { ca: webhook.ca })).status, 400);
  assert.equal((await send(webhook.url, '/mutate', Buffer.from([0x7b, 0xff, 0x7d]), { ca: webhook.ca })).status, 400);
  assert.equal((await send(webhook.url, '/mutate', reviewOfSize(MAX_BODY_BYTES + 1), { ca: webhook.ca })).status, 413);
  assert.equal((await send(webhook.url, '/mutate', '{}', { ca: webhook.ca, headers: { 'content-type': 'text/plain' } })).status, 415);
  await assertStillServes(target);
  assert.equal(webhook.child.exitCode, null, 'still running');
  assert.equal(webhook.child.signalCode, null);
  assert.doesNotMatch(webhook.stderr(), /Error|exception/i);
});
