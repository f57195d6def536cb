// The scoping list (webhookScope, which the chart's webhook rules follow) and the targets must name the same objects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TARGETS, targetsFor } from '../../../src/targets/registry.js';
import { mutatingScope, webhookScope } from '../../../src/targets/scope.js';

test('every target kind and name has a rule, and every rule is reachable through the targets', () => {
  const reached = new Set<string>();
  for (const scoped of webhookScope(TARGETS)) {
    for (const version of scoped.versions) {
      for (const name of scoped.names === 'any' ? ['any-name'] : scoped.names) {
        const matched = targetsFor({ apiVersion: `${scoped.group ? `${scoped.group}/` : ''}${version}`, kind: scoped.kind, metadata: { name, namespace: 'kube-system' } });
        assert.ok(matched.length > 0, `${scoped.kind} ${name} has a rule`);
        for (const t of matched) reached.add(t.id);
      }
    }
  }
  assert.deepEqual([...reached].sort(), TARGETS.map((r) => r.id).sort());
});

test('objects outside the targets have no rule', () => {
  for (const object of [
    { kind: 'ConfigMap', metadata: { name: 'coredns' } },
    { kind: 'Deployment', metadata: { name: 'coredns' } },
    { kind: 'DaemonSet', metadata: { name: 'kube-proxy' } },
    { kind: 'Service', metadata: { name: 'calico-typha' } },
    { kind: 'Secret', metadata: { name: 'calico-config' } },
    { kind: 'DaemonSet', metadata: {} },
  ]) {
    assert.deepEqual(targetsFor(object), [], `${object.kind} ${object.metadata.name ?? '(unnamed)'}`);
  }
});

test('the mutating webhook is sent only the targets that mutate: IPPools reach the validating one alone', () => {
  const key = (s: { group: string; resource: string }) => `${s.group}/${s.resource}`;
  const mutating = mutatingScope(TARGETS).map(key);
  assert.deepEqual(webhookScope(TARGETS).map(key).filter((k) => !mutating.includes(k)), ['crd.projectcalico.org/ippools', 'projectcalico.org/ippools']);
  assert.deepEqual(TARGETS.filter((t) => !t.mutates).map((t) => t.id), ['ippool']);
});
