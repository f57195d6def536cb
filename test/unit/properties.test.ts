// Property tests (DESIGN 3 preamble and 6): over generated calico-node DaemonSets, calico-config ConfigMaps,
// kube-dns Deployments and Services, mutation is idempotent, its patch applies with an independent RFC 6902
// implementation and touches only the named fields, and validation finds nothing left to change.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyPatch, type Operation } from 'rfc6902';
import { stringify } from 'yaml';
import { analyze, patchOf } from '../../src/engine/analyze.js';
import { mutationVerdict, validationVerdict } from '../../src/engine/verdict.js';
import { analyzeManifest, readManifestValues } from '../../src/manifests/manifest-file.js';
import type { WebhookConfig } from '../../src/config/types.js';
import type { KubeObject } from '../../src/k8s/object.js';
import type { RuleContext } from '../../src/targets/target.js';
import { configWith, frozenContext } from '../support/fixtures.js';
import { deepFrozen } from '../support/frozen.js';

/** A few hundred runs keep the suite fast (the cheap fuzz properties run ten times as many); PROPERTY_RUNS=5000 digs deeper. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

// ---- configurations and contexts ---------------------------------------------------------------

const CONFIGS: WebhookConfig[] = [
  configWith(),
  configWith({ routerID: 'require' }),
  configWith({ mode: 'dual-stack' }),
  configWith({ calicoVersion: 'v3.20.0', podCIDR: 'fd20::/64' }),
  configWith({ calicoVersion: 'v3.30.0', minImageVersion: '1.15.0' }),
];

const lookupValues = fc.option(fc.constantFrom('vxlan', 'bird', 'true', 'none', 'autodetect', 'fd20::/112', ''), { nil: undefined });

/** A context; UPDATE carries an old object produced by the same generator. */
function contextArb(objectArb: fc.Arbitrary<KubeObject>): fc.Arbitrary<RuleContext> {
  return fc.record({
    config: fc.constantFrom(...CONFIGS),
    operation: fc.constantFrom('CREATE' as const, 'UPDATE' as const),
    oldObject: objectArb,
    lookup: lookupValues,
    hint: fc.option(fc.constantFrom({ major: 3, minor: 1, patch: 3 }, { major: 3, minor: 24, patch: 0 }), { nil: undefined }),
  }).map(({ config, operation, oldObject, lookup, hint }) => ({
    config,
    operation,
    oldObject: operation === 'UPDATE' ? oldObject : undefined,
    configMaps: lookup === undefined ? undefined : { lookupConfigMapKey: () => lookup },
    calicoVersionHint: hint,
  }));
}

// ---- generators --------------------------------------------------------------------------------

/** Extra fields anywhere: the rules must carry them through untouched. */
const extras = fc.dictionary(fc.constantFrom('x-note', 'annotations-copy', 'extra', 'z'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 });

const NODE_VARS = [
  'IP', 'IP6', 'FELIX_IPV6SUPPORT', 'CALICO_IPV6POOL_CIDR', 'CALICO_ROUTER_ID', 'NO_DEFAULT_POOLS', 'CALICO_IPV6POOL_BLOCK_SIZE',
  'CALICO_IPV6POOL_VXLAN', 'CALICO_IPV4POOL_CIDR', 'CALICO_NETWORKING_BACKEND', 'DATASTORE_TYPE', 'FELIX_HEALTHENABLED',
] as const;

const envValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', 'autodetect', 'none', 'true', 'false', 'True', 'hash', 'fd20::/112', 'fd20::/120', 'fd30::/112', 'fd20::1/112', 'fe80::/112', '10.0.0.1', '192.168.0.0/16', '116', '124', '130', 'vxlan', 'bird', 'Always', 'Never', 'fd00::10', ' none ') },
  { weight: 1, arbitrary: fc.constantFrom(true, false, 0, 1, null) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

const envEntry = fc.record({
  name: fc.constantFrom(...NODE_VARS),
  kind: fc.constantFrom('value', 'value', 'value', 'valueFrom', 'fieldRef', 'none'),
  value: envValue,
}).map(({ name, kind, value }): Record<string, unknown> => {
  if (kind === 'valueFrom') return { name, valueFrom: { configMapKeyRef: { name: 'calico-config', key: name.toLowerCase() } } };
  if (kind === 'fieldRef') return { name, valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } };
  if (kind === 'none') return { name };
  return { name, value };
});

