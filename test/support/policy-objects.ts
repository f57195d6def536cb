// Generated admission objects for the policy-versus-webhook property tests: the unit test evaluates the
// generated ValidatingAdmissionPolicies on them with cel-js (test/unit/policy-verdicts.test.ts), the e2e test
// sends them to a real API server with the policies installed (test/e2e/policy.e2e.test.ts).
import fc from 'fast-check';
import type { KubeObject } from '../../src/k8s/object.js';


// With IPv4-mapped ranges, which both refuse as ippool/cidr (targets/ippool/ipv4-mapped.ts; cidr.go:287-289).
export const CIDRS = ['fd20::/112', 'fd20::/120', 'fd20::1/112', 'fd30::/112', 'fe80::/112', 'ff00::/112', '::1/128', 'fd00:10:96::/112', 'fd20::/64', 'fd20::/122', '10.0.0.0/16', 'bogus', '', 'fd20:0::/112', '::ffff:10.0.0.0/104', '::ffff:a00:0/104'];
const ENV_VALUES = ['', 'autodetect', 'none', 'true', 'false', 'hash', '10.0.0.1', 'fd20::5', 'fd00::10', 'bogus', 'can-reach=fd00::1', 'interface=eth0', ...CIDRS];
const NODE_VARS = ['IP', 'IP6', 'FELIX_IPV6SUPPORT', 'CALICO_IPV6POOL_CIDR', 'CALICO_ROUTER_ID', 'NO_DEFAULT_POOLS', 'CALICO_IPV6POOL_BLOCK_SIZE', 'CALICO_IPV4POOL_CIDR', 'CALICO_IPV6POOL_NAT_OUTGOING'];

export const calicoNodeArb: fc.Arbitrary<KubeObject> = fc.record({
  tag: fc.constantFrom('v3.1.3', 'v3.5.0', 'v3.6.2', 'v3.20.0', 'v3.29.0', 'v3.30.0', 'master', 'latest'),
  env: fc.uniqueArray(fc.record({ name: fc.constantFrom(...NODE_VARS), value: fc.constantFrom(...ENV_VALUES, '116', '122', '130') }), { selector: (e) => e.name, maxLength: 6 }),
}).map(({ tag, env }) => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'kube-system' },
  spec: { template: { spec: { containers: [{ name: 'calico-node', image: `docker.io/calico/node:${tag}`, env }] } } },
}));

export const ipPoolArb = (cidr: fc.Arbitrary<string>): fc.Arbitrary<KubeObject> => fc.record({
  group: fc.constantFrom('crd.projectcalico.org/v1', 'projectcalico.org/v3'),
  cidr,
  blockSize: fc.option(fc.constantFrom(116, 122, 126, 128, 64, 130), { nil: undefined }),
  ipipMode: fc.option(fc.constantFrom('Never', 'Always', 'CrossSubnet'), { nil: undefined }),
  vxlanMode: fc.option(fc.constantFrom('Never', 'Always', 'CrossSubnet'), { nil: undefined }),
  disabled: fc.option(fc.boolean(), { nil: undefined }),
}).map(({ group, ...spec }) => ({ apiVersion: group, kind: 'IPPool', metadata: { name: 'pool' }, spec: Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) }));

const SERVICE_IPS = ['fd00:10:96::a', 'FD00:10:96:0::A', 'fd00:10:96::b', '10.96.0.10', '', 'bogus', 'fd20::a'];
export const serviceArb: fc.Arbitrary<KubeObject> = fc.record({
  namespace: fc.constantFrom('kube-system', 'dns'),
  coreDns: fc.boolean(),
  type: fc.option(fc.constantFrom('ClusterIP', 'ExternalName'), { nil: undefined }),
  clusterIP: fc.option(fc.constantFrom(...SERVICE_IPS), { nil: undefined }),
  clusterIPs: fc.option(fc.array(fc.constantFrom(...SERVICE_IPS), { maxLength: 2 }), { nil: undefined }),
  ipFamilies: fc.option(fc.constantFrom(['IPv4'], ['IPv6'], ['IPv4', 'IPv6'], ['IPv6', 'IPv4']), { nil: undefined }),
  ipFamilyPolicy: fc.option(fc.constantFrom('SingleStack', 'PreferDualStack', 'RequireDualStack'), { nil: undefined }),
}).map(({ namespace, coreDns, ...spec }) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace, ...(coreDns ? { labels: { 'kubernetes.io/name': 'CoreDNS' } } : {}) },
  spec: Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)),
}));

