// Issue 23, point 1: every setting the calico-node rules read is read the way the kubelet gives it to
// calico-node, whether written as `value`, as `valueFrom` (a ConfigMap key) or through `envFrom` (a whole
// ConfigMap), and one that cannot be resolved is warned about, never passed silently.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { READ_VARS } from '../../../../src/targets/calico-node/calico-node.js';
import { contextWith, run } from '../../../support/fixtures.js';
import type { Analysis } from '../../../../src/engine/analyze.js';
import type { KubeObject } from '../../../../src/k8s/object.js';
import type { ConfigOverrides } from '../../../../src/config/load.js';

type Env = Record<string, string>;

/** A good ipv6-only calico-node env; each case removes its variable and gives it one of three ways. */
const GOOD: Env = {
  CALICO_IPV6POOL_CIDR: 'fd20::/112', IP6: 'autodetect', FELIX_IPV6SUPPORT: 'true', IP: 'none', CALICO_ROUTER_ID: 'hash', CALICO_IPV4POOL_CIDR: 'none',
};

interface Case {
  name: (typeof READ_VARS)[number];
  value: string;
  /** Other env entries (literal) the case needs, over GOOD. */
  with?: Env;
  image?: string;
  overrides?: ConfigOverrides;
  /** What the rules must say when they read the value. */
  says: (a: Analysis) => boolean;
}

const problem = (rule: string) => (a: Analysis) => [...a.validation.problems, ...a.mutation.changes].some((f) => f.rule === rule);
const warned = (pattern: RegExp) => (a: Analysis) => [...a.validation.warnings, ...a.mutation.warnings].some((w) => pattern.test(w));

const CASES: Case[] = [
  { name: 'FELIX_IPV6SUPPORT', value: 'false', says: problem('calico-node/felix-ipv6') },
  { name: 'IP6', value: 'none', says: problem('calico-node/ip6') },
  { name: 'IP', value: '10.0.0.1', says: problem('calico-node/ip-none') },
  { name: 'CALICO_IPV6POOL_CIDR', value: 'fd99::/112', says: problem('calico-node/ipv6-pool') },
  { name: 'CALICO_IPV6POOL_BLOCK_SIZE', value: '200', says: problem('calico-node/block-size') },
  { name: 'NO_DEFAULT_POOLS', value: 'true', says: problem('calico-node/no-default-pools') },
  { name: 'CALICO_ROUTER_ID', value: '10.0.0.1', says: problem('calico-node/router-id') },
  { name: 'CALICO_NETWORKING_BACKEND', value: 'vxlan', image: 'calico/node:v3.20.0', with: { CALICO_IPV4POOL_CIDR: '' }, says: problem('calico-node/backend') },
  // The legacy switch overrides the backend (rc.local:2-9): "true" means BIRD, so vxlan-before-v3.23 is no longer refused.
  { name: 'CALICO_NETWORKING', value: 'true', image: 'calico/node:v3.20.0', with: { CALICO_NETWORKING_BACKEND: 'vxlan', CALICO_IPV4POOL_CIDR: '' }, says: (a) => !problem('calico-node/backend')(a) },
  { name: 'CALICO_IPV6POOL_VXLAN', value: 'sometimes', says: problem('calico-node/ipv6-encapsulation') },
  { name: 'CALICO_IPV4POOL_VXLAN', value: 'CrossSubnet', with: { CALICO_NETWORKING_BACKEND: 'vxlan' },
    says: (a) => a.mutation.changes.some((c) => c.rule === 'calico-node/ipv6-encapsulation' && c.expected === '"CrossSubnet"') },
  { name: 'CALICO_IPV6POOL_NAT_OUTGOING', value: 'false', says: warned(/CALICO_IPV6POOL_NAT_OUTGOING="false" means NAT outgoing off/) },
  { name: 'CALICO_IPV4POOL_CIDR', value: '10.0.0.0/16', says: warned(/CALICO_IPV4POOL_CIDR=10.0.0.0\/16 creates an IPv4 pool/) },
  { name: 'CALICO_IPV4POOL_BLOCK_SIZE', value: '40', overrides: { mode: 'dual-stack' }, with: { IP: 'autodetect', CALICO_IPV4POOL_CIDR: '10.244.0.0/16' }, says: problem('calico-node/ipv4-block-size') },
  { name: 'CALICO_IPV6POOL_IPIP', value: 'Always', says: warned(/CALICO_IPV6POOL_IPIP is ignored/) },
  // Felix routes the unencapsulated pool itself (v3.31+), so the vxlan backend keeps IPv6 VXLAN Never.
  { name: 'FELIX_PROGRAMCLUSTERROUTES', value: 'Enabled', image: 'calico/node:v3.31.7', with: { CALICO_NETWORKING_BACKEND: 'vxlan', CALICO_IPV6POOL_VXLAN: 'Never' },
    says: (a) => !problem('calico-node/ipv6-encapsulation')(a) },
  { name: 'FELIX_BPFENABLED', value: 'true', image: 'calico/node:v3.26.4', says: problem('calico-node/bpf-ipv6') },
];