const calicoImage = fc.record({
  registry: fc.constantFrom('', 'docker.io/', 'quay.io/', 'registry.example.com:5000/mirror/'),
  tag: fc.constantFrom(':v2.6.12', ':v3.1.3', ':v3.2.0', ':v3.5.0', ':v3.6.2', ':v3.20.0', ':v3.22.0', ':v3.24.0', ':v3.25.0', ':v3.30.0', ':master', ':latest-amd64', ':release-v3.14', ':v3.14.0-0.dev-123', '@sha256:5ad7b5d3', ''),
}).map(({ registry, tag }) => `${registry}calico/node${tag}`);

const calicoNodeArb: fc.Arbitrary<KubeObject> = fc.record({
  name: fc.constantFrom('calico-node', 'canal'),
  namespace: fc.constantFrom('kube-system', 'kube-system', 'kube-system', 'calico-system', undefined),
  containerName: fc.constantFrom('calico-node', 'calico-node', 'calico'),
  image: calicoImage,
  env: fc.option(fc.array(envEntry, { maxLength: 10 }), { nil: undefined, freq: 8 }),
  before: fc.boolean(),
  extra: extras,
  containerExtra: extras,
}).map(({ name, namespace, containerName, image, env, before, extra, containerExtra }) => {
  const calico: Record<string, unknown> = { name: containerName, image, ...containerExtra };
  if (env !== undefined) calico.env = env;
  const other = { name: 'install-cni', image: 'calico/cni:v3.24.0', env: [{ name: 'IP', value: 'autodetect' }] };
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name, ...(namespace === undefined ? {} : { namespace }), labels: { 'k8s-app': name } },
    spec: { selector: { matchLabels: { 'k8s-app': name } }, template: { metadata: { labels: { 'k8s-app': name } }, spec: { hostNetwork: true, containers: before ? [other, calico] : [calico, other], ...extra } } },
  };
});

const flagValue = fc.constantFrom(undefined, 'true', 'false', true, false, 'maybe');

const ipamArb = fc.record({
  type: fc.constantFrom('calico-ipam', 'calico-ipam', 'host-local', 'dhcp'),
  assign_ipv4: flagValue,
  assign_ipv6: flagValue,
  subnet: fc.constantFrom(undefined, 'usePodCidr', 'usePodCidrIPv6', '10.0.0.0/24'),
  ipv6_pools: fc.constantFrom(undefined, ['fd20::/112'], ['fd30::/112'], ['default-ipv6-ippool'], 'fd20::/112'),
  extra: extras,
}).map(({ extra, ...fields }) => {
  const ipam: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) ipam[key] = value;
  return { ...ipam, ...extra };
});

/** A CNI template in each shape Calico shipped, serialized with varying layout and unquoted placeholders. */
const templateArb = fc.record({
  shape: fc.constantFrom('single', 'conflist', 'delegate'),
  ipam: ipamArb,
  indent: fc.constantFrom(0, 2, 4, '\t'),
  crlf: fc.boolean(),
  duplicate: fc.boolean(),
}).map(({ shape, ipam, indent, crlf, duplicate }) => {
  const calico = { type: 'calico', mtu: 'PLACEHOLDER_MTU', ipam, kubernetes: { kubeconfig: '__KUBECONFIG_FILEPATH__' } };
  const root = shape === 'single' ? { name: 'k8s-pod-network', cniVersion: '0.1.0', ...calico }
    : shape === 'conflist' ? { name: 'k8s-pod-network', cniVersion: '0.3.1', plugins: [calico, { type: 'portmap', snat: true }] }
      : { name: 'k8s-pod-network', type: 'flannel', delegate: calico };
  let text = JSON.stringify(root, null, indent).replace('"PLACEHOLDER_MTU"', '__CNI_MTU__');
  // A duplicated key inside ipam: Go's encoding/json (the CNI plugin) takes the last one.
  if (duplicate) text = text.replace('"type": "calico-ipam"', '"type": "calico-ipam", "assign_ipv4": "true"').replace('"type":"calico-ipam"', '"type":"calico-ipam","assign_ipv4":"true"');
  return crlf ? text.replace(/\n/g, '\r\n') : text;
});