const INSTALL_CIDRS = ['fd20::/112', 'fd20::/120', 'fd20::1/112', 'fd30::/112', 'fe80::/112', 'fd00:10:96::/112', 'fd20::/64', '10.0.0.0/16', '10.77.0.0/16', 'bogus', 'fd20:0::/112', '::ffff:10.0.0.0/104'];
const installPoolArb = fc.record({
  cidr: fc.constantFrom(...INSTALL_CIDRS),
  name: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
  blockSize: fc.option(fc.constantFrom(116, 122, 126, 26, 64), { nil: undefined }),
  encapsulation: fc.option(fc.constantFrom('None', 'IPIP', 'VXLAN', 'VXLANCrossSubnet', 'IPIPCrossSubnet'), { nil: undefined }),
}).map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)));
export const installationArb: fc.Arbitrary<KubeObject> = fc.record({
  pools: fc.option(fc.array(installPoolArb, { maxLength: 3 }), { nil: undefined }),
  network: fc.boolean(),
  bgp: fc.option(fc.constantFrom('Enabled', 'Disabled'), { nil: undefined }),
  ipam: fc.option(fc.constantFrom('Calico', 'HostLocal'), { nil: undefined }),
  cni: fc.option(fc.constantFrom('Calico', 'AmazonVPC'), { nil: undefined }),
  v6auto: fc.boolean(),
  v4auto: fc.boolean(),
  dataplane: fc.option(fc.constantFrom('Iptables', 'BPF'), { nil: undefined }),
  status: fc.option(fc.constantFrom('v3.22.0', 'v3.27.0', 'v3.28.0', 'v3.30.1'), { nil: undefined }),
}).map(({ pools, network, bgp, ipam, cni, v6auto, v4auto, dataplane, status }) => ({
  apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' },
  spec: {
    ...(cni || ipam ? { cni: { ...(cni ? { type: cni } : {}), ...(ipam ? { ipam: { type: ipam } } : {}) } } : {}),
    ...(network ? {
      calicoNetwork: {
        ...(pools ? { ipPools: pools } : {}), ...(bgp ? { bgp } : {}), ...(dataplane ? { linuxDataplane: dataplane } : {}),
        ...(v6auto ? { nodeAddressAutodetectionV6: { firstFound: true } } : {}), ...(v4auto ? { nodeAddressAutodetectionV4: { firstFound: true } } : {}),
      },
    } : {}),
  },
  ...(status ? { status: { calicoVersion: status } } : {}),
}));


const KUBEDNS_FLAGS = [[], ['--domain=cluster.local.'], ['--domain=cluster.local.', '--dns-bind-address=0.0.0.0'], ['--dns-bind-address', '0.0.0.0', '--v=2'], ['--dns-bind-address=[::]'], ['--dns-bind-address', '[::]'], ['--dns-bind-address=[::]', '--dns-bind-address=0.0.0.0']];
const DNSMASQ_ARGS = [[], ['-v=2', '--', '-k'], ['-v=2', '--no-negcache', '--', '-k'], ['-v=2', '-logtostderr'], ['-v=2', '--', '-k', '--no-negcache'], ['--no-negcache', '-v=2', '--no-negcache']];
const PROBE = (type: string) => `--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5${type}`;
const SIDECAR_ARGS = [[PROBE(',SRV')], [PROBE(',A')], [PROBE(',A'), PROBE('')], ['--v=2']];
const dnsImage = (name: string) => `registry.k8s.io/k8s-dns-${name}-amd64:1.14.10`;

/** A kube-dns Deployment of the three upstream containers (images new enough). */
export function kubeDnsDeployment(kubedns: Record<string, string[]>, dnsmasqArgs: string[], sidecarArgs: string[]): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'kube-dns', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-dns' } },
        spec: {
          containers: [
            { name: 'kubedns', image: dnsImage('kube-dns'), ...kubedns },
            { name: 'dnsmasq', image: dnsImage('dnsmasq-nanny'), args: dnsmasqArgs },
            { name: 'sidecar', image: dnsImage('sidecar'), args: sidecarArgs },
          ],
        },
      },
    },
  };
}

/** kube-dns Deployments: the bind address, --no-negcache and probes in their variants; kubedns' flags in args or command. */
export const kubeDnsArb: fc.Arbitrary<KubeObject> = fc.record({
  kubedns: fc.constantFrom(...KUBEDNS_FLAGS),
  inCommand: fc.boolean(),
  dnsmasq: fc.constantFrom(...DNSMASQ_ARGS),
  sidecar: fc.constantFrom(...SIDECAR_ARGS),
}).map(({ kubedns, inCommand, dnsmasq, sidecar }) => kubeDnsDeployment(inCommand ? { command: ['/kube-dns', ...kubedns] } : { args: kubedns }, dnsmasq, sidecar));
