// The scoping list (webhookScope, which the chart's webhook rules follow) and the targets must name the same objects.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TARGETS, targetsFor } from '../../../src/targets/registry.js';
import { mutatingScope, webhookScope } from '../../../src/targets/scope.js';
import { REPO_ROOT } from '../../support/repo-root.js';

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

test('the mutating webhook is sent only the targets that mutate: IPPools and the kube-proxy ConfigMap reach the validating one alone', () => {
  const key = (s: { group: string; resource: string }) => `${s.group}/${s.resource}`;
  const mutating = mutatingScope(TARGETS).map(key);
  assert.deepEqual(webhookScope(TARGETS).map(key).filter((k) => !mutating.includes(k)), ['crd.projectcalico.org/ippools', 'projectcalico.org/ippools']);
  assert.deepEqual(TARGETS.filter((t) => !t.mutates).map((t) => t.id), ['kube-proxy', 'ippool']);
  // ConfigMaps still reach the mutating webhook (calico-config), but not under kube-proxy's name.
  const configMaps = (scope: ReturnType<typeof mutatingScope>) => scope.find((s) => key(s) === '/configmaps')?.names;
  assert.deepEqual(configMaps(mutatingScope(TARGETS)), ['calico-config', 'canal-config', 'kube-flannel-cfg']);
  assert.ok((configMaps(webhookScope(TARGETS)) as string[]).includes('kube-proxy'));
});

test('a target is one folder: src/targets/<id>/ for each registered id, and nothing else but shared/', () => {
  const folders = readdirSync(join(REPO_ROOT, 'src/targets'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  assert.deepEqual(folders.filter((f) => f !== 'shared').sort(), TARGETS.map((t) => t.id).sort());
  // Each folder's defineTarget is in the file named after it.
  for (const target of TARGETS) assert.match(readFileSync(join(REPO_ROOT, 'src/targets', target.id, `${target.id}.ts`), 'utf8'), /defineTarget\(/, target.id);
});

test('the package description names every target', () => {
  const { description } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { description: string };
  const named = (id: string) => description.includes(id) || description.includes(id.replace('ippool', 'IPPool').replace('installation', 'Installation'));
  assert.deepEqual(TARGETS.map((t) => t.id).filter((id) => !named(id)), []);
});
