// DESIGN 3 (preamble) and 3.6: the engine mutates a copy, validates the result, and leaves non-targets alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, patchOf } from '../../../src/engine/analyze.js';
import { TARGETS, targetsFor } from '../../../src/rules/registry.js';
import { webhookScope } from '../../../src/rules/scope.js';
import { reviewRequest } from '../../../src/admission/handler.js';
import type { AdmissionRequest } from '../../../src/admission/review.js';
import { configWith, contextWith, fixtureObject, run } from '../../support/fixtures.js';
import type { KubeObject } from '../../../src/k8s/object.js';

const V3_24 = fixtureObject('calico-node/calico-node-v3.24.0.yaml');

describe('engine: non-targets', () => {
  const others: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'calico-node-abcde', namespace: 'kube-system' }, spec: { containers: [{ name: 'calico-node', image: 'calico/node:v3.24.0' }] } },
    { ...V3_24, kind: 'Deployment' },
    { ...V3_24, metadata: { name: 'calico-node-windows', namespace: 'kube-system' } },
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

  it('each target kind/name pair of the scoping is matched by exactly one target', () => {
    for (const scoped of webhookScope(TARGETS)) {
      for (const name of scoped.names === 'any' ? [] : scoped.names) {
        const object = { kind: scoped.kind, metadata: { name } };
        assert.equal(TARGETS.filter((r) => r.matches(object)).length, 1, `${scoped.kind}/${name}`);
        assert.equal(targetsFor(object).length, 1);
      }
    }
  });

  it('the mutating endpoint skips validation (validate: false)', () => {
    const analysis = analyze(V3_24, contextWith(), { validate: false });
    assert.equal(analysis.mutation.changes.length, 5);
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
