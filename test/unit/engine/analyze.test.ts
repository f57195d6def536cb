// DESIGN 3 (preamble) and 3.6: the engine mutates a copy, validates the result, and leaves non-targets alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, patchOf } from '../../../src/engine/analyze.js';
import { TARGETS, targetsFor } from '../../../src/targets/registry.js';
import { webhookScope } from '../../../src/targets/scope.js';
import { reviewRequest } from '../../../src/admission/handler.js';
import { decodeReview } from '../../../src/admission/review.js';
import type { AdmissionRequest } from '../../../src/admission/review.js';
import { readdirSync } from 'node:fs';
import { configWith, contextWith, fixtureObject, fixturePath, fixtureText, objectsOf, run } from '../../support/fixtures.js';
import { assertCopyOnWrite, COPY_ON_WRITE_CONFIGS, COPY_ON_WRITE_OPERATIONS } from '../../support/copy-on-write.js';
import type { KubeObject } from '../../../src/k8s/object.js';

const V3_24 = fixtureObject('calico-node/calico-node-v3.24.0.yaml');

describe('engine: non-targets', () => {
  const others: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'calico-node-abcde', namespace: 'kube-system' }, spec: { containers: [{ name: 'calico-node', image: 'calico/node:v3.24.0' }] } },
    { ...V3_24, kind: 'Deployment' },
    // Calico for Windows runs calico/node-windows, not calico/node (issue 23: DaemonSets are known by that image).
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node-windows', namespace: 'kube-system' }, spec: { template: { spec: { containers: [{ name: 'node', image: 'calico/node-windows:v3.24.0' }] } } } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: '.:53 {}' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns-upstream' }, spec: { clusterIP: '10.96.0.11' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: {} },
  ];
  for (const object of others) {
    it(`${object.kind} ${object.metadata?.name ?? '(unnamed)'} is untouched: no rule, the same object back, no patch`, () => {
      const analysis = analyze(object, contextWith());
      assert.deepEqual(analysis.results, []);
      assert.equal(analysis.mutated, object);
      assert.deepEqual(patchOf(analysis), []);
      assert.deepEqual([analysis.mutation.changes, analysis.validation.problems, analysis.validation.warnings], [[], [], []]);
    });
  }

  it('each target kind/name pair of the scoping is matched by one target, Canal\'s shared objects by two (issue 14)', () => {
    // canal-config holds calico's cni_network_config and flannel's net-conf.json; the canal DaemonSet runs
    // calico-node and kube-flannel: each part has its own target.
    const shared: Record<string, string[]> = { 'ConfigMap/canal-config': ['calico-config', 'flannel'], 'DaemonSet/canal': ['calico-node', 'flannel'] };
    for (const scoped of webhookScope(TARGETS)) {
      for (const name of scoped.names === 'any' ? [] : scoped.names) {
        const object = { kind: scoped.kind, metadata: { name } };
        const ids = targetsFor(object).map((t) => t.id);
        assert.deepEqual(ids, shared[`${scoped.kind}/${name}`] ?? [ids[0]], `${scoped.kind}/${name}`);
        assert.equal(ids.length, (shared[`${scoped.kind}/${name}`] ?? ['one']).length);
      }
    }
  });

  it('the mutating endpoint skips validation (validate: false)', () => {
    const analysis = analyze(V3_24, contextWith(), { validate: false });
    // The guide's five, and NAT outgoing for the ULA pod CIDR (issue 14).
    assert.equal(analysis.mutation.changes.length, 6);
    assert.deepEqual(analysis.validation.warnings, []);
  });

  it('deterministic: the same input gives the same patch', () => {
    assert.deepEqual(run(V3_24).patch, run(structuredClone(V3_24)).patch);
  });
});

describe('engine: DELETE and CONNECT are admitted untouched', () => {
  for (const operation of ['DELETE', 'CONNECT'] as const) {
    it(operation, () => {
      const request: AdmissionRequest = {
        apiVersion: 'admission.k8s.io/v1', uid: 'u-1', kind: { group: 'apps', version: 'v1', kind: 'DaemonSet' }, namespace: 'kube-system', name: 'calico-node',
        operation, object: V3_24, oldObject: V3_24, dryRun: false,
      };
      for (const endpoint of ['mutate', 'validate'] as const) {
        const outcome = reviewRequest(endpoint, request, configWith());
        assert.deepEqual(outcome.response, { uid: 'u-1', allowed: true });
        assert.equal(outcome.decision, 'allowed');
      }
    });
  }
});

describe('engine: subresource requests are admitted untouched (issue 14, case 9)', () => {
  for (const subResource of ['status', 'scale']) {
    it(subResource, () => {
      // An UPDATE of the status of an IPv4 calico-node DaemonSet: the spec is not what is being written.
      const request: AdmissionRequest = {
        apiVersion: 'admission.k8s.io/v1', uid: 'u-2', kind: { group: 'apps', version: 'v1', kind: 'DaemonSet' }, namespace: 'kube-system', name: 'calico-node',
        operation: 'UPDATE', object: V3_24, oldObject: V3_24, dryRun: false, subResource,
      };
      for (const endpoint of ['mutate', 'validate'] as const) {
        assert.deepEqual(reviewRequest(endpoint, request, configWith()).response, { uid: 'u-2', allowed: true });
      }
      // The same request without a subresource is judged.
      assert.equal(reviewRequest('validate', { ...request, subResource: undefined }, configWith()).response.allowed, false);
    });
  }

  it('decodeReview reads requestSubResource\'s sibling subResource', () => {
    const decoded = decodeReview({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'UPDATE', kind: { group: 'apps', version: 'v1', kind: 'DaemonSet' }, subResource: 'status', object: {} } });
    assert.equal(decoded.subResource, 'status');
  });
});


describe('engine: the copy the rules write (copy-on-write)', () => {
  // Every target object of the project's own fixtures; the real-world suite does the same on the real manifests.
  const objects = ['calico-config', 'calico-node', 'ippool', 'kube-dns', 'kube-proxy', 'operator', 'cli'].flatMap((folder) =>
    readdirSync(fixturePath(folder)).filter((f) => f.endsWith('.yaml')).flatMap((file) =>
      objectsOf(fixtureText(`${folder}/${file}`)).filter((object) => targetsFor(object).length > 0).map((object) => ({ label: `${folder}/${file} ${object.kind}`, object }))));

  it('covers a target object of every mutating target', () => {
    const ids = new Set(objects.flatMap(({ object }) => targetsFor(object).map((t) => t.id)));
    for (const target of TARGETS.filter((t) => t.mutates)) assert.ok(ids.has(target.id), `no fixture object for ${target.id}`);
  });

  for (const [mode, config] of Object.entries(COPY_ON_WRITE_CONFIGS)) {
    for (const operation of COPY_ON_WRITE_OPERATIONS) {
      it(`${mode}, ${operation}: the input is never changed, and the result and patch are a whole copy's`, () => {
        assert.ok(assertCopyOnWrite(objects, config, operation) > 0, 'some object was patched');
      });
    }
  }
});
