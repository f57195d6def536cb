// IPPool objects (crd.projectcalico.org/v1 and projectcalico.org/v3): validated as Calico validates them, never mutated.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_SIZE_IMMUTABLE, CIDR_IMMUTABLE, IPIP_ON_IPV6, ipPoolTarget } from '../../../../src/targets/ippool/ippool.js';
import { validationVerdict } from '../../../../src/engine/verdict.js';
import { contextWith, fixtureObject, rulesOf, runRule } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';
import type { RuleContext } from '../../../../src/targets/target.js';

const POOL = fixtureObject('ippool/ipv6-pool.yaml');
const POOL_V3 = fixtureObject('ippool/ipv6-pool-v3.yaml');

function withSpec(object: KubeObject, changes: Record<string, unknown>): KubeObject {
  const copy = structuredClone(object);
  const spec = copy.spec as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete spec[key];
    else spec[key] = value;
  }
  return copy;
}

function judge(object: KubeObject, ctx: RuleContext = contextWith()) {
  const { analysis, patch } = runRule(ipPoolTarget, object, ctx);
  return { patch, problems: analysis.validation.problems, warnings: analysis.validation.warnings, verdict: validationVerdict(analysis, 'deny') };
}

describe('IPPool: what it matches', () => {
  it('both API groups, any name; not other kinds or groups', () => {
    assert.equal(ipPoolTarget.matches(POOL), true);
    assert.equal(ipPoolTarget.matches(POOL_V3), true);
    assert.equal(ipPoolTarget.matches({ ...POOL, apiVersion: 'example.com/v1' }), false);
    assert.equal(ipPoolTarget.matches({ ...POOL, kind: 'IPAMBlock' }), false);
  });
});

describe('IPPool: good pools', () => {
  it('the pod CIDR itself is admitted with no patch and no warning', () => {
    const result = judge(POOL);
    assert.deepEqual(result.patch, []);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.warnings, []);
    assert.equal(result.verdict.allowed, true);
  });

  it('several pools that subset the pod CIDR are fine', () => {
    const ctx = contextWith({ overrides: { podCIDR: 'fd20::/64', serviceCIDR: 'fd00:10:96::/112' } });
    for (const cidr of ['fd20::/80', 'fd20:0:0:0:1::/80']) assert.deepEqual(judge(withSpec(POOL, { cidr }), ctx).problems, [], cidr);
  });

  it('blockSize 0 means the default, as in Calico', () => {
    assert.deepEqual(judge(withSpec(POOL, { blockSize: 0 })).problems, []);
  });

  it('VXLAN on IPv6 is fine when the Calico version is not known, or v3.23 and later', () => {
    assert.deepEqual(judge(withSpec(POOL, { vxlanMode: 'Always' })).problems, []);
    assert.deepEqual(judge(withSpec(POOL, { vxlanMode: 'CrossSubnet' }), contextWith({ overrides: { calicoVersion: 'v3.23.0' } })).problems, []);
  });

  it('is never mutated, whatever is wrong', () => {
    assert.deepEqual(judge(withSpec(POOL, { cidr: 'fd99::/112', ipipMode: 'Always' })).patch, []);
  });
});

