// The API access the code needs, as stated in src/cluster/rbac.ts (the e2e test runs with exactly it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLUSTER_RULES, NAMESPACE_RULES, grants, readAccess } from '../../../src/cluster/rbac.js';
import { defineTarget } from '../../../src/targets/target.js';
import { TARGETS } from '../../../src/targets/registry.js';
import { webhookScope } from '../../../src/targets/scope.js';

describe('needed RBAC', () => {
  it('grants() compares rule lists by what they allow, however they are grouped', () => {
    const a = grants([{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['a', 'b'], verbs: ['get', 'list'] }]);
    const b = grants([
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['b'], verbs: ['list', 'get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'], verbs: ['get', 'list'] },
    ]);
    assert.deepEqual(a, b);
    assert.deepEqual(grants([{ apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'] }]), ['apps/daemonsets/*:get']);
  });

  it('every target the rules know can be read by name (get), in a discovery namespace or cluster-wide; custom resources of any name listed', () => {
    for (const target of webhookScope(TARGETS)) {
      const allowed = new Set(grants(target.namespaced ? NAMESPACE_RULES : CLUSTER_RULES));
      if (target.names === 'any') assert.ok(allowed.has(`${target.group || 'core'}/${target.resource}/*:list`), target.resource);
      for (const name of target.names === 'any' ? [] : target.names) {
        assert.ok(allowed.has(`${target.group || 'core'}/${target.resource}/${name}:get`), `${target.resource}/${name}`);
      }
    }
  });

  it('cluster-wide only Nodes and FelixConfigurations (list, watch) and the Calico custom resources (the Installation by name); Pods only listed', () => {
    assert.deepEqual(grants(CLUSTER_RULES), [
      'core/nodes/*:list', 'core/nodes/*:watch',
      'crd.projectcalico.org/felixconfigurations/*:list', 'crd.projectcalico.org/felixconfigurations/*:watch',
      'crd.projectcalico.org/ippools/*:list',
      'operator.tigera.io/installations/default:get',
      'projectcalico.org/ippools/*:list',
    ]);
    assert.deepEqual(grants(NAMESPACE_RULES).filter((g) => g.startsWith('core/pods')), ['core/pods/*:list']);
    assert.ok(grants(NAMESPACE_RULES).every((g) => g.startsWith('core/pods') || !g.includes('/*:')), 'everything else is limited by name');
  });

  it('the ConfigMaps a target reads besides its objects come from its descriptor (readsConfigMaps)', () => {
    const configMapGrants = (targets: Parameters<typeof readAccess>[0]) => grants(readAccess(targets).namespaced).filter((g) => g.startsWith('core/configmaps/'));
    assert.ok(configMapGrants(TARGETS).includes('core/configmaps/kubernetes-services-endpoint:watch'));
    const withoutCalicoNode = configMapGrants(TARGETS.filter((t) => t.id !== 'calico-node'));
    assert.ok(!withoutCalicoNode.some((g) => g.includes('kubernetes-services-endpoint')), 'only calico-node reads it');
    const reader = defineTarget({ id: 'reader', description: 'reads a ConfigMap', resources: [], validate: () => undefined, readsConfigMaps: ['its-settings'] });
    assert.deepEqual(configMapGrants([...TARGETS, reader]).filter((g) => g.includes('its-settings')),
      ['core/configmaps/its-settings:get', 'core/configmaps/its-settings:list', 'core/configmaps/its-settings:watch']);
  });
});