const calicoConfigArb: fc.Arbitrary<KubeObject> = fc.record({
  name: fc.constantFrom('calico-config', 'canal-config'),
  template: templateArb,
  backend: fc.constantFrom(undefined, 'bird', 'vxlan'),
  extra: fc.dictionary(fc.constantFrom('veth_mtu', 'typha_service_name', 'masquerade'), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
}).map(({ name, template, backend, extra }) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'kube-system' },
  data: { ...extra, ...(backend === undefined ? {} : { calico_backend: backend }), cni_network_config: template },
}));

const dnsImage = (name: string) => fc.record({
  registry: fc.constantFrom('gcr.io/google_containers/', 'k8s.gcr.io/', 'registry.k8s.io/dns/', ''),
  arch: fc.constantFrom('', '-amd64', '-arm64'),
  tag: fc.constantFrom(':1.14.1', ':1.14.4', ':1.14.8', ':1.14.10', ':v1.14.5', ':1.23.1', ':latest', '@sha256:1d2b9c21', ''),
}).map(({ registry, arch, tag }) => `${registry}${name}${arch}${tag}`);

const probe = fc.record({
  server: fc.constantFrom('127.0.0.1:10053', '127.0.0.1:53', '[::1]:53', '::1:53', 'localhost'),
  fields: fc.integer({ min: 2, max: 6 }),
  type: fc.constantFrom('A', 'SRV', 'ANY', 'AAAA'),
}).map(({ server, fields, type }) => `--probe=${['kubedns', server, 'kubernetes.default.svc.cluster.local', '5', type, 'extra'].slice(0, fields).join(',')}`);

const argItem = fc.oneof(
  fc.constantFrom('--v=2', '-k', '--', '--no-negcache', '--dns-bind-address=0.0.0.0', '--dns-bind-address=[::]', '--dns-bind-address', '0.0.0.0', '[::]', '--domain=cluster.local.', '--cache-size=1000'),
  probe,
);

function dnsContainer(role: string, image: string): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({
    image: dnsImage(image),
    args: fc.option(fc.array(argItem, { maxLength: 8 }), { nil: undefined }),
    command: fc.option(fc.array(argItem, { maxLength: 5 }).map((items) => [`/${role}`, ...items]), { nil: undefined }),
    named: fc.boolean(),
  }).map(({ image: img, args, command, named }) => ({
    name: named ? role : `${role}-x`, image: img, ...(args === undefined ? {} : { args }), ...(command === undefined ? {} : { command }),
  }));
}

const kubeDnsArb: fc.Arbitrary<KubeObject> = fc.record({
  kubedns: dnsContainer('kubedns', 'k8s-dns-kube-dns'),
  dnsmasq: dnsContainer('dnsmasq', 'k8s-dns-dnsmasq-nanny'),
  sidecar: dnsContainer('sidecar', 'k8s-dns-sidecar'),
  keep: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  coredns: fc.boolean(),
}).map(({ kubedns, dnsmasq, sidecar, keep, coredns }) => {
  const list = [kubedns, dnsmasq, sidecar].filter((_, i) => keep[i]);
  if (coredns || list.length === 0) list.push({ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.1', args: ['-conf', '/etc/coredns/Corefile'] });
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { template: { spec: { containers: list } } } };
});

const serviceArb: fc.Arbitrary<KubeObject> = fc.record({
  clusterIP: fc.constantFrom(undefined, '10.96.0.10', 'fd00:10:96::a', 'fd00:10:96:0::a', 'fd00:10:96::b', 'None', ''),
  clusterIPs: fc.constantFrom(undefined, ['10.96.0.10'], ['fd00:10:96::a'], ['fd00:10:96::a', '10.96.0.10'], []),
  ipFamilies: fc.constantFrom(undefined, ['IPv4'], ['IPv6'], ['IPv4', 'IPv6'], ['IPv6', 'IPv4'], []),
  ipFamilyPolicy: fc.constantFrom(undefined, 'SingleStack', 'PreferDualStack', 'RequireDualStack'),
  coredns: fc.boolean(),
  extra: extras,
}).map(({ coredns, extra, ...fields }) => {
  const spec: Record<string, unknown> = { selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }], ...extra };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) spec[key] = value;
  const labels: Record<string, string> = coredns ? { 'kubernetes.io/name': 'CoreDNS' } : { 'k8s-app': 'kube-dns' };
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system', labels }, spec };
});

