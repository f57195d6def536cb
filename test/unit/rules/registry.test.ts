// The scoping list (TARGETS, which the chart's webhook rules follow) and the rules must name the same objects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES, TARGETS, ruleFor } from '../../../src/rules/registry.js';

test('every target kind and name has a rule, and every rule is reachable through the targets', () => {
  const reached = new Set<string>();
  for (const target of TARGETS) {
    for (const name of target.names) {
      const rule = ruleFor({ apiVersion: `${target.group ? `${target.group}/` : ''}${target.version}`, kind: target.kind, metadata: { name, namespace: 'kube-system' } });
      assert.ok(rule, `${target.kind} ${name} has a rule`);
      reached.add(rule.id);
    }
  }
  assert.deepEqual([...reached].sort(), RULES.map((r) => r.id).sort());
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
    assert.equal(ruleFor(object), undefined, `${object.kind} ${object.metadata.name ?? '(unnamed)'}`);
  }
});
