// The HTTP surface over real TLS (supertest against the HTTPS server startServer() runs, trusting its
// self-signed CA): both endpoints, both AdmissionReview versions, patches, denials, warnings, health,
// readiness during shutdown and metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { applyPatch } from 'rfc6902';
import { calicoConfigMap, calicoNodeDaemonSet, calicoNodeEnv, kubeDnsDeployment, nonTargetConfigMap, review, type ApiVersion } from '../../support/reviews.js';
import { decodePatch, send, startTestServer, type ReviewResponse } from '../../support/server.js';

const FIXED_ENV = { IP: 'none', IP6: 'autodetect', FELIX_IPV6SUPPORT: 'true', CALICO_IPV6POOL_CIDR: 'fd20::/112', CALICO_ROUTER_ID: 'hash' };

function post(server: Awaited<ReturnType<typeof startTestServer>>, path: string, body: unknown) {
  return supertest(server.running.server).post(path).ca(server.ca).set('content-type', 'application/json').send(JSON.stringify(body));
}

function responseIn(body: unknown, apiVersion: ApiVersion, uid: string): ReviewResponse {
  const review = body as { apiVersion: string; kind: string; response: ReviewResponse };
  assert.equal(review.apiVersion, apiVersion, 'answered in the version asked');
  assert.equal(review.kind, 'AdmissionReview');
  assert.equal(review.response.uid, uid, 'same uid');
  return review.response;
}

for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const) {
  test(`${apiVersion}: /mutate patches calico-node with a base64 JSONPatch that applies with rfc6902`, async (t) => {
    const server = await startTestServer(t);
    const object = calicoNodeDaemonSet();
    const body = review(object, { apiVersion, uid: `uid-mutate-${apiVersion}` });
    const res = await post(server, '/mutate', body).expect(200).expect('content-type', /application\/json/);
    const response = responseIn(res.body, apiVersion, `uid-mutate-${apiVersion}`);
    assert.equal(response.allowed, true);
    assert.equal(response.patchType, 'JSONPatch');
    assert.match(response.patch ?? '', /^[A-Za-z0-9+/]+=*$/, 'base64');
    const patched = structuredClone(object);
    const results = applyPatch(patched, decodePatch(response) as Parameters<typeof applyPatch>[1]);
    assert.deepEqual(results.filter((r) => r !== null), [], 'every operation applies');
    const env = calicoNodeEnv(patched);
    for (const [name, value] of Object.entries(FIXED_ENV)) assert.equal(env.get(name), value, name);
    assert.equal(env.get('DATASTORE_TYPE'), 'kubernetes', 'untouched variables stay');

    // The patched object is fixed: mutating it again gives no patch, and validation admits it.
    const again = await post(server, '/mutate', review(patched, { apiVersion, uid: 'again' })).expect(200);
    const second = responseIn(again.body, apiVersion, 'again');
    assert.equal(second.allowed, true);
    assert.equal(second.patch, undefined);
    assert.equal(second.patchType, undefined);
    const validated = await post(server, '/validate', review(patched, { apiVersion, uid: 'valid' })).expect(200);
    assert.equal(responseIn(validated.body, apiVersion, 'valid').allowed, true);
  });

  test(`${apiVersion}: /validate denies with 403, a reason and a message listing every problem`, async (t) => {
    const server = await startTestServer(t);
    const object = calicoNodeDaemonSet({ env: { ...FIXED_ENV, IP6: 'none', NO_DEFAULT_POOLS: 'true', CALICO_IPV6POOL_CIDR: 'fd20::/112' } });
    const res = await post(server, '/validate', review(object, { apiVersion, uid: 'deny-1' })).expect(200);
    const response = responseIn(res.body, apiVersion, 'deny-1');
    assert.equal(response.allowed, false);
    assert.equal(response.status?.code, 403);
    assert.equal(response.status?.reason, 'Forbidden');
    const message = response.status?.message ?? '';
    assert.match(message, /DaemonSet kube-system\/calico-node/);
    assert.match(message, /2 problems/);
    assert.match(message, /IP6/);
    assert.match(message, /NO_DEFAULT_POOLS/);
    assert.equal(response.patch, undefined);
  });
}

