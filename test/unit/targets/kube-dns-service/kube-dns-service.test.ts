// DESIGN 3.4: the kube-dns Service: clusterIP is the kubelet's --cluster-dns, set on CREATE, immutable on UPDATE.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubeDnsServiceTarget } from '../../../../src/targets/kube-dns-service/kube-dns-service.js';
import { mutationVerdict, validationVerdict } from '../../../../src/engine/verdict.js';
import { contextWith, fixtureObject, rulesOf, run } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';

const IPV4 = fixtureObject('kube-dns/kube-dns-service-ipv4.yaml');
const FAMILIES = fixtureObject('kube-dns/kube-dns-service-ipfamilies.yaml');
const DUAL = fixtureObject('kube-dns/kube-dns-service-require-dual-stack.yaml');

function spec(object: KubeObject): Record<string, unknown> {
  return object.spec as Record<string, unknown>;
}

function withSpec(object: KubeObject, changes: Record<string, unknown>): KubeObject {
  const copy = structuredClone(object);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete spec(copy)[key];
    else spec(copy)[key] = value;
  }
  return copy;
}

const update = (oldObject: KubeObject) => contextWith({ operation: 'UPDATE', oldObject });

describe('kube-dns Service on CREATE', () => {
  it('matches Services named kube-dns only', () => {
    assert.equal(kubeDnsServiceTarget.matches(IPV4), true);
    assert.equal(kubeDnsServiceTarget.matches({ ...IPV4, metadata: { name: 'kubernetes' } }), false);
  });

  it('an IPv4 clusterIP is set to clusterDNS, with a warning naming the old value', () => {
    const { patch, analysis } = run(IPV4);
    assert.deepEqual(patch, [{ op: 'replace', path: '/spec/clusterIP', value: 'fd00:10:96::a' }]);
    assert.deepEqual(analysis.mutation.changes.map(({ rule, path, found, expected }) => ({ rule, path, found, expected })), [
      { rule: 'kube-dns-service/cluster-ip', path: 'spec.clusterIP', found: '"10.96.0.10"', expected: '"fd00:10:96::a"' },
    ]);
    assert.deepEqual(analysis.mutation.warnings, ["kube-dns Service: clusterIP 10.96.0.10 replaced by fd00:10:96::a, the kubelet's --cluster-dns"]);
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('an absent clusterIP is added', () => {
    const { patch, analysis } = run(withSpec(IPV4, { clusterIP: undefined }));
    assert.deepEqual(patch, [{ op: 'add', path: '/spec/clusterIP', value: 'fd00:10:96::a' }]);
    assert.deepEqual(analysis.mutation.warnings, ["kube-dns Service: clusterIP (none) replaced by fd00:10:96::a, the kubelet's --cluster-dns"]);
  });

  it('the configured clusterDNS is used, in canonical form', () => {
    const ctx = contextWith({ overrides: { serviceCIDR: 'fd00:20::/112', clusterDNS: 'fd00:20:0:0::53' } });
    assert.equal(spec(run(IPV4, ctx).mutated).clusterIP, 'fd00:20::53');
  });

  it('the right address, spelled differently, is left alone', () => {
    assert.deepEqual(run(withSpec(IPV4, { clusterIP: 'fd00:10:96:0:0:0:0:a' })).patch, []);
  });

  it('clusterIPs and ipFamilies [IPv4] follow clusterIP', () => {
    const { mutated, analysis } = run(FAMILIES);
    assert.deepEqual([spec(mutated).clusterIP, spec(mutated).clusterIPs, spec(mutated).ipFamilies, spec(mutated).ipFamilyPolicy],
      ['fd00:10:96::a', ['fd00:10:96::a'], ['IPv6'], 'SingleStack']);
    assert.deepEqual(rulesOf(analysis.mutation.changes), ['kube-dns-service/cluster-ip', 'kube-dns-service/cluster-ip', 'kube-dns-service/ip-families']);
    assert.equal(analysis.mutation.changes[2]?.found, '["IPv4"]');
  });

  it('dual-stack: ipFamilies get IPv6 first, IPv4 kept; RequireDualStack is fine', () => {
    const ctx = contextWith({ overrides: { mode: 'dual-stack' } });
    const { mutated, analysis } = run(withSpec(FAMILIES, { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' }), ctx);
    assert.deepEqual(spec(mutated).ipFamilies, ['IPv6', 'IPv4']);
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('ipFamilyPolicy RequireDualStack in ipv6-only: problem kube-dns-service/ip-family-policy', () => {
    const { analysis } = run(DUAL);
    assert.deepEqual(analysis.validation.problems.map(({ rule, path, found, expected }) => ({ rule, path, found, expected })), [
      { rule: 'kube-dns-service/ip-family-policy', path: 'spec.ipFamilyPolicy', found: '"RequireDualStack"', expected: '"SingleStack" or absent' },
    ]);
    assert.equal(validationVerdict(analysis, 'deny').code, 403);
  });

  it("kubeadm's CoreDNS Service (kubernetes.io/name: CoreDNS) is the cluster DNS Service too: clusterIP and families set (issue 23)", () => {
    const coredns = withSpec(IPV4, { ipFamilies: ['IPv4'] });
    coredns.metadata!.labels = { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' };
    const { mutated, patch, analysis } = run(coredns);
    assert.equal(spec(mutated).clusterIP, 'fd00:10:96::a');
    assert.deepEqual(spec(mutated).ipFamilies, ['IPv6']);
    assert.deepEqual(rulesOf(analysis.mutation.changes).sort(), ['kube-dns-service/cluster-ip', 'kube-dns-service/ip-families']);
    assert.ok(patch.length > 0);
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('a CoreDNS Service named kube-dns in another namespace is not the cluster DNS Service: untouched', () => {
    const other = structuredClone(IPV4);
    other.metadata = { ...other.metadata, namespace: 'coredns', labels: { 'kubernetes.io/name': 'CoreDNS' } };
    const { patch, analysis } = run(other);
    assert.deepEqual([patch, analysis.validation.problems], [[], []]);
  });

  it('CoreDNS Service on UPDATE with an IPv4 clusterIP: refused, must be recreated (issue 23)', () => {
    const coredns = structuredClone(IPV4);
    coredns.metadata!.labels = { 'kubernetes.io/name': 'CoreDNS' };
    const { analysis } = run(coredns, update(withSpec(coredns, { clusterIP: '10.96.0.10' })));
    assert.deepEqual(rulesOf(analysis.validation.problems), ['kube-dns-service/cluster-ip-immutable']);
  });
});

describe('kube-dns Service on UPDATE (clusterIP is immutable)', () => {
  const stored = withSpec(IPV4, { clusterIP: '10.96.0.10' });

  it('a different clusterIP: no patch, refused (at mutation too) saying the Service must be recreated', () => {
    const { patch, analysis } = run(IPV4, update(stored));
    assert.deepEqual(patch, []);
    const p = analysis.validation.problems.find((f) => f.rule === 'kube-dns-service/cluster-ip-immutable');
    assert.deepEqual(p && [p.path, p.found, p.expected], ['spec.clusterIP', '"10.96.0.10"', '"fd00:10:96::a"']);
    assert.match(p!.fix, /must be recreated: kubectl delete service -n kube-system kube-dns/);
    const verdict = mutationVerdict(analysis, 'deny');
    assert.equal(verdict.allowed, false);
    assert.match(verdict.message ?? '', /recreated/);
  });

  it('a PUT that omits clusterIP is judged by the stored one', () => {
    assert.ok(run(withSpec(IPV4, { clusterIP: undefined }), update(stored)).analysis.validation.problems.some((p) => p.rule === 'kube-dns-service/cluster-ip-immutable'));
    const good = withSpec(IPV4, { clusterIP: 'fd00:10:96::a' });
    assert.deepEqual(run(withSpec(IPV4, { clusterIP: undefined }), update(good)).analysis.validation.problems, []);
  });

  it('a PUT that omits clusterIP over a Service at clusterDNS: the warning says no clusterIP was given (issue 14)', () => {
    const good = withSpec(IPV4, { clusterIP: 'fd00:10:96::a' });
    const { analysis } = run(withSpec(IPV4, { clusterIP: undefined }), update(good));
    assert.ok(analysis.mutation.warnings.includes('kube-dns Service: the update gives no clusterIP; the Service keeps fd00:10:96::a (clusterIP is immutable)'), analysis.mutation.warnings.join('\n'));
    assert.ok(!analysis.mutation.warnings.some((w) => w.includes('undefined')));
  });

  it('the right clusterIP: admitted', () => {
    const good = withSpec(IPV4, { clusterIP: 'fd00:10:96::a' });
    const { patch, analysis } = run(good, update(good));
    assert.deepEqual([patch, analysis.validation.problems], [[], []]);
  });

  it('re-applying the IPv4 manifest over a Service already at clusterDNS keeps the stored address', () => {
    const good = withSpec(IPV4, { clusterIP: 'fd00:10:96::a' });
    const { patch, analysis } = run(IPV4, update(good));
    assert.deepEqual(patch, [{ op: 'replace', path: '/spec/clusterIP', value: 'fd00:10:96::a' }]);
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('ipFamilies [IPv4] on UPDATE: problem kube-dns-service/ip-families (cannot change in place)', () => {
    const object = withSpec(FAMILIES, { clusterIP: 'fd00:10:96::a', clusterIPs: ['fd00:10:96::a'] });
    const p = run(object, update(object)).analysis.validation.problems.find((f) => f.rule === 'kube-dns-service/ip-families');
    assert.deepEqual(p && [p.found, p.expected], ['["IPv4"]', '["IPv6"]']);
  });
});

describe('kube-dns Service of type ExternalName (issue 14, case 9)', () => {
  const external = withSpec(IPV4, { type: 'ExternalName', externalName: 'dns.example.com', clusterIP: undefined, ports: undefined });
  it('left alone (the API server refuses a clusterIP on it), with a warning naming what it points at', () => {
    for (const ctx of [contextWith(), update(external)]) {
      const { patch, analysis } = run(external, ctx);
      assert.deepEqual([patch, analysis.validation.problems], [[], []]);
      assert.ok(analysis.validation.warnings.some((w) => w.includes('type ExternalName ("dns.example.com")')));
    }
  });
});