/** Pools as people write them in an Installation: either family, good and bad CIDRs, any encapsulation. */
const installationPool = fc.record({
  cidr: fc.constantFrom('10.244.0.0/16', '192.168.0.0/16', 'fd20::/112', 'fd20:0::/112', 'fd30::/112', 'fd20::/124', 'fe80::/64', 'pods'),
  blockSize: fc.constantFrom(undefined, 26, 116, 122, 130),
  encapsulation: fc.constantFrom(undefined, 'IPIP', 'IPIPCrossSubnet', 'VXLAN', 'VXLANCrossSubnet', 'None'),
  natOutgoing: fc.constantFrom(undefined, 'Enabled', 'Disabled'),
  name: fc.constantFrom(undefined, 'default-ipv4-ippool', 'pool'),
}).map((pool) => Object.fromEntries(Object.entries(pool).filter(([, v]) => v !== undefined)));

const installationArb: fc.Arbitrary<KubeObject> = fc.record({
  network: fc.boolean(),
  pools: fc.option(fc.array(installationPool, { maxLength: 3 }), { nil: undefined }),
  bgp: fc.constantFrom(undefined, 'Enabled', 'Disabled'),
  v4: fc.constantFrom(undefined, { firstFound: true }, { interface: 'eth0' }),
  v6: fc.constantFrom(undefined, { firstFound: true }, { canReach: '2001:db8::1' }),
  ipam: fc.constantFrom(undefined, 'Calico', 'HostLocal'),
  dataplane: fc.constantFrom(undefined, 'Iptables', 'BPF'),
  calicoVersion: fc.constantFrom(undefined, 'v3.22.0', 'v3.27.0', 'v3.30.0'),
  extra: extras,
}).map(({ network, pools, bgp, v4, v6, ipam, dataplane, calicoVersion, extra }) => {
  const calicoNetwork: Record<string, unknown> = { ...extra };
  for (const [key, value] of Object.entries({ ipPools: pools, bgp, nodeAddressAutodetectionV4: v4, nodeAddressAutodetectionV6: v6, linuxDataplane: dataplane })) {
    if (value !== undefined) calicoNetwork[key] = value;
  }
  const spec: Record<string, unknown> = ipam ? { cni: { type: 'Calico', ipam: { type: ipam } } } : {};
  if (network) spec.calicoNetwork = calicoNetwork;
  return { apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec, ...(calicoVersion ? { status: { calicoVersion } } : {}) };
});

const ipPoolArb: fc.Arbitrary<KubeObject> = fc.record({
  apiVersion: fc.constantFrom('crd.projectcalico.org/v1', 'projectcalico.org/v3'),
  cidr: fc.constantFrom('10.244.0.0/16', 'fd20::/112', 'fd20::/116', 'fd30::/112', 'fd20::1/112', 'ff02::/112', 'pods'),
  blockSize: fc.constantFrom(undefined, 0, 26, 116, 122, 129),
  ipipMode: fc.constantFrom(undefined, 'Never', 'Always', 'CrossSubnet'),
  vxlanMode: fc.constantFrom(undefined, 'Never', 'Always'),
  natOutgoing: fc.constantFrom(undefined, true, false),
  disabled: fc.constantFrom(undefined, true),
}).map(({ apiVersion, ...fields }) => ({
  apiVersion, kind: 'IPPool', metadata: { name: 'pool' }, spec: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
}));

const TARGETS: [string, fc.Arbitrary<KubeObject>][] = [
  ['calico-node DaemonSet', calicoNodeArb],
  ['calico-config ConfigMap', calicoConfigArb],
  ['kube-dns Deployment', kubeDnsArb],
  ['kube-dns Service', serviceArb],
  ['operator Installation', installationArb],
  ['IPPool', ipPoolArb],
];

