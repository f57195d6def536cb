// doctor's flannel (Canal) items: net-conf.json's EnableIPv6, IPv6Network against the cluster's pod CIDR and
// the backend, on the flannel ConfigMaps only; only where flannel is installed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { guideItems, runClusterChecks } from '../../../../src/doctor/run.js';
import type { ClusterSnapshot } from '../../../../src/doctor/snapshot.js';
import type { KubeObject } from '../../../../src/k8s/object.js';
import { configWith, fixtureObject } from '../../../support/fixtures.js';

const CANAL_CONFIG = fixtureObject('calico-config/canal-config-flannel-delegate.yaml');
const CANAL = fixtureObject('calico-node/canal-v3.24.0.yaml');
const GOOD_NET_CONF = '{"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan"}, "EnableIPv6": true, "IPv6Network": "fd20::/112", "EnableIPv4": false}';
const CONFIG_ITEMS = ['enable-ipv6', 'ipv6-network', 'backend'];

function withNetConf(text: string | undefined): KubeObject {
  const copy = structuredClone(CANAL_CONFIG);
  const data = copy.data as Record<string, string>;
  if (text === undefined) delete data['net-conf.json'];
  else data['net-conf.json'] = text;
  return copy;
}

function withImage(image: string): KubeObject {
  const copy = structuredClone(CANAL);
  (copy.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = image;
  return copy;
}

function checks(objects: KubeObject[], config = configWith()) {
  const snapshot: ClusterSnapshot = {
    pods: { ok: true, value: [] }, kubeadmConfig: { ok: true, value: undefined }, settings: {},
    kubeletConfig: { ok: true, value: undefined }, nodes: { ok: true, value: [] }, configz: {},
    targets: { objects, failures: [] }, context: { configMaps: {}, calicoVersionHint: undefined, failures: [] },
    scope: { all: false, namespaces: ['kube-system'] },
  };
  return runClusterChecks(snapshot, config).filter((c) => c.id.startsWith('flannel.'));
}

const statusOf = (list: { id: string; status: string }[]) => Object.fromEntries(list.map((c) => [c.id, c.status]));
const configId = (item: string) => `flannel.${item}/kube-system/canal-config`;
const byId = (list: { id: string; status: string; evidence: string }[], id: string) => list.find((c) => c.id === id);

describe('doctor: flannel (Canal)', () => {
  it('a net-conf.json with IPv6 on the pod CIDR over vxlan, and a flannel with IPv6: every item passes, nothing else fails, showing the values read', () => {
    const list = checks([withNetConf(GOOD_NET_CONF), withImage('docker.io/flannel/flannel:v0.24.4')]);
    assert.deepEqual(statusOf(list), { [configId('enable-ipv6')]: 'pass', [configId('ipv6-network')]: 'pass', [configId('backend')]: 'pass' });
    assert.equal(byId(list, configId('enable-ipv6'))?.evidence, 'EnableIPv6 true, EnableIPv4 false');
    assert.equal(byId(list, configId('ipv6-network'))?.evidence, 'IPv6Network "fd20::/112" (podCIDR fd20::/112)');
    assert.equal(byId(list, configId('backend'))?.evidence, 'Backend.Type vxlan');
  });

  it('Canal\'s stock net-conf.json (IPv4 only): enable-ipv6 and ipv6-network fail with what the webhook would change; the backend passes', () => {
    const list = checks([CANAL_CONFIG]);
    assert.deepEqual(statusOf(list), { [configId('enable-ipv6')]: 'fail', [configId('ipv6-network')]: 'fail', [configId('backend')]: 'pass' });
    assert.match(byId(list, configId('enable-ipv6'))?.evidence ?? '', /the webhook would change: .*EnableIPv6/);
    assert.doesNotMatch(byId(list, configId('enable-ipv6'))?.evidence ?? '', /IPv6Network/, 'each item has only its own keys');
    assert.match(byId(list, configId('ipv6-network'))?.evidence ?? '', /IPv6Network/);
  });

  it('an IPv6Network other than the pod CIDR fails ipv6-network only, with the value found', () => {
    const list = checks([withNetConf(GOOD_NET_CONF.replace('fd20::/112', 'fd30::/112'))]);
    assert.deepEqual(statusOf(list), { [configId('enable-ipv6')]: 'pass', [configId('ipv6-network')]: 'fail', [configId('backend')]: 'pass' });
    assert.match(byId(list, configId('ipv6-network'))?.evidence ?? '', /the webhook would reject: .*"fd30::\/112"/);
  });

  it('dual-stack: Network must be ipv4PodCIDR, and the evidence names both', () => {
    const dual = configWith({ mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16' });
    const good = '{"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan"}, "EnableIPv6": true, "IPv6Network": "fd20::/112"}';
    assert.equal(byId(checks([withNetConf(good)], dual), configId('ipv6-network'))?.evidence, 'IPv6Network "fd20::/112" (podCIDR fd20::/112), Network "10.244.0.0/16" (ipv4PodCIDR 10.244.0.0/16)');
    assert.equal(statusOf(checks([withNetConf(good.replace('10.244.0.0/16', '10.42.0.0/16'))], dual))[configId('ipv6-network')], 'fail');
  });

  it('no Backend (udp) or a backend without IPv6 fails backend only', () => {
    for (const conf of [GOOD_NET_CONF.replace('"Backend": {"Type": "vxlan"}, ', ''), GOOD_NET_CONF.replace('vxlan', 'ipip')]) {
      assert.deepEqual(statusOf(checks([withNetConf(conf)])), { [configId('enable-ipv6')]: 'pass', [configId('ipv6-network')]: 'pass', [configId('backend')]: 'fail' }, conf);
    }
  });

  it('unparseable net-conf.json fails every net-conf item (flanneld does not start), and the finding itself as "other"', () => {
    const list = checks([withNetConf('{"Network": ')]);
    assert.deepEqual(statusOf(list), { [configId('enable-ipv6')]: 'fail', [configId('ipv6-network')]: 'fail', [configId('backend')]: 'fail', [configId('other')]: 'fail' });
    assert.match(list[0]?.evidence ?? '', /flanneld does not start/);
    assert.match(byId(list, configId('other'))?.evidence ?? '', /unparseable JSON/);
  });

  it('a flannel ConfigMap without net-conf.json: its items are unknown, saying why', () => {
    const list = checks([withNetConf(undefined)]);
    assert.deepEqual(list.map((c) => c.status), ['unknown', 'unknown', 'unknown']);
    assert.match(list[0]?.evidence ?? '', /has no net-conf\.json/);
  });

  it('a DaemonSet is not asked the net-conf items; a flannel image without IPv6-only fails as its "other" finding', () => {
    assert.deepEqual(statusOf(checks([withImage('docker.io/flannel/flannel:v0.24.4')])), {});
    const list = checks([withImage('quay.io/coreos/flannel:v0.16.3')]);
    assert.deepEqual(statusOf(list), { 'flannel.other/kube-system/canal': 'fail' });
    assert.match(list[0]?.evidence ?? '', /flannel\/version.*flannel >= v0\.17\.0/);
  });

  it('a cluster without flannel reports none of its items, and they are not among the guide\'s items', () => {
    assert.deepEqual(checks([]), []);
    assert.deepEqual(guideItems('ipv6-only').filter((i) => i.startsWith('flannel.')), []);
    assert.ok(CONFIG_ITEMS.every((i) => checks([CANAL_CONFIG]).some((c) => c.id === configId(i))));
  });
});
