// Reading the cluster's published settings: kubeadm-config, kube-proxy, kubelet-config, /configz, Nodes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  kubeadmNetworking, kubeletSettingsFromConfigMap, kubeletSettingsFromConfigz, nodePodCidrs,
} from '../../../src/cluster/settings.js';
import { splitList } from '../../../src/k8s/config-text.js';
import { kubeProxySettings } from '../../../src/targets/kube-proxy/settings.js';
import { configMap, kubeadmConfig, kubeletConfig, kubeProxyConfig, node } from './support.js';

describe('settings', () => {
  it('splits comma lists and YAML lists alike', () => {
    assert.deepEqual(splitList('10.244.0.0/16, fd20::/112'), ['10.244.0.0/16', 'fd20::/112']);
    assert.deepEqual(splitList(['fd00:10:96::a', 5, '']), ['fd00:10:96::a']);
    assert.deepEqual(splitList(undefined), []);
  });

  it('kubeadm-config ClusterConfiguration networking, dual-stack lists included', () => {
    const parsed = kubeadmNetworking(kubeadmConfig({ podSubnet: '10.244.0.0/16,fd20::/112', serviceSubnet: 'fd00:10:96::/112' }));
    assert.deepEqual(parsed, { ok: true, value: { podSubnet: ['10.244.0.0/16', 'fd20::/112'], serviceSubnet: ['fd00:10:96::/112'] } });
    assert.deepEqual(kubeadmNetworking(configMap('kube-system', 'kubeadm-config', {})), { ok: false, reason: 'has no ClusterConfiguration key', cause: 'absent' });
    assert.equal(kubeadmNetworking(configMap('kube-system', 'kubeadm-config', { ClusterConfiguration: 'a: [' })).ok, false);
  });

  it('kube-proxy config.conf and the server of kubeconfig.conf', () => {
    assert.deepEqual(kubeProxySettings(kubeProxyConfig({ clusterCIDR: 'fd20::/112', bindAddress: '::' }, 'https://[fd00::10]:6443')),
      { ok: true, value: { clusterCIDR: ['fd20::/112'], bindAddress: '::', server: 'https://[fd00::10]:6443', kubeconfigPath: undefined } });
    const bare = kubeProxySettings(kubeProxyConfig({ clientConnection: { kubeconfig: '/var/lib/kube-proxy/kubeconfig.conf' } }));
    assert.deepEqual(bare, { ok: true, value: { clusterCIDR: [], bindAddress: undefined, server: undefined, kubeconfigPath: '/var/lib/kube-proxy/kubeconfig.conf' } });
  });

  it('kubelet configuration from the ConfigMap and from /configz (object or JSON text)', () => {
    assert.deepEqual(kubeletSettingsFromConfigMap(kubeletConfig({ clusterDNS: ['fd00:10:96::a'], address: '::' })), { ok: true, value: { clusterDNS: ['fd00:10:96::a'], address: '::' } });
    const configz = { kubeletconfig: { clusterDNS: ['10.96.0.10'], address: '0.0.0.0' } };
    assert.deepEqual(kubeletSettingsFromConfigz(configz), { ok: true, value: { clusterDNS: ['10.96.0.10'], address: '0.0.0.0' } });
    assert.deepEqual(kubeletSettingsFromConfigz(JSON.stringify(configz)), kubeletSettingsFromConfigz(configz));
    assert.deepEqual(kubeletSettingsFromConfigz({ other: 1 }), { ok: false, reason: '/configz has no kubeletconfig object' });
  });

  it('Node podCIDRs, falling back to the single podCIDR', () => {
    assert.deepEqual(nodePodCidrs(node('a', [], ['fd20::/120', '10.244.0.0/24'])), ['fd20::/120', '10.244.0.0/24']);
    assert.deepEqual(nodePodCidrs({ kind: 'Node', spec: { podCIDR: 'fd20::100/120' } }), ['fd20::100/120']);
    assert.deepEqual(nodePodCidrs(node('b', [])), []);
  });
});