/** The only places a patch may touch (DESIGN 3: minimal). */
const ALLOWED_PATHS = [
  /^\/spec\/template\/spec\/containers\/\d+\/(env|args|command)(\/|$)/,
  /^\/spec\/template\/spec\/containers\/\d+\/image$/,
  /^\/data\/cni_network_config$/,
  /^\/spec\/(clusterIP|clusterIPs|ipFamilies)(\/|$)/,
  /^\/spec(\/calicoNetwork(\/(ipPools|nodeAddressAutodetectionV4|nodeAddressAutodetectionV6)(\/.*)?)?)?$/,
];

function applied(object: KubeObject, patch: readonly Operation[]): { result: KubeObject; errors: unknown[] } {
  const result = structuredClone(object);
  const errors = applyPatch(result, patch as Operation[]);
  return { result, errors };
}

// ---- the properties ----------------------------------------------------------------------------

for (const [label, arb] of TARGETS) {
  describe(`properties: ${label}`, () => {
    // Frozen: the rules must write only their copy (copy-on-write.ts), never the request's object or old object.
    const cases = fc.tuple(arb, contextArb(arb)).map(([object, ctx]) => [deepFrozen(object), frozenContext(ctx)] as const);

    it('(a) idempotent: mutating the mutated object yields an empty patch', () => {
      fc.assert(fc.property(cases, ([object, ctx]) => {
        const first = analyze(object, ctx);
        const second = analyze(structuredClone(first.mutated), ctx);
        assert.deepEqual(patchOf(second), []);
      }), { numRuns: RUNS });
    });

    it('(b) the patch applies cleanly with rfc6902 and gives exactly the mutated object', () => {
      fc.assert(fc.property(cases, ([object, ctx]) => {
        const analysis = analyze(object, ctx);
        const patch = patchOf(analysis);
        const { result, errors } = applied(object, patch as Operation[]);
        assert.deepEqual(errors, patch.map(() => null));
        assert.deepEqual(result, analysis.mutated);
        // The patch survives the JSON round trip the webhook's base64 encoding puts it through.
        assert.deepEqual(JSON.parse(JSON.stringify(patch)), patch);
      }), { numRuns: RUNS });
    });

    it('(c) the patch touches only the named fields', () => {
      fc.assert(fc.property(cases, ([object, ctx]) => {
        for (const op of patchOf(analyze(object, ctx))) {
          assert.ok(ALLOWED_PATHS.some((re) => re.test(op.path)), `${op.op} ${op.path} is outside the allowed fields`);
          assert.ok(op.op === 'add' || op.op === 'replace' || op.op === 'remove', op.op);
        }
      }), { numRuns: RUNS });
    });

    it('(d) validation of the mutated object finds nothing left to change, and never throws', () => {
      fc.assert(fc.property(cases, ([object, ctx]) => {
        const again = analyze(structuredClone(analyze(object, ctx).mutated), ctx);
        assert.deepEqual(again.mutation.changes, []);
        for (const action of ['deny', 'warn'] as const) {
          const verdict = validationVerdict(again, action);
          assert.ok(!(verdict.message ?? '').includes('the mutating webhook makes this change'));
          for (const w of verdict.warnings) assert.ok(w.length <= 255);
          mutationVerdict(again, action);
        }
      }), { numRuns: RUNS });
    });
  });
}

