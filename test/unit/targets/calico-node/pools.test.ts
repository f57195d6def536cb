// Issue 14 on hand-written calico-node variants: the IPv4 pool, NAT outgoing, the IPv6 carrier, env as
// calico-node reads it (NO_DEFAULT_POOLS, envFrom, valueFrom), and who manages the DaemonSet.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contextWith, envValue, fixtureObject, rulesOf, run, withEnv, withImage } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';
import type { RuleContext } from '../../../../src/targets/target.js';

const V3_30 = fixtureObject('calico-node/calico-node-v3.30.0.yaml');
const V3_24 = fixtureObject('calico-node/calico-node-v3.24.0.yaml');
const DUAL = { mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16' } as const;

/** A cluster whose ConfigMaps the rules may read (what `fix` finds in the file, or discovery in the cluster). */
function withConfigMaps(maps: Record<string, Record<string, string> | null>, overrides: Parameters<typeof contextWith>[0] = {}): RuleContext {
  return contextWith({ ...overrides, configMaps: { lookupConfigMap: (_ns, name) => maps[name] } });
}

const BIRD = { 'calico-config': { calico_backend: 'bird' } };
const VXLAN = { 'calico-config': { calico_backend: 'vxlan' } };

function problems(object: KubeObject, ctx: RuleContext): string[] {
  return rulesOf(run(object, ctx).analysis.validation.problems);
}

function warnings(object: KubeObject, ctx: RuleContext): string[] {
  return run(object, ctx).analysis.validation.warnings;
}

describe('issue 14 case 4/7: the IPv4 pool', () => {
  it('ipv6-only on v3.29+: CALICO_IPV4POOL_CIDR=none, so no 192.168.0.0/16 pool', () => {
    const { mutated, analysis } = run(V3_30, withConfigMaps(BIRD));
    assert.equal(envValue(mutated, 'CALICO_IPV4POOL_CIDR'), 'none');
    assert.match(analysis.mutation.changes.find((c) => c.rule === 'calico-node/ipv4-pool')?.fix ?? '', /calico-node creates 192\.168\.0\.0\/16/);
  });

  it('ipv6-only below v3.29: nothing added ("none" would make calico-node exit), a warning naming the default pool and v3.29', () => {
    const { mutated, analysis } = run(V3_24, withConfigMaps(BIRD));
    assert.equal(envValue(mutated, 'CALICO_IPV4POOL_CIDR'), undefined);
    assert.ok(analysis.validation.warnings.some((w) => w.includes('192.168.0.0/16') && w.includes('needs Calico v3.29 (running v3.24.0)')));
    assert.deepEqual(problems(withEnv(V3_24, { CALICO_IPV4POOL_CIDR: 'none' }), withConfigMaps(BIRD)), ['calico-node/ipv4-pool']);
  });

  it('dual-stack: the IPv4 pool is ipv4PodCIDR, IP=autodetect', () => {
    const { mutated, analysis } = run(withEnv(V3_30, { IP: undefined }), withConfigMaps(BIRD, { overrides: DUAL }));
    assert.equal(envValue(mutated, 'CALICO_IPV4POOL_CIDR'), '10.244.0.0/16');
    assert.equal(envValue(mutated, 'IP'), 'autodetect');
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('dual-stack refuses none (calico-ipam would have no IPv4 to assign), a pool outside ipv4PodCIDR, a reserved one, one below a block', () => {
    const ctx = withConfigMaps(BIRD, { overrides: DUAL });
    const none = run(withEnv(V3_30, { CALICO_IPV4POOL_CIDR: 'none' }), ctx).analysis.validation.problems;
    assert.deepEqual(rulesOf(none), ['calico-node/ipv4-pool']);
    assert.match(none[0]?.fix ?? '', /every pod fails to start; set CALICO_IPV4POOL_CIDR to 10\.244\.0\.0\/16/);
    assert.deepEqual(problems(withEnv(V3_30, { CALICO_IPV4POOL_CIDR: '192.168.0.0/16' }), ctx), ['calico-node/ipv4-pool']);
    assert.deepEqual(problems(withEnv(V3_30, { CALICO_IPV4POOL_CIDR: 'fd20::/112' }), ctx), ['calico-node/ipv4-pool']);
    assert.deepEqual(problems(withEnv(V3_30, { CALICO_IPV4POOL_CIDR: '10.244.0.0/28' }), ctx), ['calico-node/ipv4-block-size']);
    assert.deepEqual(problems(withEnv(V3_30, { CALICO_IPV4POOL_CIDR: '10.244.0.0/28', CALICO_IPV4POOL_BLOCK_SIZE: '28' }), ctx), []);
    assert.deepEqual(problems(withEnv(V3_30, { CALICO_IPV4POOL_BLOCK_SIZE: '33' }), ctx), ['calico-node/ipv4-block-size']);
    assert.ok(warnings(withEnv(V3_30, { CALICO_IPV4POOL_CIDR: '10.244.1.0/24' }), ctx).some((w) => w.includes('proper subset of ipv4PodCIDR')));
  });
});

describe('issue 14 case 5: NO_DEFAULT_POOLS as calico-node reads it', () => {
  for (const notTrue of ['1', 't', 'True ', 'yes']) {
    it(`NO_DEFAULT_POOLS=${JSON.stringify(notTrue)} is false for calico-node: the pool is added, as calico-node would create one anyway`, () => {
      const { mutated } = run(withEnv(V3_30, { NO_DEFAULT_POOLS: notTrue }), withConfigMaps(BIRD));
      assert.equal(envValue(mutated, 'CALICO_IPV6POOL_CIDR'), 'fd20::/112');
    });
  }

  it('"TRUE" is true: no pool variable at all (any non-empty one makes calico-node exit, "none" included)', () => {
    const { mutated, analysis } = run(withEnv(V3_30, { NO_DEFAULT_POOLS: 'TRUE' }), withConfigMaps(BIRD));
    assert.deepEqual([envValue(mutated, 'CALICO_IPV6POOL_CIDR'), envValue(mutated, 'CALICO_IPV4POOL_CIDR')], [undefined, undefined]);
    assert.deepEqual(analysis.validation.problems, []);
  });
});

describe('issue 14 case 6: envFrom and valueFrom in mutation and validation alike', () => {
  it('NO_DEFAULT_POOLS=true through envFrom: no pool added (calico-node would exit), and validation agrees', () => {
    const ctx = withConfigMaps({ ...BIRD, 'kubernetes-services-endpoint': { NO_DEFAULT_POOLS: 'true' } });
    const { mutated, analysis } = run(V3_30, ctx);
    assert.equal(envValue(mutated, 'CALICO_IPV6POOL_CIDR'), undefined);
    assert.deepEqual(analysis.validation.problems, []);
    assert.ok(analysis.validation.warnings.some((w) => w.includes('NO_DEFAULT_POOLS=true, so no IPv6 pool is created')));
  });

  it('an envFrom ConfigMap that cannot be read may set NO_DEFAULT_POOLS: nothing that would contradict it is added, and a warning says so', () => {
    const object = structuredClone(V3_30);
    const container = (object.spec as { template: { spec: { containers: { envFrom?: unknown[] }[] } } }).template.spec.containers[0]!;
    container.envFrom = [{ configMapRef: { name: 'site-settings' } }];
    const { mutated, analysis } = run(object, withConfigMaps(BIRD));
    assert.equal(envValue(mutated, 'CALICO_IPV6POOL_CIDR'), undefined);
    assert.ok(analysis.validation.warnings.some((w) => w.includes('NO_DEFAULT_POOLS may be set by envFrom[0] (ConfigMap site-settings)')), analysis.validation.warnings.join('\n'));
  });

  it('Calico\'s kubernetes-services-endpoint envFrom (not readable here) only overrides the API server address: the pool is added', () => {
    const { mutated } = run(V3_30, withConfigMaps(BIRD));
    assert.equal(envValue(mutated, 'CALICO_IPV6POOL_CIDR'), 'fd20::/112');
  });

  it('IP=none through valueFrom: mutation reads it too, so the router ID is added and validation finds nothing', () => {
    const object = withEnv(V3_30, { IP: { valueFrom: { configMapKeyRef: { name: 'node-addresses', key: 'ip' } } } });
    const { mutated, analysis } = run(object, withConfigMaps({ ...BIRD, 'node-addresses': { ip: 'none' } }));
    assert.equal(envValue(mutated, 'CALICO_ROUTER_ID'), 'hash');
    assert.deepEqual(analysis.validation.problems, []);
  });
});

describe('issue 14 case 3: the IPv6 carrier between nodes', () => {
  it('vxlan backend with CALICO_IPV6POOL_VXLAN=Never: set to the IPv4 mode (CrossSubnet stays), else Always, with a warning naming Never', () => {
    const cross = run(withEnv(V3_30, { CALICO_IPV4POOL_VXLAN: 'CrossSubnet', CALICO_IPV6POOL_VXLAN: 'Never' }), withConfigMaps(VXLAN));
    assert.equal(envValue(cross.mutated, 'CALICO_IPV6POOL_VXLAN'), 'CrossSubnet');
    const always = run(withEnv(V3_30, { CALICO_IPV4POOL_VXLAN: 'Never', CALICO_IPV6POOL_VXLAN: 'Never' }), withConfigMaps(VXLAN));
    assert.equal(envValue(always.mutated, 'CALICO_IPV6POOL_VXLAN'), 'Always');
    assert.ok(always.analysis.mutation.warnings.some((w) => w.includes('CALICO_IPV6POOL_VXLAN was "Never"') && w.includes('now "Always"')));
    assert.deepEqual(always.analysis.validation.problems, []);
  });

  it('bird keeps an unencapsulated IPv6 pool; an unrecognized mode is refused (calico-node exits)', () => {
    assert.equal(envValue(run(withEnv(V3_30, { CALICO_IPV6POOL_VXLAN: 'Never' }), withConfigMaps(BIRD)).mutated, 'CALICO_IPV6POOL_VXLAN'), 'Never');
    assert.deepEqual(problems(withEnv(V3_30, { CALICO_IPV6POOL_VXLAN: 'on' }), withConfigMaps(BIRD)), ['calico-node/ipv6-encapsulation']);
  });

  it('a Never that mutation cannot change (from a ConfigMap) with the vxlan backend: refused, quoting the operator', () => {
    const object = withEnv(V3_30, { CALICO_IPV6POOL_VXLAN: { valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'ipv6_vxlan' } } } });
    const p = run(object, withConfigMaps({ 'calico-config': { calico_backend: 'vxlan', ipv6_vxlan: 'Never' } })).analysis.validation.problems;
    assert.deepEqual(rulesOf(p), ['calico-node/ipv6-encapsulation']);
    assert.match(p[0]?.fix ?? '', /unencapsulated IP pools require that BGP is enabled/);
  });

  it('FELIX_PROGRAMCLUSTERROUTES=Enabled on v3.31+: Felix routes an unencapsulated IPv6 pool, so the vxlan backend keeps Never; before v3.31 or Disabled it is still changed', () => {
    const felix = (image: string, value: string) => withImage(withEnv(V3_30, { CALICO_IPV6POOL_VXLAN: 'Never', FELIX_PROGRAMCLUSTERROUTES: value }), image);
    const kept = run(felix('calico/node:v3.31.7', 'Enabled'), withConfigMaps(VXLAN));
    assert.equal(envValue(kept.mutated, 'CALICO_IPV6POOL_VXLAN'), 'Never');
    assert.deepEqual(kept.analysis.validation.problems, []);
    assert.equal(envValue(run(felix('calico/node:v3.30.0', 'Enabled'), withConfigMaps(VXLAN)).mutated, 'CALICO_IPV6POOL_VXLAN'), 'Always');
    assert.equal(envValue(run(felix('calico/node:v3.31.7', 'Disabled'), withConfigMaps(VXLAN)).mutated, 'CALICO_IPV6POOL_VXLAN'), 'Always');
  });

  it('a Never from a ConfigMap with the vxlan backend: admitted when Felix programs the routes, refused (naming the Felix switch) when it does not', () => {
    const object = (felix: string) => withImage(withEnv(V3_30, { FELIX_PROGRAMCLUSTERROUTES: felix, CALICO_IPV6POOL_VXLAN: { valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'ipv6_vxlan' } } } }), 'calico/node:v3.31.7');
    const maps = withConfigMaps({ 'calico-config': { calico_backend: 'vxlan', ipv6_vxlan: 'Never' } });
    assert.deepEqual(problems(object('Enabled'), maps), []);
    const refused = run(object('Disabled'), maps).analysis.validation.problems;
    assert.deepEqual(rulesOf(refused), ['calico-node/ipv6-encapsulation']);
    assert.match(refused[0]?.fix ?? '', /or FELIX_PROGRAMCLUSTERROUTES=Enabled so that Felix programs the routes \(programClusterRoutes: Enabled in the FelixConfiguration "default" does the same when the env is unset, but the webhook accepts it only once cluster discovery has read it/);
  });

  it('FelixConfiguration programClusterRoutes Enabled (known from the cluster): honoured only with the env unset, on v3.31+; unknown keeps the refusal', () => {
    const never = (env: Record<string, unknown>, image = 'calico/node:v3.31.7') => withImage(withEnv(V3_30, { CALICO_IPV6POOL_VXLAN: 'Never', ...env }), image);
    const known = (felixConfiguration: boolean | undefined) => withConfigMaps(VXLAN, { felixConfigurationClusterRoutes: felixConfiguration });
    const kept = run(never({}), known(true));
    assert.equal(envValue(kept.mutated, 'CALICO_IPV6POOL_VXLAN'), 'Never');
    assert.deepEqual(kept.analysis.validation.problems, []);
    // Unknown or not Enabled: as before, the pool gets VXLAN.
    assert.equal(envValue(run(never({}), known(undefined)).mutated, 'CALICO_IPV6POOL_VXLAN'), 'Always');
    assert.equal(envValue(run(never({}), known(false)).mutated, 'CALICO_IPV6POOL_VXLAN'), 'Always');
    // The env outranks the resource: Disabled (or anything but Enabled) wins.
    assert.equal(envValue(run(never({ FELIX_PROGRAMCLUSTERROUTES: 'Disabled' }), known(true)).mutated, 'CALICO_IPV6POOL_VXLAN'), 'Always');
    // Before v3.31 Felix has no such parameter.
    assert.equal(envValue(run(never({}, 'calico/node:v3.30.0'), known(true)).mutated, 'CALICO_IPV6POOL_VXLAN'), 'Always');
    // An env that cannot be read may say Disabled: a Never from a ConfigMap stays refused.
    const unreadable = withImage(withEnv(V3_30, { FELIX_PROGRAMCLUSTERROUTES: { valueFrom: { configMapKeyRef: { name: 'felix', key: 'routes' } } }, CALICO_IPV6POOL_VXLAN: { valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'ipv6_vxlan' } } } }), 'calico/node:v3.31.7');
    const maps = (felixConfiguration: boolean | undefined) => withConfigMaps({ 'calico-config': { calico_backend: 'vxlan', ipv6_vxlan: 'Never' } }, { felixConfigurationClusterRoutes: felixConfiguration });
    assert.deepEqual(problems(unreadable, maps(true)), ['calico-node/ipv6-encapsulation']);
    const fromConfigMap = withImage(withEnv(V3_30, { CALICO_IPV6POOL_VXLAN: { valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'ipv6_vxlan' } } } }), 'calico/node:v3.31.7');
    assert.deepEqual(problems(fromConfigMap, maps(true)), []);
    assert.deepEqual(problems(fromConfigMap, maps(undefined)), ['calico-node/ipv6-encapsulation']);
  });

  it('#12896 (IPv6 VXLAN ignored without an IPv4 pool) with the vxlan backend: refused, unless Felix routes the unencapsulated pool it creates', () => {
    const object = (felix: string) => withImage(withEnv(V3_30, { CALICO_IPV4POOL_CIDR: 'none', CALICO_IPV6POOL_VXLAN: 'Always', FELIX_PROGRAMCLUSTERROUTES: felix }), 'calico/node:v3.31.6');
    const refused = run(object('Disabled'), withConfigMaps(VXLAN)).analysis.validation.problems.find((p) => p.rule === 'calico-node/ipv6-vxlan-ignored');
    assert.match(refused?.fix ?? '', /or set FELIX_PROGRAMCLUSTERROUTES=Enabled so that Felix routes the unencapsulated pool \(programClusterRoutes: Enabled in the FelixConfiguration "default"/);
    assert.ok(!problems(object('Enabled'), withConfigMaps(VXLAN)).includes('calico-node/ipv6-vxlan-ignored'));
    assert.ok(warnings(object('Enabled'), withConfigMaps(VXLAN)).some((w) => w.includes('(Felix routes the pool instead)')));
  });

  it('vxlan before v3.23 is refused in dual-stack too (no IPv6 VXLAN, no BIRD)', () => {
    assert.deepEqual(problems(withImage(V3_30, 'calico/node:v3.22.0'), withConfigMaps(VXLAN, { overrides: DUAL })), ['calico-node/backend']);
  });

  it('CALICO_IPV6POOL_IPIP is said to be ignored; eBPF before v3.27 is refused', () => {
    assert.ok(warnings(withEnv(V3_30, { CALICO_IPV6POOL_IPIP: 'Always' }), withConfigMaps(BIRD)).some((w) => w.includes('CALICO_IPV6POOL_IPIP is ignored')));
    assert.deepEqual(problems(withImage(withEnv(V3_30, { FELIX_BPFENABLED: 'true' }), 'calico/node:v3.26.4'), withConfigMaps(BIRD)), ['calico-node/bpf-ipv6']);
    assert.deepEqual(problems(withEnv(V3_30, { FELIX_BPFENABLED: 'true' }), withConfigMaps(BIRD)), []);
  });

  it('eBPF: IPv6-only from v3.27.0 (one family), dual-stack from v3.28.0 (both families), as Felix runs them (issue 23)', () => {
    const bpf = (image: string) => withImage(withEnv(V3_30, { FELIX_BPFENABLED: 'true' }), image);
    assert.deepEqual(problems(bpf('calico/node:v3.27.0'), withConfigMaps(BIRD)), []);
    assert.ok(problems(bpf('calico/node:v3.27.0'), withConfigMaps(BIRD, { overrides: DUAL })).includes('calico-node/bpf-ipv6'));
    assert.ok(!problems(bpf('calico/node:v3.28.0'), withConfigMaps(BIRD, { overrides: DUAL })).includes('calico-node/bpf-ipv6'));
  });
});

