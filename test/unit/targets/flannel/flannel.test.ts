// The flannel target (issue 14, cases 1 and 2): Canal's net-conf.json and flannel image, hand-written variants.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flannelTarget } from '../../../../src/targets/flannel/flannel.js';
import { contextWith, fixtureObject, rulesOf, run } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';

const CANAL_CONFIG = fixtureObject('calico-config/canal-config-flannel-delegate.yaml');
const CANAL = fixtureObject('calico-node/canal-v3.24.0.yaml');
const DUAL = contextWith({ overrides: { mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16' } });

function netConf(object: KubeObject): string {
  return (object.data as Record<string, string>)['net-conf.json'] ?? '';
}

function withNetConf(text: string): KubeObject {
  const copy = structuredClone(CANAL_CONFIG);
  (copy.data as Record<string, string>)['net-conf.json'] = text;
  return copy;
}

function flannelImage(image: string): KubeObject {
  const copy = structuredClone(CANAL);
  (copy.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = image;
  return copy;
}

describe('flannel: net-conf.json', () => {
  it('matches canal-config and kube-flannel-cfg ConfigMaps, canal and kube-flannel-ds DaemonSets', () => {
    assert.equal(flannelTarget.matches(CANAL_CONFIG), true);
    assert.equal(flannelTarget.matches({ ...CANAL_CONFIG, metadata: { name: 'kube-flannel-cfg' } }), true);
    assert.equal(flannelTarget.matches({ ...CANAL_CONFIG, metadata: { name: 'calico-config' } }), false);
    assert.equal(flannelTarget.matches(CANAL), true);
  });

  it('ipv6-only: the IPv6 keys and EnableIPv4 false, appended in place; every other byte kept', () => {
    const before = netConf(CANAL_CONFIG);
    const { mutated, analysis } = run(CANAL_CONFIG);
    assert.equal(netConf(mutated), before.replace('\n  }\n}', '\n  },\n  "EnableIPv6": true,\n  "IPv6Network": "fd20::/112",\n  "EnableIPv4": false\n}'));
    assert.deepEqual(JSON.parse(netConf(mutated)), { Network: '10.244.0.0/16', Backend: { Type: 'vxlan' }, EnableIPv6: true, IPv6Network: 'fd20::/112', EnableIPv4: false });
    assert.deepEqual(analysis.validation.problems, []);
    assert.deepEqual(run(mutated).patch, [], 'idempotent');
  });

  it('dual-stack: Network stays the IPv4 pod CIDR, IPv6 added', () => {
    const { mutated } = run(CANAL_CONFIG, DUAL);
    assert.deepEqual(JSON.parse(netConf(mutated)), { Network: '10.244.0.0/16', Backend: { Type: 'vxlan' }, EnableIPv6: true, IPv6Network: 'fd20::/112' });
  });

  it('a different IPv6Network, a different Network in dual-stack, a backend without IPv6: refused with the values found', () => {
    const other = run(withNetConf('{"Network": "10.244.0.0/16", "IPv6Network": "fd30::/112", "Backend": {"Type": "vxlan"}}')).analysis.validation.problems;
    assert.deepEqual(other.map((p) => [p.rule, p.path, p.found]), [['flannel/net-conf', 'data.net-conf.json IPv6Network', '"fd30::/112"']]);
    assert.deepEqual(rulesOf(run(withNetConf('{"Network": "10.42.0.0/16", "Backend": {"Type": "vxlan"}}'), DUAL).analysis.validation.problems), ['flannel/net-conf']);
    assert.match(run(withNetConf('{"Network": "10.244.0.0/16"}')).analysis.validation.problems[0]?.fix ?? '', /flanneld runs udp/);
  });

  it('unparseable net-conf.json is malformed (400), naming the position', () => {
    const { analysis } = run(withNetConf('{"Network": '));
    assert.deepEqual(rulesOf(analysis.mutation.malformed), ['flannel/shape']);
  });
});

describe('flannel: the image', () => {
  it('refused below the first release with the mode\'s IPv6, naming both versions', () => {
    const old = run(flannelImage('quay.io/coreos/flannel:v0.9.1'), DUAL).analysis.validation.problems.filter((p) => p.rule === 'flannel/version');
    assert.equal(old.length, 1);
    assert.match(old[0]?.fix ?? '', /flannel v0\.9\.1 has no IPv6 .* it needs flannel >= v0\.15\.0/);
    assert.deepEqual(rulesOf(run(flannelImage('quay.io/coreos/flannel:v0.16.3')).analysis.validation.problems).filter((r) => r.startsWith('flannel')), ['flannel/version']);
    assert.deepEqual(rulesOf(run(flannelImage('quay.io/coreos/flannel:v0.16.3'), DUAL).analysis.validation.problems).filter((r) => r.startsWith('flannel')), []);
    assert.deepEqual(rulesOf(run(flannelImage('docker.io/flannel/flannel:v0.24.4')).analysis.validation.problems).filter((r) => r.startsWith('flannel')), []);
  });
});
