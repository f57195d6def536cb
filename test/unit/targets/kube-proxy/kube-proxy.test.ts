// DESIGN 3.5: the kube-proxy ConfigMap (kubeadm): clusterCIDR equals podCIDR, bindAddress should be ::.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubeProxyTarget } from '../../../../src/targets/kube-proxy/kube-proxy.js';
import { bindAddressFits } from '../../../../src/targets/kube-proxy/settings.js';
import { contextWith, fixtureObject, rulesOf, run } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';

const MATCHING = fixtureObject('kube-proxy/kube-proxy-matching.yaml');
const MISMATCH = fixtureObject('kube-proxy/kube-proxy-mismatch.yaml');

function withConf(object: KubeObject, text: string): KubeObject {
  const copy = structuredClone(object);
  (copy.data as Record<string, string>)['config.conf'] = text;
  return copy;
}

describe('kube-proxy ConfigMap', () => {
  it('matches ConfigMaps named kube-proxy only', () => {
    assert.equal(kubeProxyTarget.matches(MATCHING), true);
    assert.equal(kubeProxyTarget.matches({ ...MATCHING, metadata: { name: 'kube-proxy-config' } }), false);
  });

  it('clusterCIDR equal to podCIDR and bindAddress ::: no finding, no warning', () => {
    const { patch, analysis } = run(MATCHING);
    assert.deepEqual([patch, analysis.validation.problems, analysis.validation.warnings], [[], [], []]);
  });

  it('clusterCIDR mismatch: problem kube-proxy/cluster-cidr; bindAddress 0.0.0.0: warning; never patched', () => {
    const { patch, analysis } = run(MISMATCH);
    assert.deepEqual(patch, []);
    assert.deepEqual(analysis.validation.problems.map(({ rule, path, found, expected }) => ({ rule, path, found, expected })), [
      { rule: 'kube-proxy/cluster-cidr', path: 'data.config.conf clusterCIDR', found: '"10.244.0.0/16"', expected: '"fd20::/112"' },
    ]);
    assert.match(analysis.validation.problems[0]!.fix, /^set clusterCIDR to fd20::\/112/);
    assert.deepEqual(analysis.validation.warnings, ['kube-proxy: bindAddress is "0.0.0.0"; the guide sets it to "::" in an IPv6-only cluster']);
  });

  it('a different IPv6 CIDR, or absent clusterCIDR: problem', () => {
    const conf = (cidr: string) => `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nbindAddress: "::"\n${cidr}`;
    assert.equal(run(withConf(MATCHING, conf('clusterCIDR: fd21::/112'))).analysis.validation.problems[0]?.found, '"fd21::/112"');
    assert.equal(run(withConf(MATCHING, conf(''))).analysis.validation.problems[0]?.found, 'absent');
    assert.deepEqual(run(withConf(MATCHING, conf('clusterCIDR: "fd20:0::/112"'))).analysis.validation.problems, [], 'same network, other spelling');
  });

  it('ipv6-only refuses a dual-stack list; dual-stack accepts "IPv4,IPv6"', () => {
    const both = withConf(MATCHING, 'bindAddress: "::"\nclusterCIDR: 10.244.0.0/16,fd20::/112\n');
    assert.deepEqual(rulesOf(run(both).analysis.validation.problems), ['kube-proxy/cluster-cidr']);
    assert.deepEqual(run(both, contextWith({ overrides: { mode: 'dual-stack' } })).analysis.validation.problems, []);
  });

  it('dual-stack: both families, the IPv4 one being ipv4PodCIDR (issue 14)', () => {
    const dual = contextWith({ overrides: { mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16' } });
    const only6 = run(withConf(MATCHING, 'bindAddress: "::"\nclusterCIDR: fd20::/112\n'), dual).analysis.validation.problems;
    assert.deepEqual(only6.map((p) => [p.rule, p.expected]), [['kube-proxy/cluster-cidr', '"10.244.0.0/16,fd20::/112"']]);
    assert.deepEqual(rulesOf(run(withConf(MATCHING, 'clusterCIDR: 10.42.0.0/16,fd20::/112\n'), dual).analysis.validation.problems), ['kube-proxy/cluster-cidr']);
    assert.deepEqual(run(withConf(MATCHING, 'clusterCIDR: fd20::/112,10.244.0.0/16\n'), dual).analysis.validation.problems, []);
  });

  it('unparseable config.conf: malformed', () => {
    assert.deepEqual(rulesOf(run(withConf(MATCHING, 'clusterCIDR: [unclosed')).analysis.validation.malformed), ['kube-proxy/shape']);
  });
});

describe('kube-proxy bindAddress: one judgement for the rule, discovery and doctor', () => {
  it('IPv6-only takes an IPv6 address or ::; dual-stack any address; absent is 0.0.0.0', () => {
    const fits = (bind: string | undefined) => [bindAddressFits(bind, 'ipv6-only'), bindAddressFits(bind, 'dual-stack')];
    assert.deepEqual(fits('::'), [true, true]);
    assert.deepEqual(fits('fd00::11'), [true, true]);
    assert.deepEqual(fits('[fd00::11]'), [true, true]);
    assert.deepEqual(fits('0.0.0.0'), [false, true]);
    assert.deepEqual(fits('10.0.0.1'), [false, true]);
    assert.deepEqual(fits(undefined), [false, true]);
    assert.deepEqual(fits('node1.example'), [false, false]);
  });

  it('the rule warns exactly when the judgement says no (a node\'s own IPv6 address is fine)', () => {
    const conf = (bind: string) => withConf(MATCHING, `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nbindAddress: "${bind}"\nclusterCIDR: fd20::/112\n`);
    assert.deepEqual(run(conf('fd00::11')).analysis.validation.warnings, []);
    assert.deepEqual(run(conf('0.0.0.0')).analysis.validation.warnings.length, 1);
  });
});