test('/mutate and /validate answer 400 in the review for an unparseable cni_network_config', async (t) => {
  const server = await startTestServer(t);
  const object = calicoConfigMap('{"name": "k8s-pod-network", "plugins": [ {"type": "calico", "ipam": {"type": "calico-ipam",,, }');
  for (const path of ['/mutate', '/validate']) {
    const res = await post(server, path, review(object, { uid: 'bad-template' })).expect(200);
    const response = responseIn(res.body, 'admission.k8s.io/v1', 'bad-template');
    assert.equal(response.allowed, false, path);
    assert.equal(response.status?.code, 400, path);
    assert.equal(response.status?.reason, 'BadRequest', path);
    assert.match(response.status?.message ?? '', /cni_network_config.*line 1, column \d+/s, path);
  }
});

test('calico-config and kube-dns are patched; the patch applies', async (t) => {
  const server = await startTestServer(t);
  for (const object of [calicoConfigMap(), kubeDnsDeployment()]) {
    const res = await post(server, '/mutate', review(object, { uid: 'p' })).expect(200);
    const response = responseIn(res.body, 'admission.k8s.io/v1', 'p');
    assert.equal(response.allowed, true);
    const patch = decodePatch(response);
    assert.ok(patch.length > 0, `${String(object.metadata?.name)} is patched`);
    const copy = structuredClone(object);
    assert.deepEqual(applyPatch(copy, patch as Parameters<typeof applyPatch>[1]).filter((r) => r !== null), []);
    if (object.kind === 'ConfigMap') {
      const template = (copy.data as Record<string, string>).cni_network_config ?? '';
      assert.match(template, /"assign_ipv4": "false"/);
      assert.match(template, /"assign_ipv6": "true"/);
      assert.match(template, /"mtu": __CNI_MTU__/, 'placeholders kept');
    }
  }
});

test('warnings go in response.warnings, each under 256 characters', async (t) => {
  const server = await startTestServer(t);
  // Issue 14: the ULA pod CIDR needs NAT outgoing (before v3.29 there is no CALICO_IPV4POOL_CIDR=none to add).
  const object = calicoNodeDaemonSet({ image: 'docker.io/calico/node:v3.20.0', env: { ...FIXED_ENV, CALICO_IPV6POOL_NAT_OUTGOING: 'true' } });
  const res = await post(server, '/validate', review(object, { uid: 'w' })).expect(200);
  const response = responseIn(res.body, 'admission.k8s.io/v1', 'w');
  assert.equal(response.allowed, true);
  assert.ok(Array.isArray(response.warnings) && response.warnings.length > 0, 'has warnings');
  assert.ok(response.warnings.some((w) => /CALICO_ROUTER_ID=hash before Calico v3.25/.test(w)));
  for (const warning of response.warnings) assert.ok(warning.length < 256, `${warning.length}: ${warning}`);
});

test('validationAction warn admits what deny rejects, with the problems as warnings', async (t) => {
  const server = await startTestServer(t, { flags: { validationAction: 'warn' } });
  const object = calicoNodeDaemonSet({ env: { ...FIXED_ENV, IP6: 'none', NO_DEFAULT_POOLS: 'true' } });
  const res = await post(server, '/validate', review(object, { uid: 'warn' })).expect(200);
  const response = responseIn(res.body, 'admission.k8s.io/v1', 'warn');
  assert.equal(response.allowed, true);
  assert.equal(response.status, undefined);
  const warnings = response.warnings ?? [];
  assert.ok(warnings.some((w) => /would deny .*IP6/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /would deny .*NO_DEFAULT_POOLS/.test(w)), warnings.join('\n'));
  for (const warning of warnings) assert.ok(warning.length < 256);
  const metrics = await supertest(server.running.server).get('/metrics').ca(server.ca).expect(200);
  assert.match(metrics.text, /calico_ipv6_webhook_rejections_total\{rule="calico-node\/ip6"\} 1/);
});

test('dryRun requests get the same answer', async (t) => {
  const server = await startTestServer(t);
  const object = calicoNodeDaemonSet();
  const wet = await post(server, '/mutate', review(object, { uid: 'same', dryRun: false })).expect(200);
  const dry = await post(server, '/mutate', review(object, { uid: 'same', dryRun: true })).expect(200);
  assert.deepEqual(dry.body, wet.body);
  const denied = calicoNodeDaemonSet({ env: { IP6: 'none' } });
  const wetDeny = await post(server, '/validate', review(denied, { uid: 'd', dryRun: false })).expect(200);
  const dryDeny = await post(server, '/validate', review(denied, { uid: 'd', dryRun: true })).expect(200);
  assert.deepEqual(dryDeny.body, wetDeny.body);
  assert.equal((dryDeny.body as { response: ReviewResponse }).response.allowed, false);
});