describe('properties: (e) arbitrary JSON under a target kind and name never throws', () => {
  const targets: [string, string][] = [
    ['DaemonSet', 'calico-node'], ['DaemonSet', 'canal'], ['ConfigMap', 'calico-config'], ['ConfigMap', 'canal-config'],
    ['ConfigMap', 'kube-proxy'], ['Deployment', 'kube-dns'], ['Service', 'kube-dns'],
  ];
  const fuzzed = fc.record({
    target: fc.constantFrom(...targets),
    spec: fc.anything(),
    data: fc.anything(),
    metadata: fc.dictionary(fc.string({ maxLength: 6 }), fc.anything({ maxDepth: 1 }), { maxKeys: 3 }),
    operation: fc.constantFrom('CREATE' as const, 'UPDATE' as const),
    oldSpec: fc.anything({ maxDepth: 2 }),
    config: fc.constantFrom(...CONFIGS),
  });

  it('analyze, patch and both verdicts on fc.anything() specs', () => {
    fc.assert(fc.property(fuzzed, ({ target, spec, data, metadata, operation, oldSpec, config }) => {
      const [kind, name] = target;
      const object = { apiVersion: 'v1', kind, metadata: { ...metadata, name, namespace: 'kube-system' }, spec, data } as KubeObject;
      const ctx: RuleContext = { config, operation, oldObject: operation === 'UPDATE' ? deepFrozen({ kind, metadata: { name }, spec: oldSpec } as KubeObject) : undefined };
      const analysis = analyze(deepFrozen(object), ctx);
      patchOf(analysis);
      validationVerdict(analysis, config.validationAction);
      mutationVerdict(analysis, config.validationAction);
    }), { numRuns: RUNS * 10 });
  });

  it('structured but wrongly typed pod templates (containers, env, args of any JSON) never throw', () => {
    const container = fc.record({
      name: fc.oneof(fc.constantFrom('calico-node', 'kubedns', 'dnsmasq', 'sidecar'), fc.jsonValue({ maxDepth: 0 })),
      image: fc.oneof(fc.constantFrom('calico/node:v3.24.0', 'k8s-dns-kube-dns-amd64:1.14.4', 'k8s-dns-sidecar:1.14.1'), fc.jsonValue({ maxDepth: 0 })),
      env: fc.jsonValue({ maxDepth: 2 }),
      args: fc.jsonValue({ maxDepth: 1 }),
      command: fc.jsonValue({ maxDepth: 1 }),
    }, { requiredKeys: [] });
    const workload = fc.record({
      kind: fc.constantFrom<[string, string]>(['DaemonSet', 'calico-node'], ['Deployment', 'kube-dns']),
      containers: fc.oneof(fc.array(container, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
      config: fc.constantFrom(...CONFIGS),
    });
    fc.assert(fc.property(workload, ({ kind: [kind, name], containers, config }) => {
      const object = { apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'kube-system' }, spec: { template: { spec: { containers } } } } as KubeObject;
      const analysis = analyze(deepFrozen(object), { config, operation: 'CREATE' });
      const patch = patchOf(analysis);
      const { errors } = applied(object, patch as Operation[]);
      assert.deepEqual(errors, patch.map(() => null));
      validationVerdict(analysis, 'deny');
    }), { numRuns: RUNS * 10 });
  });
});

describe('properties: (f) fix on YAML files', () => {
  /** How a person (or a tool) might have written the file: block or flow collections, quoting, list indentation. */
  const style = fc.record({
    // 'any' (block, empty lists as []) rather than 'block', which writes an empty list as an invalid bare [] line.
    collectionStyle: fc.constantFrom('any' as const, 'any' as const, 'flow' as const),
    defaultStringType: fc.constantFrom('PLAIN' as const, 'QUOTE_DOUBLE' as const, 'QUOTE_SINGLE' as const),
    indentSeq: fc.boolean(),
    indent: fc.constantFrom(2, 4),
  });
  const docs = fc.tuple(calicoNodeArb, calicoConfigArb, kubeDnsArb, serviceArb, fc.constantFrom(...CONFIGS), fc.array(style, { minLength: 4, maxLength: 4 }));

  it('fixed text parses to the engine\'s mutated objects, keeps non-targets byte-identical, and a second fix changes nothing', () => {
    fc.assert(fc.property(docs, ([node, cm, dns, svc, config, styles]) => {
      const other = '# a non-target document, kept byte for byte\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: calico-node, namespace: kube-system}  # flow\n';
      const [a, b, c, d] = styles as [object, object, object, object];
      const text = [stringify(cm, a), other, stringify(node, b), stringify(dns, c), stringify(svc, d)].join('---\n');
      const first = analyzeManifest(text, config);
      // Read as Kubernetes reads them (YAML 1.1: a generated plain `n` is false, as kubectl would send it).
      const parsed = readManifestValues(first.fixedText);
      const expected = first.documents.map((d, i) => d.analysis?.mutated ?? readManifestValues(text)[i]);
      assert.deepEqual(parsed, expected);
      assert.ok(first.fixedText.includes(other), 'the non-target document is unchanged');
      const second = analyzeManifest(first.fixedText, config);
      assert.equal(second.fixedText, first.fixedText);
      assert.deepEqual(second.documents.flatMap((d) => d.analysis?.mutation.changes ?? []), []);
    }), { numRuns: Math.ceil(RUNS / 3) });
  });
});
