// The Tigera operator's Installation: an IPv6 pool and IPv6 autodetection, judged as the operator judges them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { installationTarget } from '../../../../src/targets/installation/installation.js';
import { mutationVerdict, validationVerdict } from '../../../../src/engine/verdict.js';
import { contextWith, fixtureObject, rulesOf, runRule } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';
import type { RuleContext } from '../../../../src/targets/target.js';

const VXLAN = fixtureObject('operator/installation-vxlan.yaml');
const IPIP_BGP = fixtureObject('operator/installation-ipip-bgp.yaml');
const EMPTY = fixtureObject('operator/installation-empty.yaml');

type Network = Record<string, unknown> & { ipPools?: Record<string, unknown>[] };

function network(object: KubeObject): Network {
  return (object.spec as { calicoNetwork: Network }).calicoNetwork;
}

function withNetwork(object: KubeObject, changes: Record<string, unknown>): KubeObject {
  const copy = structuredClone(object);
  const net = network(copy);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete net[key];
    else net[key] = value;
  }
  return copy;
}

function judge(object: KubeObject, ctx: RuleContext = contextWith()) {
  const { analysis, patch, mutated } = runRule(installationTarget, object, ctx);
  return {
    patch, mutated, changes: analysis.mutation.changes, mutationWarnings: analysis.mutation.warnings,
    problems: analysis.validation.problems, warnings: analysis.validation.warnings,
    mutating: mutationVerdict(analysis, 'deny'), validating: validationVerdict(analysis, 'deny'),
  };
}

/** What the validating webhook says when mutation did not run: validate the object as sent. */
function validateOnly(object: KubeObject, ctx: RuleContext = contextWith()) {
  return runRule({ ...installationTarget, mutate: () => undefined }, object, ctx).analysis.validation;
}

const IPV6_POOL = { cidr: 'fd20::/112', blockSize: 122, encapsulation: 'None', natOutgoing: 'Enabled', nodeSelector: 'all()' };

describe('Installation: what it matches', () => {
  it('operator.tigera.io/v1 Installation named default; the overlay, which only overrides fields, is left alone', () => {
    assert.equal(installationTarget.matches(VXLAN), true);
    assert.equal(installationTarget.matches({ ...VXLAN, metadata: { name: 'overlay' } }), false);
    assert.equal(installationTarget.matches({ ...VXLAN, apiVersion: 'operator.example.io/v1' }), false);
    assert.equal(installationTarget.matches({ ...VXLAN, kind: 'APIServer' }), false);
  });
});