test('DELETE and CONNECT are admitted without a patch, even for a target that would be denied', async (t) => {
  const server = await startTestServer(t);
  const denied = calicoNodeDaemonSet({ env: { IP6: 'none' } });
  for (const operation of ['DELETE', 'CONNECT'] as const) {
    for (const path of ['/mutate', '/validate']) {
      // DELETE carries the object in oldObject, not object.
      const body = review(denied, { operation, uid: `${operation}-${path}`, oldObject: denied });
      (body.request as Record<string, unknown>).object = operation === 'DELETE' ? null : denied;
      const res = await post(server, path, body).expect(200);
      const response = responseIn(res.body, 'admission.k8s.io/v1', `${operation}-${path}`);
      assert.equal(response.allowed, true, `${operation} ${path}`);
      assert.equal(response.patch, undefined);
      assert.equal(response.status, undefined);
    }
  }
});

test('a non-target object is admitted with no patch', async (t) => {
  const server = await startTestServer(t);
  for (const path of ['/mutate', '/validate']) {
    const res = await post(server, path, review(nonTargetConfigMap(), { uid: 'nt' })).expect(200);
    const response = responseIn(res.body, 'admission.k8s.io/v1', 'nt');
    assert.deepEqual(response, { uid: 'nt', allowed: true });
  }
});

test('/healthz is 200; /readyz is 200, then 503 while shutting down', async (t) => {
  const server = await startTestServer(t, { shutdownDelaySeconds: 1 });
  await supertest(server.running.server).get('/healthz').ca(server.ca).expect(200, 'ok');
  await supertest(server.running.server).get('/readyz').ca(server.ca).expect(200, 'ok');
  const closing = server.running.shutdown();
  // During the delay the listener is still open: readiness says no, reviews still work.
  const ready = await send(server.url, '/readyz', undefined, { ca: server.ca });
  assert.equal(ready.status, 503);
  assert.match(ready.text, /shutting down/);
  const health = await send(server.url, '/healthz', undefined, { ca: server.ca });
  assert.equal(health.status, 200, 'alive while draining');
  const reviewed = await send(server.url, '/mutate', review(nonTargetConfigMap(), { uid: 'late' }), { ca: server.ca });
  assert.equal(reviewed.status, 200);
  await closing;
  await assert.rejects(send(server.url, '/healthz', undefined, { ca: server.ca }), /ECONNREFUSED/);
});

test('/metrics counts reviews by endpoint, kind, operation and decision, and rejections by rule', async (t) => {
  const server = await startTestServer(t);
  await post(server, '/mutate', review(calicoNodeDaemonSet(), { uid: 'm1' })).expect(200);
  await post(server, '/mutate', review(calicoNodeDaemonSet(), { uid: 'm2' })).expect(200);
  await post(server, '/validate', review(calicoNodeDaemonSet({ env: { ...FIXED_ENV, IP6: 'none' } }), { uid: 'v1' })).expect(200);
  await post(server, '/validate', review(nonTargetConfigMap(), { uid: 'v2', operation: 'UPDATE', oldObject: nonTargetConfigMap() })).expect(200);
  const res = await supertest(server.running.server).get('/metrics').ca(server.ca).expect(200).expect('content-type', /text\/plain/);
  const text = res.text;
  assert.match(text, /calico_ipv6_webhook_reviews_total\{endpoint="mutate",kind="DaemonSet",operation="CREATE",decision="patched"\} 2/);
  assert.match(text, /calico_ipv6_webhook_reviews_total\{endpoint="validate",kind="DaemonSet",operation="CREATE",decision="denied"\} 1/);
  assert.match(text, /calico_ipv6_webhook_reviews_total\{endpoint="validate",kind="ConfigMap",operation="UPDATE",decision="allowed"\} 1/);
  assert.match(text, /calico_ipv6_webhook_rejections_total\{rule="calico-node\/ip6"\} 1/);
  assert.match(text, /calico_ipv6_webhook_review_duration_seconds_count\{endpoint="mutate"\} 2/);
});

test('unknown paths and methods get a JSON 404', async (t) => {
  const server = await startTestServer(t);
  const res = await supertest(server.running.server).get('/mutate').ca(server.ca).expect(404).expect('content-type', /json/);
  assert.match(String((res.body as { error: string }).error), /POST \/mutate/);
});
