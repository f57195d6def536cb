// Cluster discovery on a fake watch source: what it watches, how it follows changes, what it reports.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { reviewRequest } from '../../../src/admission/handler.js';
import type { AdmissionRequest } from '../../../src/admission/review.js';
import { ApiError } from '../../../src/cluster/client.js';
import { ClusterDiscovery } from '../../../src/cluster/discovery.js';
import type { WatchHandlers, WatchHandle, WatchSource, WatchTarget } from '../../../src/cluster/watch.js';
import type { WebhookConfig } from '../../../src/config/types.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { configWith, fixtureObject, run, withEnv, withImage } from '../../support/fixtures.js';
import { kubeadmConfig, kubeletConfig, kubeProxyConfig, node } from './support.js';

class FakeWatchSource implements WatchSource {
  readonly handlers = new Map<string, WatchHandlers>();
  readonly stopped: string[] = [];

  static key(target: WatchTarget): string {
    return 'api' in target ? `${target.resource}/${target.namespace ?? ''}/${target.name ?? '*'}` : 'nodes';
  }

  watch(target: WatchTarget, handlers: WatchHandlers): WatchHandle {
    const key = FakeWatchSource.key(target);
    this.handlers.set(key, handlers);
    return { stop: () => this.stopped.push(key) };
  }

  emit(key: string, objects: KubeObject[]): void {
    const h = this.handlers.get(key);
    if (!h) throw new Error(`no watch on ${key}; watching ${[...this.handlers.keys()].join(', ')}`);
    h.onObjects(objects);
  }

  /** Every watch lists what it is given here, and nothing otherwise. */
  syncAll(objects: Record<string, KubeObject[]> = {}): void {
    for (const key of [...this.handlers.keys()]) this.emit(key, objects[key] ?? []);
  }
}

const FIXED_NODE = run(fixtureObject('calico-node/calico-node-v3.30.0.yaml')).mutated;

function setup(options: { namespaces?: string[]; syncTimeoutMs?: number; config?: () => WebhookConfig } = {}) {
  const source = new FakeWatchSource();
  const registry = new Registry();
  const config = configWith();
  const discovery = new ClusterDiscovery({ source, namespaces: options.namespaces ?? ['kube-system'], config: options.config ?? (() => config), registry, syncTimeoutMs: options.syncTimeoutMs ?? 60_000 });
  discovery.start();
  return { source, discovery, registry };
}

const AGREEING = {
  'configmaps/kube-system/kubeadm-config': [kubeadmConfig({ podSubnet: 'fd20::/112', serviceSubnet: 'fd00:10:96::/112' })],
  'configmaps/kube-system/kube-proxy': [kubeProxyConfig({ clusterCIDR: 'fd20::/112', bindAddress: '::' })],
  'configmaps/kube-system/kubelet-config': [kubeletConfig({ clusterDNS: ['fd00:10:96::a'] })],
  nodes: [node('node1', ['fd00::11'], ['fd20::/120']), node('node2', ['fd00::12'], ['fd20::100/120'])],
};

