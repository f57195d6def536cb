// The target contract: a target declared once shows up everywhere that is derived from the registry
// (webhook scoping, RBAC, discovery watches, audit reads, doctor items), and every target that matches
// an object runs on it, in registry order, each with its own findings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, patchOf, targetIds } from '../../../src/engine/analyze.js';
import { grants, readAccess } from '../../../src/cluster/rbac.js';
import { targetWatches } from '../../../src/cluster/discovery.js';
import { readTargets } from '../../../src/cluster/targets.js';
import { guideItems, runClusterChecks } from '../../../src/doctor/run.js';
import type { ClusterSnapshot } from '../../../src/doctor/snapshot.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { TARGETS, targetsFor } from '../../../src/targets/registry.js';
import { mutatingScope, webhookScope } from '../../../src/targets/scope.js';
import { defineTarget, matchesResource, type Target } from '../../../src/targets/target.js';
import { configWith, contextWith } from '../../support/fixtures.js';
import { FakeReader } from '../cluster/support.js';

/** A throwaway target: an IPPool-like custom resource (every name, two groups) and one key of canal-config. */
const throwaway: Target = defineTarget({
  id: 'throwaway',
  description: 'a target that exists only in this test',
  resources: [
    { group: 'crd.example.org', versions: ['v1'], resource: 'widgets', kind: 'Widget', namespaced: false, names: 'any', watch: true },
    { group: 'example.org', versions: ['v3'], resource: 'widgets', kind: 'Widget', namespaced: false, names: 'any' },
    { group: '', versions: ['v1'], resource: 'configmaps', kind: 'ConfigMap', namespaced: true, names: ['canal-config', 'throwaway-config'] },
  ],
  writes: ['data'],
  mutate(object, _ctx, report) {
    const data = object.data as Record<string, string> | undefined;
    if (object.kind === 'ConfigMap' && data && data['throwaway.json'] !== 'ipv6') {
      report.change({ rule: 'throwaway/key', path: 'data.throwaway\\.json', found: JSON.stringify(data['throwaway.json']), expected: '"ipv6"', fix: 'set it' });
      data['throwaway.json'] = 'ipv6';
    }
  },
  validate(object, _ctx, report) {
    if (object.kind === 'Widget') report.problem({ rule: 'throwaway/widget', path: 'spec', found: 'a widget', expected: 'none', fix: 'remove it' });
  },
  doctor: { items: [{ item: 'widget', title: 'no widgets', rules: ['throwaway/widget'] }] },
});
const WITH = [...TARGETS, throwaway];