describe('Installation, ipv6-only, CREATE', () => {
  it('the IPv4 VXLAN pool is replaced by the IPv6 pool, with VXLAN kept, and v6 autodetection is added', () => {
    const { mutated, patch, mutationWarnings, problems } = judge(VXLAN);
    assert.deepEqual(network(mutated).ipPools, [{ ...IPV6_POOL, encapsulation: 'VXLANCrossSubnet' }]);
    assert.deepEqual(network(mutated).nodeAddressAutodetectionV6, { firstFound: true });
    assert.deepEqual(mutationWarnings, ['Installation default: IPv4 pool default-ipv4-ippool (10.244.0.0/16) removed from spec.calicoNetwork.ipPools: the cluster is IPv6-only']);
    assert.deepEqual(patch.map((op) => `${op.op} ${op.path}`).sort(), [
      'add /spec/calicoNetwork/nodeAddressAutodetectionV6', 'replace /spec/calicoNetwork/ipPools/0/blockSize', 'replace /spec/calicoNetwork/ipPools/0/cidr',
      'remove /spec/calicoNetwork/ipPools/0/name',
    ].sort());
    assert.deepEqual(problems, []);
    // What the validating webhook sees after the mutating one: admitted.
    assert.equal(judge(mutated).validating.allowed, true);
  });

  it('IPIP with BGP: the IPv6 pool is unencapsulated; v4 autodetection is removed so the operator renders IP=none', () => {
    const { mutated, mutationWarnings, problems } = judge(IPIP_BGP);
    assert.deepEqual(network(mutated).ipPools, [IPV6_POOL]);
    assert.equal(network(mutated).nodeAddressAutodetectionV4, undefined);
    assert.deepEqual(network(mutated).nodeAddressAutodetectionV6, { firstFound: true });
    assert.ok(mutationWarnings.some((w) => w.includes('nodeAddressAutodetectionV4 removed')));
    assert.deepEqual(problems, []);
  });

  it('BGP disabled and no VXLAN to copy: VXLAN', () => {
    const { mutated, problems } = judge(withNetwork(IPIP_BGP, { bgp: 'Disabled', ipPools: [{ cidr: '10.244.0.0/16', encapsulation: 'None' }] }));
    assert.equal(network(mutated).ipPools?.[0]?.encapsulation, 'VXLAN');
    assert.deepEqual(problems, []);
  });

  it('BGP left out defaults to Enabled (None), except on EKS (VXLAN)', () => {
    const minimal = withNetwork(IPIP_BGP, { bgp: undefined, ipPools: undefined });
    assert.equal(network(judge(minimal).mutated).ipPools?.[0]?.encapsulation, 'None');
    const eks = structuredClone(minimal);
    (eks.spec as Record<string, unknown>).kubernetesProvider = 'EKS';
    assert.equal(network(judge(eks).mutated).ipPools?.[0]?.encapsulation, 'VXLAN');
  });

  it('VXLAN is not copied onto IPv6 before Calico v3.23', () => {
    const ctx = contextWith({ overrides: { calicoVersion: 'v3.22.0' } });
    assert.equal(network(judge(VXLAN, ctx).mutated).ipPools?.[0]?.encapsulation, 'None');
  });

  it('HostLocal IPAM: None (the operator refuses VXLAN with it)', () => {
    const hostLocal = structuredClone(VXLAN);
    (hostLocal.spec as Record<string, unknown>).cni = { type: 'Calico', ipam: { type: 'HostLocal' } };
    assert.equal(network(judge(hostLocal).mutated).ipPools?.[0]?.encapsulation, 'None');
  });

  it('no calicoNetwork at all: it is written, so the operator does not add its default IPv4 pool', () => {
    const { mutated, problems } = judge(EMPTY);
    assert.deepEqual(network(mutated), { ipPools: [IPV6_POOL], nodeAddressAutodetectionV6: { firstFound: true } });
    assert.deepEqual(problems, []);
  });

  it('natOutgoing follows the pod CIDR: Disabled for a global one', () => {
    const ctx = contextWith({ overrides: { podCIDR: '2001:db8:1::/64' } });
    assert.equal(network(judge(VXLAN, ctx).mutated).ipPools?.[0]?.natOutgoing, 'Disabled');
  });

  it('is idempotent: a second pass changes nothing', () => {
    for (const object of [VXLAN, IPIP_BGP, EMPTY]) {
      const once = judge(object).mutated;
      const twice = judge(once);
      assert.deepEqual(twice.patch, []);
      assert.deepEqual(twice.changes, []);
    }
  });

  it('an IPv6 pool already there is kept as written, and judged', () => {
    const own = { name: 'pods', cidr: 'fd20::/112', encapsulation: 'None', natOutgoing: 'Enabled' };
    const { mutated, problems } = judge(withNetwork(IPIP_BGP, { ipPools: [own] }));
    assert.deepEqual(network(mutated).ipPools, [own]);
    assert.deepEqual(problems, []);
  });

  it('ipPools: [] (pools out of band) is left alone, with a warning; autodetection is still added', () => {
    const { mutated, problems, warnings } = judge(withNetwork(IPIP_BGP, { ipPools: [] }));
    assert.deepEqual(network(mutated).ipPools, []);
    assert.deepEqual(network(mutated).nodeAddressAutodetectionV6, { firstFound: true });
    assert.deepEqual(problems, []);
    assert.ok(warnings.some((w) => w.includes('ipPools is empty')));
  });

  it('a non-Calico CNI is left alone', () => {
    const vpc = structuredClone(EMPTY);
    (vpc.spec as Record<string, unknown>).cni = { type: 'AmazonVPC', ipam: { type: 'AmazonVPC' } };
    const { patch, problems, warnings } = judge(vpc);
    assert.deepEqual(patch, []);
    assert.deepEqual(problems, []);
    assert.equal(warnings.length, 1);
  });
});