describe('issue 14 case 8: NAT outgoing', () => {
  it('the default ULA pod CIDR gets CALICO_IPV6POOL_NAT_OUTGOING=true; a global one under auto gets nothing', () => {
    assert.equal(envValue(run(V3_30, withConfigMaps(BIRD)).mutated, 'CALICO_IPV6POOL_NAT_OUTGOING'), 'true');
    const global = run(V3_30, withConfigMaps(BIRD, { overrides: { podCIDR: '2001:db8:42::/64' } }));
    assert.equal(envValue(global.mutated, 'CALICO_IPV6POOL_NAT_OUTGOING'), undefined);
  });

  it('an explicit value that disagrees is a warning, read as calico-node reads it ("1" and "" are true)', () => {
    assert.ok(warnings(withEnv(V3_30, { CALICO_IPV6POOL_NAT_OUTGOING: 'false' }), withConfigMaps(BIRD)).some((w) => w.includes('CALICO_IPV6POOL_NAT_OUTGOING="false" means NAT outgoing off') && w.includes('ipv6NATOutgoing is auto (true for podCIDR fd20::/112)')));
    assert.ok(!warnings(withEnv(V3_30, { CALICO_IPV6POOL_NAT_OUTGOING: '1' }), withConfigMaps(BIRD)).some((w) => w.includes('NAT outgoing')));
    const off = withConfigMaps(BIRD, { overrides: { ipv6NATOutgoing: 'false' } });
    assert.ok(warnings(withEnv(V3_30, { CALICO_IPV6POOL_NAT_OUTGOING: '' }), off).some((w) => w.includes('means NAT outgoing on')));
  });
});

describe('issue 14 case 9: who manages the DaemonSet', () => {
  it('a plain IPv4 DaemonSet in calico-system is checked like any other: check fails on it', () => {
    const plain = structuredClone(V3_30);
    plain.metadata!.namespace = 'calico-system';
    const { analysis } = run(plain, withConfigMaps(BIRD));
    assert.ok(analysis.mutation.changes.length > 0);
  });

  it('the operator\'s managed-by label is enough, and the warning names it', () => {
    const labelled = structuredClone(V3_30);
    labelled.metadata!.labels = { ...labelled.metadata!.labels, 'app.kubernetes.io/managed-by': 'tigera-operator' };
    const { patch, analysis } = run(labelled, withConfigMaps(BIRD));
    assert.deepEqual(patch, []);
    assert.ok(analysis.validation.warnings.some((w) => w.includes('(label app.kubernetes.io/managed-by=tigera-operator)')));
  });
});