describe('IPPool: refused, each with field, found, expected and fix', () => {
  it('outside the pod CIDR', () => {
    const { problems, verdict } = judge(withSpec(POOL, { cidr: 'fd30::/112' }));
    assert.deepEqual(problems.map(({ rule, path, found, expected }) => ({ rule, path, found, expected })), [
      { rule: 'ippool/pod-cidr', path: 'spec.cidr', found: '"fd30::/112"', expected: 'inside podCIDR fd20::/112' },
    ]);
    assert.match(verdict.message ?? '', /^calico-ipv6-webhook: IPPool default-ipv6-ippool does not meet the IPv6 rules \(1 problem\):\n1\. \[ippool\/pod-cidr\] spec\.cidr: found "fd30::\/112", expected inside podCIDR fd20::\/112\. Fix: /);
  });

  it('overlapping the service range (which the configuration keeps apart from the pod CIDR)', () => {
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { cidr: 'fd00:10:96::/112' })).problems), ['ippool/pod-cidr', 'ippool/service-cidr']);
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { cidr: 'fd00:10::/32', blockSize: 122 })).problems), ['ippool/pod-cidr', 'ippool/service-cidr']);
  });

  it('blockSize outside 116..128, or larger than the pool', () => {
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { blockSize: 112 })).problems), ['ippool/block-size']);
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { blockSize: 129 })).problems), ['ippool/block-size']);
    const small = judge(withSpec(POOL, { cidr: 'fd20::/124', blockSize: undefined }));
    assert.deepEqual(small.problems.map(({ rule, found, expected }) => ({ rule, found, expected })), [{ rule: 'ippool/block-size', found: '/124', expected: '/122 or larger (the block size)' }]);
  });

  it('ipipMode other than Never, with the words of the CRD rule', () => {
    const { problems } = judge(withSpec(POOL, { ipipMode: 'CrossSubnet' }));
    assert.deepEqual(rulesOf(problems), ['ippool/ipip']);
    assert.ok(problems[0]?.fix.startsWith(IPIP_ON_IPV6), problems[0]?.fix);
  });

  it('vxlanMode before Calico v3.23 (configured version, or the one discovered)', () => {
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { vxlanMode: 'Always' }), contextWith({ overrides: { calicoVersion: 'v3.22.5' } })).problems), ['ippool/vxlan']);
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { vxlanMode: 'Always' }), contextWith({ calicoVersionHint: { major: 3, minor: 21, patch: 0 } })).problems), ['ippool/vxlan']);
    assert.deepEqual(judge(withSpec(POOL, { vxlanMode: 'Never' }), contextWith({ overrides: { calicoVersion: 'v3.22.5' } })).problems, []);
  });

  it('link-local, multicast and loopback, by overlap', () => {
    for (const [cidr, word] of [['fe80::/112', 'link-local'], ['fe00::/7', 'link-local'], ['ff02::/112', 'multicast'], ['::1/128', 'loopback']] as const) {
      const found = judge(withSpec(POOL, { cidr, blockSize: 128 })).problems.filter((p) => p.rule === 'ippool/cidr');
      assert.equal(found.length, 1, cidr);
      assert.match(found[0]?.fix ?? '', new RegExp(word), cidr);
    }
  });

  it('host bits set, or not a CIDR', () => {
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { cidr: 'fd20::1/112' })).problems), ['ippool/cidr']);
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { cidr: 'pods' })).problems), ['ippool/cidr']);
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { cidr: undefined })).problems), ['ippool/cidr']);
  });

  it('a disabled pool is checked for syntax only', () => {
    assert.deepEqual(judge(withSpec(POOL, { disabled: true, cidr: 'fd30::/126' })).problems, []);
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { disabled: true, ipipMode: 'Always', blockSize: 100 })).problems).sort(), ['ippool/block-size', 'ippool/ipip']);
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { disabled: true, cidr: 'fe80::/112' })).problems), ['ippool/cidr']);
  });

  it('every problem is listed at once', () => {
    const { problems, verdict } = judge(withSpec(POOL, { cidr: 'fd30::/124', ipipMode: 'Always' }));
    assert.deepEqual(rulesOf(problems), ['ippool/block-size', 'ippool/pod-cidr', 'ippool/ipip']);
    assert.match(verdict.message ?? '', /\(3 problems\)/);
  });

  it('a spec that is not a mapping is a bad request', () => {
    const { verdict } = judge({ ...POOL, spec: 'fd20::/112' });
    assert.equal(verdict.code, 400);
  });
});

describe('IPPool: warnings', () => {
  it('a unique local pool without natOutgoing', () => {
    const { problems, warnings } = judge(withSpec(POOL, { natOutgoing: false }));
    assert.deepEqual(problems, []);
    assert.deepEqual(warnings, ['IPPool default-ipv6-ippool: fd20::/112 is a unique local range (fc00::/7), not routed on the internet; pods reach outside the cluster only with outgoing NAT (set spec.natOutgoing: true)']);
  });

  it('a global pool without natOutgoing is fine', () => {
    const ctx = contextWith({ overrides: { podCIDR: '2001:db8:1::/64', serviceCIDR: 'fd00:10:96::/112' } });
    assert.deepEqual(judge(withSpec(POOL, { cidr: '2001:db8:1::/64', natOutgoing: undefined }), ctx).warnings, []);
  });

  it('an IPv4 pool in ipv6-only mode is unused but admitted', () => {
    const { problems, warnings } = judge(withSpec(POOL, { cidr: '10.244.0.0/16', ipipMode: 'Always', blockSize: 26 }));
    assert.deepEqual(problems, []);
    assert.deepEqual(warnings, ['IPPool default-ipv6-ippool: 10.244.0.0/16 is an IPv4 pool in an IPv6-only cluster; no pod gets an address from it (disable or delete it)']);
  });
});

