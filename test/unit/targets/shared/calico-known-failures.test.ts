// Issue 23, point 7: configurations known to fail on some Calico releases, refused or warned about with the
// issue number, gated by the release that carries the fix.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ignoresIpv6VxlanWithoutIpv4Pool } from '../../../../src/targets/shared/calico-version.js';
import { version } from '../../../../src/k8s/versions.js';
import { contextWith, rulesOf, run } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';

function node(image: string, env: Record<string, string>): KubeObject {
  const base: Record<string, string> = { CALICO_IPV6POOL_CIDR: 'fd20::/112', IP6: 'autodetect', FELIX_IPV6SUPPORT: 'true', IP: 'none', CALICO_ROUTER_ID: 'hash', ...env };
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'kube-system' },
    spec: { template: { spec: { containers: [{ name: 'calico-node', image, env: Object.entries(base).map(([name, value]) => ({ name, value })) }] } } } };
}
const analyse = (image: string, env: Record<string, string>) => run(node(image, env), contextWith()).analysis;

describe('#12896: CALICO_IPV6POOL_VXLAN ignored with CALICO_IPV4POOL_CIDR=none', () => {
  it('affected releases: v3.29.0 to v3.31.6 and v3.32.0-v3.32.1; fixed in v3.31.7, v3.32.2, v3.33.0', () => {
    const affected = (a: number, b: number, c: number) => ignoresIpv6VxlanWithoutIpv4Pool(version(a, b, c));
    assert.deepEqual([affected(3, 28, 9), affected(3, 29, 0), affected(3, 30, 7), affected(3, 31, 6), affected(3, 31, 7), affected(3, 32, 1), affected(3, 32, 2), affected(3, 33, 0)],
      [false, true, true, true, false, true, false, false]);
  });

  it('vxlan backend on v3.30: refused, naming the issue, the fix and the releases', () => {
    const a = analyse('calico/node:v3.30.0', { CALICO_NETWORKING_BACKEND: 'vxlan', CALICO_IPV4POOL_CIDR: 'none', CALICO_IPV6POOL_VXLAN: 'Always' });
    const p = a.validation.problems.find((f) => f.rule === 'calico-node/ipv6-vxlan-ignored');
    assert.match(p?.fix ?? '', /projectcalico\/calico#12896, fixed by #13115 in v3.31.7, v3.32.2 and v3.33.0/);
    assert.equal(p?.path, 'spec.template.spec.containers[name=calico-node].env[name=CALICO_IPV4POOL_CIDR]');
  });

  it('the fixed release: no problem', () => {
    const a = analyse('calico/node:v3.31.7', { CALICO_NETWORKING_BACKEND: 'vxlan', CALICO_IPV4POOL_CIDR: 'none', CALICO_IPV6POOL_VXLAN: 'Always' });
    assert.deepEqual(rulesOf(a.validation.problems), []);
  });

  it('bird backend: a warning, not a refusal (BIRD routes the unencapsulated pool)', () => {
    const a = analyse('calico/node:v3.30.0', { CALICO_IPV4POOL_CIDR: 'none', CALICO_IPV6POOL_VXLAN: 'CrossSubnet' });
    assert.deepEqual(rulesOf(a.validation.problems), []);
    assert.ok(a.validation.warnings.some((w) => w.includes('#12896')));
  });

  it('mutation does not add CALICO_IPV4POOL_CIDR=none where it would break IPv6 VXLAN, and says why', () => {
    const a = analyse('calico/node:v3.30.0', { CALICO_NETWORKING_BACKEND: 'vxlan', CALICO_IPV6POOL_VXLAN: 'Always' });
    assert.ok(!a.mutation.changes.some((c) => c.rule === 'calico-node/ipv4-pool'));
    assert.ok(a.mutation.warnings.some((w) => /CALICO_IPV4POOL_CIDR=none not added: .*#12896/.test(w)));
    assert.deepEqual(rulesOf(a.validation.problems), []);
    const fixed = analyse('calico/node:v3.31.7', { CALICO_NETWORKING_BACKEND: 'vxlan', CALICO_IPV6POOL_VXLAN: 'Always' });
    assert.ok(fixed.mutation.changes.some((c) => c.rule === 'calico-node/ipv4-pool'));
  });
});

describe('#5146 and shared router IDs', () => {
  it('CALICO_ROUTER_ID=hash before v3.25.0: warned with the issue number; from v3.25.0 not', () => {
    assert.ok(analyse('calico/node:v3.24.5', {}).validation.warnings.some((w) => w.includes('projectcalico/calico#5146')));
    assert.ok(!analyse('calico/node:v3.25.0', {}).validation.warnings.some((w) => w.includes('#5146')));
  });

  it('one literal router ID for every node of the DaemonSet: refused', () => {
    const p = analyse('calico/node:v3.30.0', { CALICO_ROUTER_ID: '10.0.0.1' }).validation.problems.find((f) => f.rule === 'calico-node/router-id');
    assert.match(p?.fix ?? '', /shared by every node/);
  });
});