type Way = 'value' | 'valueFrom' | 'envFrom';

function daemonSet(c: Case, way: Way): KubeObject {
  const literal: Env = { ...GOOD, ...c.with };
  delete literal[c.name];
  const env: unknown[] = Object.entries(literal).map(([name, value]) => ({ name, value }));
  if (way === 'value') env.push({ name: c.name, value: c.value });
  if (way === 'valueFrom') env.push({ name: c.name, valueFrom: { configMapKeyRef: { name: 'node-settings', key: 'setting' } } });
  const container: Record<string, unknown> = { name: 'calico-node', image: c.image ?? 'calico/node:v3.30.0', env };
  if (way === 'envFrom') container.envFrom = [{ configMapRef: { name: 'node-settings' } }];
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'kube-system' }, spec: { template: { spec: { containers: [container] } } } };
}

function analyse(c: Case, way: Way, readable = true): Analysis {
  const data: Env = way === 'envFrom' ? { [c.name]: c.value } : { setting: c.value };
  const lookup = (namespace: string, name: string) => (!readable ? undefined : namespace === 'kube-system' && name === 'node-settings' ? data : null);
  const ctx = contextWith({ ...(c.overrides ? { overrides: c.overrides } : {}), configMaps: { lookupConfigMap: lookup } });
  return run(daemonSet(c, way), ctx).analysis;
}

describe('calico-node: every setting the rules read, through value, valueFrom and envFrom (issue 23)', () => {
  it('the cases cover every variable the rules read', () => {
    assert.deepEqual(CASES.map((c) => c.name).sort(), [...READ_VARS].sort());
  });

  for (const c of CASES) {
    for (const way of ['value', 'valueFrom', 'envFrom'] as const) {
      it(`${c.name}=${c.value} through ${way} is read`, () => {
        const a = analyse(c, way);
        assert.ok(c.says(a), JSON.stringify({ problems: a.validation.problems.map((p) => p.rule), changes: a.mutation.changes.map((p) => p.rule), warnings: [...a.mutation.warnings, ...a.validation.warnings] }, null, 1));
      });
    }
    for (const way of ['valueFrom', 'envFrom'] as const) {
      it(`${c.name} through an unreadable ${way}: a warning names it`, () => {
        const a = analyse(c, way, false);
        assert.ok(a.validation.warnings.some((w) => w.includes(`${c.name} comes from`)), a.validation.warnings.join('\n'));
      });
    }
  }

  it('FELIX_IPV6SUPPORT "false" from a ConfigMap is refused with where it comes from, and never rewritten', () => {
    const felix = CASES[0] as Case;
    const fromKey = analyse(felix, 'valueFrom');
    const p = fromKey.validation.problems.find((f) => f.rule === 'calico-node/felix-ipv6');
    assert.deepEqual(p && [p.path, p.found, p.expected], ['spec.template.spec.containers[name=calico-node].env[name=FELIX_IPV6SUPPORT]', '"false" (from ConfigMap node-settings key setting)', '"true"']);
    assert.equal(fromKey.mutation.changes.filter((f) => f.rule === 'calico-node/felix-ipv6').length, 0);
    const fromEnvFrom = analyse(felix, 'envFrom').validation.problems.find((f) => f.rule === 'calico-node/felix-ipv6');
    assert.equal(fromEnvFrom?.path, 'spec.template.spec.containers[name=calico-node].envFrom');
    assert.match(fromEnvFrom?.fix ?? '', /Felix programs no IPv6/);
  });

  it('an explicit env entry overrides envFrom (kubelet precedence): "true" in env wins over "false" from the ConfigMap', () => {
    const felix = CASES[0] as Case;
    const object = daemonSet(felix, 'envFrom');
    const container = (object.spec as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec.containers[0]!;
    container.env.push({ name: 'FELIX_IPV6SUPPORT', value: 'true' });
    const ctx = contextWith({ configMaps: { lookupConfigMap: () => ({ FELIX_IPV6SUPPORT: 'false' }) } });
    assert.deepEqual(run(object, ctx).analysis.validation.problems, []);
  });
});