describe('Installation: refused as the operator refuses', () => {
  const pool = (p: Record<string, unknown>) => withNetwork(IPIP_BGP, { ipPools: [{ ...IPV6_POOL, ...p }], nodeAddressAutodetectionV4: undefined, nodeAddressAutodetectionV6: { firstFound: true } });

  it('IPIP on the IPv6 pool', () => {
    const { problems } = judge(pool({ encapsulation: 'IPIPCrossSubnet' }));
    assert.deepEqual(problems.map(({ rule, path }) => ({ rule, path })), [{ rule: 'installation/encapsulation', path: 'spec.calicoNetwork.ipPools[cidr=fd20::/112].encapsulation' }]);
    assert.match(problems[0]?.fix ?? '', /IPIP encapsulation is not supported by IPv6 pools/);
  });

  it('an unencapsulated pool with BGP disabled, unless Felix programs the routes', () => {
    assert.deepEqual(rulesOf(judge(withNetwork(pool({}), { bgp: 'Disabled' })).problems), ['installation/encapsulation']);
    assert.deepEqual(rulesOf(judge(withNetwork(pool({ encapsulation: undefined }), { bgp: 'Disabled' })).problems), ['installation/encapsulation']);
    assert.deepEqual(judge(withNetwork(pool({}), { bgp: 'Disabled', clusterRoutingMode: 'Felix' })).problems, []);
  });

  it('VXLAN with HostLocal IPAM, and VXLAN before v3.23', () => {
    const hostLocal = pool({ encapsulation: 'VXLAN' });
    (hostLocal.spec as Record<string, unknown>).cni = { type: 'Calico', ipam: { type: 'HostLocal' } };
    assert.deepEqual(rulesOf(judge(hostLocal).problems), ['installation/encapsulation']);
    assert.deepEqual(rulesOf(judge(pool({ encapsulation: 'VXLAN' }), contextWith({ overrides: { calicoVersion: 'v3.22.0' } })).problems), ['installation/encapsulation']);
  });

  it('blockSize outside 116..128 or larger than the pool; outside the pod CIDR; overlapping the service range', () => {
    assert.deepEqual(rulesOf(judge(pool({ blockSize: 112 })).problems), ['installation/block-size']);
    assert.deepEqual(rulesOf(judge(pool({ cidr: 'fd20::/124' })).problems), ['installation/block-size']);
    assert.deepEqual(rulesOf(judge(pool({ cidr: 'fd30::/112' })).problems), ['installation/pod-cidr']);
    assert.deepEqual(rulesOf(judge(pool({ cidr: 'fd00:10:96::/112' })).problems), ['installation/pod-cidr', 'installation/service-cidr']);
  });

  it('a pool listed twice, by cidr or by name', () => {
    const twice = withNetwork(pool({}), { ipPools: [{ ...IPV6_POOL, name: 'a' }, { ...IPV6_POOL, cidr: 'fd20:0::/112', name: 'b' }] });
    assert.deepEqual(rulesOf(judge(twice).problems), ['installation/duplicate-pool']);
  });

  it('without mutation: an IPv6 pool and no nodeAddressAutodetectionV6 passes: the operator defaults firstFound (core_controller.go fillDefaults; issue 23)', () => {
    const validation = validateOnly(withNetwork(IPIP_BGP, { ipPools: [IPV6_POOL], nodeAddressAutodetectionV4: undefined, nodeAddressAutodetectionV6: undefined }));
    assert.deepEqual(rulesOf(validation.problems).filter((r) => r === 'installation/autodetection-v6'), []);
    const change = runRule(installationTarget, withNetwork(IPIP_BGP, { nodeAddressAutodetectionV6: undefined })).analysis.mutation.changes.find((c) => c.rule === 'installation/autodetection-v6');
    assert.doesNotMatch(change?.fix ?? '', /renders IP6=none/);
    assert.match(change?.fix ?? '', /defaults it to firstFound once an IPv6 pool exists/);
  });

  it('without mutation: no IPv6 pool and no v6 autodetection are both refused', () => {
    const validation = validateOnly(IPIP_BGP);
    assert.deepEqual(rulesOf(validation.problems), ['installation/ipv6-pool', 'installation/autodetection-v6']);
    assert.ok(validation.warnings.some((w) => w.includes('IPv4 pool 10.244.0.0/16 in an IPv6-only cluster')));
    assert.ok(validation.warnings.some((w) => w.includes('nodeAddressAutodetectionV4 is set')));
  });

  it('the validating answer lists what mutation would have changed, marked as such', () => {
    const { analysis } = runRule(installationTarget, IPIP_BGP);
    const verdict = validationVerdict(analysis, 'deny');
    assert.equal(verdict.allowed, false);
    assert.match(verdict.message ?? '', /\[installation\/ipv6-pool\] spec\.calicoNetwork\.ipPools: .*\(the mutating webhook makes this change/);
  });

  it('the BPF data plane in ipv6-only mode, with the reason', () => {
    const { problems } = judge(withNetwork(pool({}), { linuxDataplane: 'BPF' }));
    assert.deepEqual(rulesOf(problems), ['installation/bpf']);
    assert.match(problems[0]?.fix ?? '', /IPv4 address autodetection/);
  });
});

describe('Installation, UPDATE', () => {
  const installed = (version: string, pools: Record<string, unknown>[]) => {
    const object = withNetwork(IPIP_BGP, { ipPools: pools, nodeAddressAutodetectionV6: { firstFound: true } });
    object.status = { calicoVersion: version };
    return object;
  };
  const update = (oldObject: KubeObject, overrides = {}) => contextWith({ operation: 'UPDATE', oldObject, overrides });
  const V4 = { cidr: '10.244.0.0/16', encapsulation: 'IPIP' };

  it('an IPv6 pool is added beside the IPv4 pool, which stays (with a warning), on an operator that reconciles pools', () => {
    const old = installed('v3.30.0', [V4]);
    const { mutated, problems, warnings } = judge(old, update(old));
    assert.deepEqual(network(mutated).ipPools, [V4, IPV6_POOL]);
    assert.deepEqual(network(mutated).nodeAddressAutodetectionV4, { interface: 'eth0' });
    assert.deepEqual(problems, []);
    assert.ok(warnings.some((w) => w.includes('IPv4 pool 10.244.0.0/16')));
  });

  it('a re-apply of the manifest (its IPv4 pool and v4 autodetection again) does not bring back what CREATE removed', () => {
    const created = judge(IPIP_BGP).mutated;
    const reapplied = structuredClone(created);
    network(reapplied).ipPools = [V4];
    network(reapplied).nodeAddressAutodetectionV4 = { interface: 'eth0' };
    const { mutated, patch, mutationWarnings } = judge(reapplied, update(created));
    assert.deepEqual(mutated, created);
    assert.ok(patch.length > 0);
    assert.ok(mutationWarnings.some((w) => w.includes('IPv4 pool 10.244.0.0/16 (10.244.0.0/16) removed')));
  });

  it('before Calico v3.28.1 the operator ignores pool changes after install: refused, not patched', () => {
    const old = installed('v3.27.0', [V4]);
    const { mutated, problems } = judge(old, update(old));
    assert.deepEqual(network(mutated).ipPools, [V4]);
    assert.deepEqual(rulesOf(problems), ['installation/ipv6-pool']);
    assert.match(problems[0]?.fix ?? '', /creates ipPools at install only/);
    const added = installed('v3.27.0', [V4, IPV6_POOL]);
    assert.deepEqual(rulesOf(judge(added, update(old)).problems), ['installation/pools-frozen']);
    // The operator writing its defaults into the same pools is no change of pools.
    const dual = installed('v3.27.0', [V4, IPV6_POOL]);
    const defaulted = installed('v3.27.0', [{ ...V4, blockSize: 26, natOutgoing: 'Enabled', nodeSelector: 'all()' }, { ...IPV6_POOL, name: 'default-ipv6-ippool' }]);
    assert.deepEqual(judge(defaulted, update(dual)).problems, []);
  });

  it('a pool block size cannot change', () => {
    const old = installed('v3.30.0', [IPV6_POOL]);
    const changed = installed('v3.30.0', [{ ...IPV6_POOL, blockSize: 120 }]);
    const { problems } = judge(changed, update(old));
    assert.deepEqual(rulesOf(problems), ['installation/block-size-immutable']);
    assert.match(problems[0]?.fix ?? '', /^Block size cannot be changed; follow IP pool migration guide/);
  });

  it('the version comes from the configuration first', () => {
    const old = installed('v3.27.0', [V4]);
    assert.deepEqual(judge(old, update(old, { calicoVersion: 'v3.30.0' })).problems, []);
  });
});

describe('Installation, dual-stack', () => {
  const dual = (extra = {}) => contextWith({ overrides: { mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16', ...extra } });

  it('the IPv4 pool and v4 autodetection stay; the IPv6 pool and v6 autodetection are added', () => {
    const { mutated, mutationWarnings, problems } = judge(IPIP_BGP, dual());
    assert.deepEqual(network(mutated).ipPools, [{ cidr: '10.244.0.0/16', encapsulation: 'IPIP' }, IPV6_POOL]);
    assert.deepEqual(network(mutated).nodeAddressAutodetectionV4, { interface: 'eth0' });
    assert.deepEqual(network(mutated).nodeAddressAutodetectionV6, { firstFound: true });
    assert.deepEqual(mutationWarnings, []);
    assert.deepEqual(problems, []);
  });

  it('no ipPools: the IPv4 pool is the configured ipv4PodCIDR, not the operator default 192.168.0.0/16', () => {
    assert.deepEqual(network(judge(EMPTY, dual()).mutated).ipPools, [{ cidr: '10.244.0.0/16' }, IPV6_POOL]);
  });

  it('an IPv4 pool outside ipv4PodCIDR is refused', () => {
    const { problems } = judge(withNetwork(IPIP_BGP, { ipPools: [{ cidr: '192.168.0.0/16' }] }), dual());
    assert.deepEqual(problems.map(({ rule, path, expected }) => ({ rule, path, expected })), [
      { rule: 'installation/ipv4-pod-cidr', path: 'spec.calicoNetwork.ipPools[cidr=192.168.0.0/16].cidr', expected: 'inside ipv4PodCIDR 10.244.0.0/16' },
    ]);
  });

  it('the BPF data plane: allowed from Calico v3.28, refused before', () => {
    const bpf = withNetwork(IPIP_BGP, { linuxDataplane: 'BPF' });
    assert.deepEqual(judge(bpf, dual()).problems, []);
    assert.deepEqual(judge(bpf, dual({ calicoVersion: 'v3.28.0' })).problems, []);
    assert.deepEqual(rulesOf(judge(bpf, dual({ calicoVersion: 'v3.27.3' })).problems), ['installation/bpf']);
  });

  it('natOutgoing follows ipv6NATOutgoing', () => {
    assert.equal(network(judge(IPIP_BGP, dual({ ipv6NATOutgoing: 'false' })).mutated).ipPools?.[1]?.natOutgoing, 'Disabled');
  });
});