describe('cluster discovery', () => {
  it('watches kubeadm-config, kube-proxy, kubelet-config, Nodes, and calico-node with its ConfigMaps per namespace', () => {
    const { source } = setup({ namespaces: ['kube-system', 'calico-other'] });
    assert.deepEqual([...source.handlers.keys()].sort(), [
      'configmaps/calico-other/calico-config', 'configmaps/calico-other/canal-config',
      'configmaps/kube-system/calico-config', 'configmaps/kube-system/canal-config',
      'configmaps/kube-system/kube-proxy', 'configmaps/kube-system/kubeadm-config', 'configmaps/kube-system/kubelet-config',
      'daemonsets/calico-other/calico-node', 'daemonsets/calico-other/canal',
      'daemonsets/kube-system/calico-node', 'daemonsets/kube-system/canal',
      'felixconfigurations//*',
      'nodes',
    ]);
  });

  it('is not ready until every initial watch has listed, and never longer than the sync timeout', () => {
    const { source, discovery } = setup();
    assert.match(discovery.notReadyReasons()[0] ?? '', /^cluster discovery: waiting for the first list of Nodes, ConfigMap kube-system\/kubeadm-config/);
    source.syncAll();
    assert.deepEqual(discovery.notReadyReasons(), []);
    const late = setup({ syncTimeoutMs: 0 });
    assert.deepEqual(late.discovery.notReadyReasons(), [], 'a cluster that never answers does not keep the webhook unready');
  });

  it('no mismatch when the cluster agrees with the configuration', () => {
    const { source, discovery } = setup();
    source.syncAll(AGREEING);
    assert.deepEqual(discovery.mismatches(), []);
    assert.ok(discovery.details().includes('discovery: no mismatch between the configuration and the cluster'));
  });

  it('reports every disagreement, and follows the watches when the cluster changes', () => {
    const { source, discovery } = setup();
    source.syncAll({
      'configmaps/kube-system/kubeadm-config': [kubeadmConfig({ podSubnet: '10.244.0.0/16', serviceSubnet: 'fd00:10:97::/112' })],
      'configmaps/kube-system/kube-proxy': [kubeProxyConfig({ clusterCIDR: '10.244.0.0/16', bindAddress: '0.0.0.0' })],
      'configmaps/kube-system/kubelet-config': [kubeletConfig({ clusterDNS: ['10.96.0.10'] })],
      nodes: [node('node1', ['fd00::11'], ['fd21::/120']), node('node2', ['10.0.0.12'], ['10.244.1.0/24'])],
    });
    assert.deepEqual(discovery.mismatches(), [
      'cluster discovery: kubeadm-config networking.podSubnet has no IPv6 CIDR (10.244.0.0/16); the configured podCIDR is used',
      'cluster discovery: kubeadm-config networking.serviceSubnet is fd00:10:97::/112, but fd00:10:96::/112 is configured; the configured serviceCIDR is used',
      'cluster discovery: kube-proxy clusterCIDR has no IPv6 CIDR (10.244.0.0/16); the configured podCIDR is used',
      'cluster discovery: kube-proxy bindAddress is 0.0.0.0, but an ipv6-only cluster needs ::; the configured mode is used',
      'cluster discovery: kubelet-config clusterDNS holds IPv4 10.96.0.10, but the mode is ipv6-only; the configured clusterDNS is used',
      'cluster discovery: Node spec.podCIDRs outside podCIDR fd20::/112: node1 fd21::/120; the configured podCIDR is used',
      'cluster discovery: Node spec.podCIDRs are IPv4 in an ipv6-only cluster: node2 10.244.1.0/24; the configured mode is used',
    ]);
    // A watch event with the corrected object: the mismatch goes away without any polling.
    source.emit('configmaps/kube-system/kubeadm-config', AGREEING['configmaps/kube-system/kubeadm-config']);
    source.emit('configmaps/kube-system/kube-proxy', AGREEING['configmaps/kube-system/kube-proxy']);
    source.emit('configmaps/kube-system/kubelet-config', AGREEING['configmaps/kube-system/kubelet-config']);
    source.emit('nodes', AGREEING.nodes);
    assert.deepEqual(discovery.mismatches(), []);
    // Deleted: nothing to compare with, nothing reported.
    source.emit('configmaps/kube-system/kubeadm-config', []);
    assert.deepEqual(discovery.mismatches(), []);
  });

  it('configured values win: a reloaded configuration is compared anew, the cluster never changes it', () => {
    let config = configWith();
    const { source, discovery } = setup({ config: () => config });
    source.syncAll({ 'configmaps/kube-system/kubeadm-config': [kubeadmConfig({ podSubnet: 'fd21::/112' })] });
    assert.equal(discovery.mismatches().length, 1);
    config = configWith({ podCIDR: 'fd21::/112' });
    assert.deepEqual(discovery.mismatches(), []);
  });

  it('warnings stay under the API server\'s 256-character limit', () => {
    const { source, discovery } = setup();
    const many = Array.from({ length: 30 }, (_, i) => node(`a-very-long-node-name-number-${i}`, ['fd00::1'], [`fd99:${i}::/120`]));
    source.syncAll({ nodes: many });
    const [message] = discovery.mismatches();
    assert.ok(message && message.length <= 255, message);
    assert.match(message, /and 27 more/);
  });

  it('resolves ConfigMap keys from the watched cache, and starts watching a ConfigMap on first sight', () => {
    const { source, discovery } = setup();
    source.syncAll({ 'configmaps/kube-system/calico-config': [fixtureObject('calico-config/calico-config-conflist.yaml')] });
    assert.equal(discovery.lookupConfigMapKey('kube-system', 'calico-config', 'calico_backend'), 'bird');
    assert.equal(discovery.lookupConfigMapKey('kube-system', 'calico-config', 'missing'), undefined);
    assert.equal(discovery.lookupConfigMapKey('kube-system', 'ipv6-settings', 'ip6'), undefined);
    assert.ok(source.handlers.has('configmaps/kube-system/ipv6-settings'), 'now watched');
    source.emit('configmaps/kube-system/ipv6-settings', [{ kind: 'ConfigMap', metadata: { name: 'ipv6-settings', namespace: 'kube-system' }, data: { ip6: 'autodetect' } }]);
    assert.equal(discovery.lookupConfigMapKey('kube-system', 'ipv6-settings', 'ip6'), 'autodetect');
    assert.equal(discovery.lookupConfigMapKey('elsewhere', 'x', 'y'), undefined);
    assert.ok(!source.handlers.has('configmaps/elsewhere/x'), 'outside the discovery namespaces nothing is watched (no RBAC there)');
    assert.ok(discovery.notReadyReasons().length === 0, 'an on-demand watch does not make the webhook unready');
  });

  it('whole ConfigMaps for envFrom: unknown until listed, null when it does not exist, its data when it does (issue 14)', () => {
    const { source, discovery } = setup();
    assert.equal(discovery.lookupConfigMap('kube-system', 'kubernetes-services-endpoint'), undefined);
    assert.ok(source.handlers.has('configmaps/kube-system/kubernetes-services-endpoint'), 'now watched');
    source.emit('configmaps/kube-system/kubernetes-services-endpoint', []);
    assert.equal(discovery.lookupConfigMap('kube-system', 'kubernetes-services-endpoint'), null);
    source.emit('configmaps/kube-system/kubernetes-services-endpoint', [{ kind: 'ConfigMap', metadata: { name: 'kubernetes-services-endpoint', namespace: 'kube-system' }, data: { NO_DEFAULT_POOLS: 'true', n: 1 } }]);
    assert.deepEqual(discovery.lookupConfigMap('kube-system', 'kubernetes-services-endpoint'), { NO_DEFAULT_POOLS: 'true' });
  });

  it('follows the ConfigMaps a calico-node DaemonSet refers to, and reads the Calico version from its image', () => {
    const { source, discovery } = setup();
    const ds = withImage(withEnv(FIXED_NODE, { IP6: { valueFrom: { configMapKeyRef: { name: 'ipv6-settings', key: 'ip6' } } } }), 'quay.io/calico/node:v3.24.1');
    source.syncAll({ 'daemonsets/kube-system/calico-node': [ds] });
    assert.ok(source.handlers.has('configmaps/kube-system/ipv6-settings'));
    assert.deepEqual(discovery.calicoVersion(), { major: 3, minor: 24, patch: 1 });
    source.emit('daemonsets/kube-system/calico-node', []);
    assert.equal(discovery.calicoVersion(), undefined);
  });

  it('shows watch errors in /readyz details and clears them when the watch recovers', () => {
    const { source, discovery } = setup();
    source.syncAll();
    source.handlers.get('configmaps/kube-system/kube-proxy')!.onError(new ApiError(403, 'HTTP 403: configmaps "kube-proxy" is forbidden'));
    assert.ok(discovery.details().includes('discovery: watch ConfigMap kube-system/kube-proxy: error: HTTP 403: configmaps "kube-proxy" is forbidden (retrying)'), discovery.details().join('\n'));
    source.emit('configmaps/kube-system/kube-proxy', []);
    assert.ok(discovery.details().includes('discovery: watch ConfigMap kube-system/kube-proxy: synced, 0 objects, 2 updates'));
  });

  it('exports a mismatch gauge and a per-watch sync gauge', async () => {
    const { source, registry } = setup();
    source.syncAll({ 'configmaps/kube-system/kubelet-config': [kubeletConfig({ clusterDNS: ['fd00:10:96::b'] })] });
    const text = await registry.metrics();
    assert.match(text, /^calico_ipv6_webhook_discovery_mismatch\{setting="clusterDNS",source="kubelet-config"\} 1$/m);
    assert.match(text, /^calico_ipv6_webhook_discovery_watch_synced\{watch="Nodes"\} 1$/m);
    source.emit('configmaps/kube-system/kubelet-config', [kubeletConfig({ clusterDNS: ['fd00:10:96::a'] })]);
    assert.doesNotMatch(await registry.metrics(), /discovery_mismatch\{/);
  });

  it('FelixConfiguration programClusterRoutes: known Enabled only from a current list where "default" says Enabled and no other one says otherwise', () => {
    const felix = (name: string, programClusterRoutes?: string): KubeObject => ({ apiVersion: 'crd.projectcalico.org/v1', kind: 'FelixConfiguration', metadata: { name }, spec: programClusterRoutes === undefined ? {} : { programClusterRoutes } });
    const { source, discovery } = setup();
    assert.equal(discovery.felixConfigurationClusterRoutes(), false, 'not listed yet: unknown');
    source.emit('felixconfigurations//*', [felix('default', 'Enabled'), felix('node.node1')]);
    assert.equal(discovery.felixConfigurationClusterRoutes(), true);
    source.emit('felixconfigurations//*', [felix('default', 'Enabled'), felix('node.node1', 'Disabled')]);
    assert.equal(discovery.felixConfigurationClusterRoutes(), false, 'a per-node Disabled outranks default');
    for (const objects of [[], [felix('default')], [felix('default', 'Disabled')], [felix('node.node1', 'Enabled')]]) {
      source.emit('felixconfigurations//*', objects);
      assert.equal(discovery.felixConfigurationClusterRoutes(), false, JSON.stringify(objects));
    }
    source.emit('felixconfigurations//*', [felix('default', 'Enabled')]);
    source.handlers.get('felixconfigurations//*')!.onError(new ApiError(403, 'HTTP 403: felixconfigurations.crd.projectcalico.org is forbidden'));
    assert.equal(discovery.felixConfigurationClusterRoutes(), false, 'after a watch error: unknown');
    source.handlers.get('felixconfigurations//*')!.onError(new ApiError(404, 'HTTP 404: the server could not find the requested resource'));
    assert.equal(discovery.felixConfigurationClusterRoutes(), false, 'no CRD: no FelixConfiguration, so not Enabled');
    assert.ok(discovery.details().includes('discovery: watch FelixConfiguration *: synced, 0 objects, 7 updates'), `no CRD is not shown as an error: ${discovery.details().join('\n')}`);
  });

  it('stop() ends every watch', () => {
    const { source, discovery } = setup();
    discovery.stop();
    assert.equal(source.stopped.length, source.handlers.size);
  });
});

describe('discovery in an admission review', () => {
  function review(object: KubeObject): AdmissionRequest {
    return { apiVersion: 'admission.k8s.io/v1', uid: 'u1', kind: { group: 'apps', version: 'v1', kind: 'DaemonSet' }, namespace: 'kube-system', name: 'calico-node', operation: 'CREATE', object, oldObject: undefined, dryRun: false };
  }

  it('a target object gets the mismatch as a warning, and its valueFrom is resolved through the cache', () => {
    const { source, discovery } = setup();
    source.syncAll({
      'configmaps/kube-system/kubeadm-config': [kubeadmConfig({ podSubnet: 'fd21::/112' })],
      'configmaps/kube-system/calico-config': [{ kind: 'ConfigMap', metadata: { name: 'calico-config', namespace: 'kube-system' }, data: { ip6: 'none' } }],
    });
    const ds = withEnv(FIXED_NODE, { IP6: { valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'ip6' } } } });
    const outcome = reviewRequest('validate', review(ds), configWith(), discovery);
    assert.equal(outcome.response.allowed, false, 'IP6=none read from the ConfigMap is a rejection');
    assert.deepEqual(outcome.violated, ['calico-node/ip6']);
    assert.ok(outcome.response.warnings?.includes('cluster discovery: kubeadm-config networking.podSubnet is fd21::/112, but fd20::/112 is configured; the configured podCIDR is used'));
    const withoutDiscovery = reviewRequest('validate', review(ds), configWith());
    assert.equal(withoutDiscovery.response.allowed, true, 'without discovery the value is unreadable: warned, not judged');
    assert.match(withoutDiscovery.response.warnings?.join('\n') ?? '', /IP6 comes from ConfigMap calico-config key ip6, which the webhook cannot read/);
  });

  it('an unencapsulated IPv6 pool with the vxlan backend: admitted once FelixConfiguration default is seen with programClusterRoutes Enabled, refused before', () => {
    const { source, discovery } = setup();
    source.syncAll({ 'configmaps/kube-system/calico-config': [{ kind: 'ConfigMap', metadata: { name: 'calico-config', namespace: 'kube-system' }, data: { calico_backend: 'vxlan', ipv6_vxlan: 'Never' } }] });
    const ds = withImage(withEnv(FIXED_NODE, { CALICO_NETWORKING_BACKEND: { valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'calico_backend' } } }, CALICO_IPV6POOL_VXLAN: { valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'ipv6_vxlan' } } } }), 'quay.io/calico/node:v3.31.7');
    assert.deepEqual(reviewRequest('validate', review(ds), configWith(), discovery).violated, ['calico-node/ipv6-encapsulation']);
    source.emit('felixconfigurations//*', [{ apiVersion: 'crd.projectcalico.org/v1', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { programClusterRoutes: 'Enabled' } }]);
    const outcome = reviewRequest('validate', review(ds), configWith(), discovery);
    assert.deepEqual(outcome.violated, []);
    assert.equal(outcome.response.allowed, true);
  });
});