describe('target contract: a new target is one module and one registry line', () => {
  it('the webhook scoping gains its resources and names, merged with the existing ones', () => {
    const scope = webhookScope(WITH);
    const widgets = scope.filter((s) => s.resource === 'widgets').map((s) => [s.group, s.versions, s.names]);
    assert.deepEqual(widgets, [['crd.example.org', ['v1'], 'any'], ['example.org', ['v3'], 'any']]);
    const configmaps = scope.find((s) => s.resource === 'configmaps');
    assert.deepEqual(configmaps?.names, ['calico-config', 'canal-config', 'kube-flannel-cfg', 'kube-proxy', 'throwaway-config']);
    assert.equal(webhookScope(TARGETS).some((s) => s.resource === 'widgets'), false);
  });

  it('the mutating scope follows the spec: a target with mutate is in it, a validate-only one only in the validating scope', () => {
    assert.ok(throwaway.mutates);
    assert.ok(mutatingScope(WITH).some((s) => s.resource === 'widgets'));
    const { mutate: _mutate, ...validateOnlySpec } = throwaway;
    const validateOnly = defineTarget({ ...validateOnlySpec, id: 'validate-only' });
    assert.equal(validateOnly.mutates, false);
    assert.equal(mutatingScope([...TARGETS, validateOnly]).some((s) => s.resource === 'widgets'), false);
    assert.ok(webhookScope([...TARGETS, validateOnly]).some((s) => s.resource === 'widgets'));
  });

  it('RBAC gains exactly its reads: cluster-scoped, any name, watch only where declared', () => {
    const before = readAccess(TARGETS);
    const after = readAccess(WITH);
    const added = (a: string[], b: string[]) => b.filter((g) => !a.includes(g));
    assert.deepEqual(added(grants(before.cluster), grants(after.cluster)), [
      'crd.example.org/widgets/*:list', 'crd.example.org/widgets/*:watch',
      'example.org/widgets/*:list',
    ]);
    assert.deepEqual(added(grants(before.namespaced), grants(after.namespaced)), ['core/configmaps/throwaway-config:get']);
  });

  it('discovery watches what it marks watch, cluster-scoped resources once', () => {
    const watches = targetWatches(['kube-system', 'other'], WITH).map((w) => ('api' in w ? `${w.api.kind} ${w.namespace ?? '-'}/${w.name ?? '*'}` : 'Nodes'));
    assert.ok(watches.includes('Widget -/*'));
    assert.equal(watches.filter((w) => w.startsWith('Widget')).length, 1);
    assert.equal(watches.some((w) => w.includes('throwaway-config')), false);
  });

  it('audit reads its objects (every name of a custom resource), each shared name once', async () => {
    const reader = new FakeReader([]);
    await readTargets(reader, { all: false, namespaces: ['kube-system'] }, WITH);
    assert.ok(reader.calls.includes('Widget (any name)'));
    assert.ok(reader.calls.includes('ConfigMap throwaway-config'));
    assert.equal(reader.calls.filter((c) => c === 'ConfigMap canal-config').length, 1);
  });

  it('doctor lists its items and judges its objects with its own rules', () => {
    assert.deepEqual(guideItems('ipv6-only', WITH).filter((i) => !guideItems('ipv6-only').includes(i)), ['throwaway.widget']);
    const widget: KubeObject = { apiVersion: 'crd.example.org/v1', kind: 'Widget', metadata: { name: 'w1' } };
    const snapshot: ClusterSnapshot = {
      pods: { ok: true, value: [] }, kubeadmConfig: { ok: true, value: undefined }, settings: {},
      kubeletConfig: { ok: true, value: undefined }, nodes: { ok: true, value: [] }, configz: {},
      targets: { objects: [widget], failures: [] }, context: { configMaps: {}, calicoVersionHint: undefined, failures: [] },
      scope: { all: false, namespaces: ['kube-system'] },
    };
    const check = runClusterChecks(snapshot, configWith(), WITH).find((c) => c.id === 'throwaway.widget//w1');
    assert.equal(check?.status, 'fail');
    assert.match(check?.evidence ?? '', /\[throwaway\/widget\]/);
  });
});

describe('target contract: matching and composition', () => {
  it('matches by kind, group (legacy groups offline) and name; an object without apiVersion by kind and name', () => {
    const ds = TARGETS[0]?.resources[0];
    assert.ok(ds);
    assert.equal(matchesResource(ds, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node' } }), true);
    assert.equal(matchesResource(ds, { apiVersion: 'extensions/v1beta1', kind: 'DaemonSet', metadata: { name: 'calico-node' } }), true);
    assert.equal(matchesResource(ds, { kind: 'DaemonSet', metadata: { name: 'calico-node' } }), true);
    assert.equal(matchesResource(ds, { apiVersion: 'example.com/v1', kind: 'DaemonSet', metadata: { name: 'calico-node' } }), false);
    assert.equal(throwaway.matches({ apiVersion: 'example.org/v3', kind: 'Widget', metadata: { name: 'anything' } }), true);
    assert.equal(throwaway.matches({ apiVersion: 'other.org/v3', kind: 'Widget', metadata: { name: 'anything' } }), false);
  });

  it('every target that matches runs, in registry order, each with its own findings, and one patch covers both', () => {
    const canal: KubeObject = {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'canal-config', namespace: 'kube-system' },
      data: { cni_network_config: '{"type":"calico","ipam":{"type":"calico-ipam"}}', 'throwaway.json': 'ipv4' },
    };
    // flannel owns net-conf.json of canal-config too (issue 14); this object has none, so it finds nothing.
    assert.deepEqual(targetsFor(canal, WITH).map((t) => t.id), ['calico-config', 'flannel', 'throwaway']);
    const analysis = analyze(canal, contextWith(), { targets: WITH });
    assert.equal(targetIds(analysis), 'calico-config+flannel+throwaway');
    const [calico, flannel, mine] = analysis.results;
    assert.deepEqual([flannel?.mutation.changes, flannel?.validation.problems], [[], []]);
    assert.ok(calico && mine);
    assert.ok(calico.mutation.changes.length > 0 && calico.mutation.changes.every((f) => f.rule.startsWith('calico-config/')));
    assert.deepEqual(mine.mutation.changes.map((f) => f.rule), ['throwaway/key']);
    assert.deepEqual(analysis.mutation.changes, [...calico.mutation.changes, ...mine.mutation.changes]);
    const patched = patchOf(analysis).map((op) => op.path);
    assert.ok(patched.includes('/data/cni_network_config') && patched.includes('/data/throwaway.json'), patched.join(', '));
  });
});