describe('IPPool: UPDATE', () => {
  const update = (oldObject: KubeObject) => contextWith({ operation: 'UPDATE', oldObject });

  it('cidr and blockSize cannot change, with the words of the CRD rules', () => {
    const { problems } = judge(withSpec(POOL, { cidr: 'fd20::/116', blockSize: 124 }), update(POOL));
    assert.deepEqual(rulesOf(problems), ['ippool/cidr-immutable', 'ippool/block-size-immutable']);
    assert.ok(problems[0]?.fix.startsWith(CIDR_IMMUTABLE));
    assert.ok(problems[1]?.fix.startsWith(BLOCK_SIZE_IMMUTABLE));
  });

  it('the same network written canonically, and an explicit default block size, are no change', () => {
    const old = withSpec(POOL, { cidr: 'fd20:0::/112', blockSize: undefined });
    assert.deepEqual(judge(withSpec(POOL, { cidr: 'fd20::/112', blockSize: 122 }), update(old)).problems, []);
  });

  it('other fields may change', () => {
    assert.deepEqual(judge(withSpec(POOL, { disabled: true, natOutgoing: false }), update(POOL)).problems, []);
  });
});

describe('IPPool, dual-stack', () => {
  const dual = contextWith({ overrides: { mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16' } });

  it('an IPv4 pool inside ipv4PodCIDR is fine, with IPIP; outside it is refused', () => {
    const v4 = withSpec(POOL, { cidr: '10.244.0.0/16', ipipMode: 'Always', blockSize: 26 });
    assert.deepEqual(judge(v4, dual).problems, []);
    assert.deepEqual(judge(v4, dual).warnings, []);
    assert.deepEqual(rulesOf(judge(withSpec(v4, { cidr: '192.168.0.0/16' }), dual).problems), ['ippool/ipv4-pod-cidr']);
  });

  it('the IPv6 pool is judged as in ipv6-only', () => {
    assert.deepEqual(judge(POOL, dual).problems, []);
    assert.deepEqual(rulesOf(judge(withSpec(POOL, { ipipMode: 'Always' }), dual).problems), ['ippool/ipip']);
  });
});

describe('IPPool with allowedUses [LoadBalancer]: Service addresses, not pod addresses (issue 23)', () => {
  const lb = (changes: Record<string, unknown>) => withSpec(POOL, { allowedUses: ['LoadBalancer'], natOutgoing: undefined, ...changes });

  it('outside podCIDR and without natOutgoing: admitted, no NAT-outgoing advice', () => {
    const { problems, warnings } = judge(lb({ cidr: 'fd30::/120', blockSize: 128 }));
    assert.deepEqual(problems, []);
    assert.deepEqual(warnings, []);
  });

  it('the same range as a workload pool is refused as outside podCIDR and warned about NAT', () => {
    const { problems, warnings } = judge(withSpec(POOL, { cidr: 'fd30::/120', blockSize: 122, natOutgoing: undefined }));
    assert.deepEqual(rulesOf(problems), ['ippool/pod-cidr']);
    assert.ok(warnings.some((w) => w.includes('unique local range')));
  });

  it('what still applies: overlap with the pod pools, the service range, family checks, prefix and block size', () => {
    assert.deepEqual(rulesOf(judge(lb({ cidr: 'fd20::/120' })).problems), ['ippool/pod-overlap']);
    assert.deepEqual(rulesOf(judge(lb({ cidr: 'fd00:10:96::/120' })).problems), ['ippool/service-cidr']);
    assert.deepEqual(rulesOf(judge(lb({ cidr: 'fd30::1/120' })).problems), ['ippool/cidr']);
    assert.deepEqual(rulesOf(judge(lb({ cidr: 'fd30::/126', blockSize: 122 })).problems), ['ippool/block-size']);
    assert.deepEqual(rulesOf(judge(lb({ cidr: 'fe80::/120' })).problems), ['ippool/cidr']);
  });

  it("Calico's CRD rules: not beside Workload or Tunnel, no IPIP or VXLAN", () => {
    assert.deepEqual(rulesOf(judge(lb({ cidr: 'fd30::/120', allowedUses: ['LoadBalancer', 'Workload'] })).problems), ['ippool/allowed-uses']);
    assert.deepEqual(rulesOf(judge(lb({ cidr: 'fd30::/120', vxlanMode: 'Always' })).problems), ['ippool/allowed-uses']);
  });

  it('an IPv4 LoadBalancer pool in ipv6-only: a warning that no Service gets an address from it, not the pod wording', () => {
    const { problems, warnings } = judge(lb({ cidr: '203.0.113.0/24', blockSize: 32 }));
    assert.deepEqual(problems, []);
    assert.ok(warnings.some((w) => /IPv4 LoadBalancer pool in an IPv6-only cluster/.test(w)));
  });
});
