// flannel's net-conf.json for each mode, as flanneld reads it (issue 14, case 1).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backendType, flannelTooOld, isFlannelImage, planNetConf, type NetConfIntent } from '../../../src/flannel/net-conf.js';
import { parseCidrOf, type AnyCidr } from '../../../src/net/ranges.js';

function cidr(text: string): AnyCidr {
  const parsed = parseCidrOf(text.includes(':') ? 'ipv6' : 'ipv4', text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.cidr;
}

const IPV6_ONLY: NetConfIntent = { mode: 'ipv6-only', ipv6Network: cidr('fd20::/112') };
const DUAL: NetConfIntent = { mode: 'dual-stack', ipv6Network: cidr('fd20::/112'), ipv4Network: cidr('10.244.0.0/16') };
// What Calico's canal.yaml ships (manifests/canal.yaml, canal-config net-conf.json).
const CANAL = { Network: '10.244.0.0/16', Backend: { Type: 'vxlan' } };

describe('flannel/net-conf', () => {
  it('ipv6-only: EnableIPv6 true, IPv6Network the pod CIDR, EnableIPv4 false (IPv4 is on by default)', () => {
    const plan = planNetConf(CANAL, IPV6_ONLY);
    assert.deepEqual(plan.edits.map((e) => [e.key, e.expected]), [['EnableIPv6', true], ['IPv6Network', 'fd20::/112'], ['EnableIPv4', false]]);
    assert.deepEqual(plan.problems, []);
  });

  it('dual-stack: Network kept (it is the IPv4 pod CIDR), the IPv6 keys added', () => {
    const plan = planNetConf(CANAL, DUAL);
    assert.deepEqual(plan.edits.map((e) => [e.key, e.expected]), [['EnableIPv6', true], ['IPv6Network', 'fd20::/112']]);
    assert.deepEqual(planNetConf({ Backend: { Type: 'vxlan' } }, DUAL).edits.map((e) => e.key), ['EnableIPv6', 'IPv6Network', 'Network']);
    assert.deepEqual(planNetConf({ ...CANAL, EnableIPv4: false }, DUAL).edits.map((e) => [e.key, e.expected]), [['EnableIPv6', true], ['IPv6Network', 'fd20::/112'], ['EnableIPv4', true]]);
  });

  it('a finished file needs nothing', () => {
    assert.deepEqual(planNetConf({ ...CANAL, EnableIPv6: true, IPv6Network: 'fd20::/112', EnableIPv4: false }, IPV6_ONLY), { edits: [], problems: [] });
    assert.deepEqual(planNetConf({ ...CANAL, EnableIPv6: true, IPv6Network: 'FD20:0::/112' }, DUAL), { edits: [], problems: [] });
  });

  it('string booleans become JSON booleans, saying why', () => {
    const plan = planNetConf({ ...CANAL, EnableIPv6: 'true', IPv6Network: 'fd20::/112', EnableIPv4: 'false' }, IPV6_ONLY);
    assert.deepEqual(plan.edits.map((e) => [e.key, e.found, e.expected]), [['EnableIPv6', 'true', true], ['EnableIPv4', 'false', false]]);
    assert.match(plan.edits[0]?.why ?? '', /reads a JSON boolean/);
  });

  it('a different IPv6Network or Network is a problem, never silently replaced', () => {
    assert.deepEqual(planNetConf({ ...CANAL, IPv6Network: 'fd30::/112' }, IPV6_ONLY).problems.map((p) => [p.key, p.found, p.expected]), [['IPv6Network', 'fd30::/112', 'fd20::/112']]);
    assert.deepEqual(planNetConf({ ...CANAL, IPv6Network: 'fd20::/64' }, IPV6_ONLY).problems.map((p) => p.key), ['IPv6Network']);
    assert.deepEqual(planNetConf({ ...CANAL, Network: '10.42.0.0/16' }, DUAL).problems.map((p) => [p.key, p.found, p.expected]), [['Network', '10.42.0.0/16', '10.244.0.0/16']]);
  });

  it('a backend that cannot carry IPv6 is a problem; no Backend means udp', () => {
    assert.equal(backendType({}), 'udp');
    assert.equal(backendType({ Backend: { Type: 'VXLAN' } }), 'vxlan');
    assert.match(planNetConf({ Network: '10.244.0.0/16' }, IPV6_ONLY).problems[0]?.fix ?? '', /with no Backend flanneld runs udp/);
    assert.deepEqual(planNetConf({ ...CANAL, Backend: { Type: 'ipip' } }, DUAL).problems.map((p) => p.key), ['Backend.Type']);
    for (const type of ['vxlan', 'host-gw', 'wireguard']) assert.deepEqual(planNetConf({ ...CANAL, Backend: { Type: type } }, DUAL).problems, [], type);
  });

  it('flannel images: IPv6 from v0.15.0, IPv6-only from v0.17.0, IPv6 over wireguard from v0.16.0', () => {
    assert.equal(isFlannelImage('docker.io/flannel/flannel:v0.24.4'), true);
    assert.equal(isFlannelImage('quay.io/coreos/flannel:v0.9.1'), true);
    assert.equal(isFlannelImage('ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3'), false);
    assert.equal(flannelTooOld('docker.io/flannel/flannel:v0.24.4', 'ipv6-only', 'vxlan'), undefined);
    assert.equal(flannelTooOld('quay.io/coreos/flannel:v0.9.1', 'dual-stack', 'vxlan'), 'flannel v0.9.1 has no IPv6 (EnableIPv6, IPv6Network): it needs flannel >= v0.15.0');
    assert.equal(flannelTooOld('quay.io/coreos/flannel:v0.15.1-amd64', 'dual-stack', 'vxlan'), undefined);
    assert.equal(flannelTooOld('quay.io/coreos/flannel:v0.16.3', 'ipv6-only', 'vxlan'), 'flannel v0.16.3 has no IPv6-only ("EnableIPv4": false): it needs flannel >= v0.17.0');
    assert.equal(flannelTooOld('quay.io/coreos/flannel:v0.15.1', 'dual-stack', 'wireguard'), 'flannel v0.15.1 has no IPv6 (EnableIPv6, IPv6Network) over wireguard: it needs flannel >= v0.16.0');
    assert.equal(flannelTooOld('flannel/flannel@sha256:abc', 'ipv6-only', 'vxlan'), undefined);
  });
});
