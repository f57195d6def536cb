// doctor's verdicts on an in-memory cluster: every item of the guide's Kubernetes section, pass, fail
// and unknown, with the evidence that explains each.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, ClusterAccessError } from '../../../src/cluster/client.js';
import { itemOf, type Check } from '../../../src/doctor/check.js';
import { parseFlags } from '../../../src/doctor/flags.js';
import { formatChecksJson, formatChecksTable } from '../../../src/doctor/format.js';
import { guideItems, runClusterChecks } from '../../../src/doctor/run.js';
import { gatherSnapshot } from '../../../src/doctor/snapshot.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { configWith, fixtureObject, run, withEnv } from '../../support/fixtures.js';
import { FakeReader, kubeadmConfig, kubeletConfig, kubeProxyConfig, node, staticPod } from '../cluster/support.js';

const config = configWith();

const GOOD_APISERVER = ['--bind-address=::', '--advertise-address=fd00::11', '--service-cluster-ip-range=fd00:10:96::/112', '--secure-port=6443'];
const GOOD_CONTROLLER = ['--master=https://[fd00::11]:6443', '--cluster-cidr=fd20::/112', '--allocate-node-cidrs=true', '--node-cidr-mask-size=120'];
const GOOD_SCHEDULER = ['--master=https://[fd00::11]:6443'];

const FIXED_NODE = run(fixtureObject('calico-node/calico-node-v3.30.0.yaml')).mutated;
const FIXED_CNI = run(fixtureObject('calico-config/calico-config-conflist.yaml')).mutated;
const FIXED_DNS = run(fixtureObject('kube-dns/kube-dns-1.14.4-a-probes.yaml')).mutated;
// The chart's webhook engine: doctor reports which admission engine is installed (src/doctor/admission-engine.ts).
const WEBHOOK_ENGINE: KubeObject = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'calico-ipv6-webhook' }, webhooks: [{ name: 'validate.calico-ipv6-webhook.projectcalico.org' }] } as KubeObject;
const SERVICE_OK: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: 'fd00:10:96::a' } };

/** A cluster that follows the guide everywhere. */
function goodCluster(): KubeObject[] {
  return [
    staticPod('kube-apiserver', 'node1', GOOD_APISERVER),
    staticPod('kube-controller-manager', 'node1', GOOD_CONTROLLER),
    staticPod('kube-scheduler', 'node1', GOOD_SCHEDULER),
    kubeadmConfig({ podSubnet: 'fd20::/112', serviceSubnet: 'fd00:10:96::/112' }),
    kubeProxyConfig({ clusterCIDR: 'fd20::/112', bindAddress: '::' }, 'https://[fd00::11]:6443'),
    kubeletConfig({ clusterDNS: ['fd00:10:96::a'], address: '::' }),
    node('node1', ['fd00::11']),
    node('node2', ['fd00::12']),
    FIXED_NODE, FIXED_CNI, FIXED_DNS, SERVICE_OK, WEBHOOK_ENGINE,
  ];
}

async function doctor(objects: KubeObject[], options: ConstructorParameters<typeof FakeReader>[1] = {}, scope: { all: true } | { all: false; namespaces: string[] } = { all: true }): Promise<Check[]> {
  return runClusterChecks(await gatherSnapshot(new FakeReader(objects, options), { scope }), config);
}

function verdicts(checks: Check[]): Record<string, string> {
  return Object.fromEntries(checks.map((c) => [c.id, c.status]));
}

function find(checks: Check[], id: string): Check {
  const c = checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id} among ${checks.map((x) => x.id).join(', ')}`);
  return c;
}

const replace = (objects: KubeObject[], ...extra: KubeObject[]) =>
  [...objects.filter((o) => !extra.some((e) => e.kind === o.kind && e.metadata?.name === o.metadata?.name && e.metadata?.namespace === o.metadata?.namespace)), ...extra];

describe('doctor on a cluster that follows the guide', () => {
  it('lists every item of the guide (the targets contribute theirs)', () => {
    const common = [
      'kube-apiserver.bind-address', 'kube-apiserver.advertise-address', 'kube-apiserver.service-cluster-ip-range',
      'kube-controller-manager.master', 'kube-controller-manager.cluster-cidr', 'kube-controller-manager.node-cidr-mask-size',
      'kube-scheduler.master', 'kubelet.address', 'kubelet.cluster-dns', 'kubelet.node-ip',
      'kube-proxy.bind-address', 'kube-proxy.master', 'kube-proxy.cluster-cidr', 'calico-config.ipam',
      'calico-node.ipv6-pool', 'calico-node.ip6', 'calico-node.felix-ipv6',
      // issue 14: the IPv4 pool, NAT outgoing, and how IPv6 is carried between nodes
      'calico-node.ipv4-pool', 'calico-node.nat-outgoing', 'calico-node.ipv6-carrier',
      'kube-dns.image-version', 'kube-dns-service.cluster-ip', 'kube-dns.bind-address', 'kube-dns.no-negcache', 'kube-dns.probe-type',
    ];
    assert.deepEqual([...guideItems('ipv6-only')].sort(), [...common, 'calico-node.ip-none', 'calico-node.router-id'].sort());
    assert.deepEqual([...guideItems('dual-stack')].sort(), [...common, 'calico-node.ip'].sort());
  });

  it('passes every item of the guide, each with evidence', async () => {
    const checks = await doctor(goodCluster());
    const failing = checks.filter((c) => c.status !== 'pass');
    assert.deepEqual(failing, []);
    for (const item of guideItems('ipv6-only')) assert.ok(checks.some((c) => itemOf(c) === item), `no verdict for ${item}`);
    assert.ok(checks.every((c) => c.evidence.length > 0 && c.title.length > 0));
    assert.equal(find(checks, 'kube-apiserver.bind-address/kube-apiserver-node1').evidence, '--bind-address=:: (IPv6)');
    assert.equal(find(checks, 'calico-node.ip6/kube-system/calico-node').evidence, 'IP6="autodetect"');
    assert.equal(find(checks, 'kubelet.cluster-dns/kubelet-config').status, 'pass');
  });
});

describe('control-plane flags', () => {
  it('wrong flags fail with the flag as evidence and the manifest to edit as fix', async () => {
    const checks = await doctor(replace(goodCluster(),
      staticPod('kube-apiserver', 'node1', ['--bind-address=10.0.0.11', '--advertise-address=10.0.0.11', '--service-cluster-ip-range=10.96.0.0/12']),
      staticPod('kube-controller-manager', 'node1', ['--master=https://10.0.0.11:6443', '--cluster-cidr=10.244.0.0/16', '--allocate-node-cidrs=true']),
      staticPod('kube-scheduler', 'node1', ['--master=http://10.0.0.11:8080'])));
    assert.deepEqual(Object.entries(verdicts(checks)).filter(([id]) => /^kube-(apiserver|controller-manager|scheduler)\./.test(id)), [
      ['kube-apiserver.bind-address/kube-apiserver-node1', 'fail'],
      ['kube-apiserver.advertise-address/kube-apiserver-node1', 'fail'],
      ['kube-apiserver.service-cluster-ip-range/kube-apiserver-node1', 'fail'],
      ['kube-controller-manager.master/kube-controller-manager-node1', 'fail'],
      ['kube-controller-manager.cluster-cidr/kube-controller-manager-node1', 'fail'],
      ['kube-controller-manager.node-cidr-mask-size/kube-controller-manager-node1', 'fail'],
      ['kube-scheduler.master/kube-scheduler-node1', 'fail'],
    ]);
    const range = find(checks, 'kube-apiserver.service-cluster-ip-range/kube-apiserver-node1');
    assert.equal(range.evidence, '--service-cluster-ip-range=10.96.0.0/12 has no IPv6 CIDR (10.96.0.0/12) (serviceCIDR)');
    assert.match(range.fix, /--service-cluster-ip-range=fd00:10:96::\/112 in \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml/);
    assert.match(find(checks, 'kube-controller-manager.node-cidr-mask-size/kube-controller-manager-node1').evidence, /without an IPv6 --cluster-cidr/);
  });

  it('unspecified bind address passes (every family); a missing --master is unknown (kubeconfig on the host)', async () => {
    const checks = await doctor(replace(goodCluster(),
      staticPod('kube-apiserver', 'node1', ['--advertise-address=fd00::11', '--service-cluster-ip-range=fd00:10:96::/112']),
      staticPod('kube-scheduler', 'node1', ['--kubeconfig=/etc/kubernetes/scheduler.conf'])));
    assert.equal(find(checks, 'kube-apiserver.bind-address/kube-apiserver-node1').status, 'pass');
    const master = find(checks, 'kube-scheduler.master/kube-scheduler-node1');
    assert.equal(master.status, 'unknown');
    assert.match(master.evidence, /--kubeconfig=\/etc\/kubernetes\/scheduler\.conf/);
  });

  it('node CIDR mask: the IPv6 default /64 does not fit a /112 cluster CIDR; off needs none', async () => {
    const tooShort = await doctor(replace(goodCluster(), staticPod('kube-controller-manager', 'node1', ['--cluster-cidr=fd20::/112', '--allocate-node-cidrs=true'])));
    const mask = find(tooShort, 'kube-controller-manager.node-cidr-mask-size/kube-controller-manager-node1');
    assert.deepEqual([mask.status, mask.evidence], ['fail', 'node mask /64 (the IPv6 default) does not fit cluster CIDR fd20::/112: a node CIDR must be /112../128']);
    assert.match(mask.fix, /--node-cidr-mask-size=120/);
    const off = await doctor(replace(goodCluster(), staticPod('kube-controller-manager', 'node1', ['--cluster-cidr=fd20::/112'])));
    assert.equal(find(off, 'kube-controller-manager.node-cidr-mask-size/kube-controller-manager-node1').status, 'pass');
  });

  it('one verdict per control-plane node; none found or not listable: unknown', async () => {
    const two = await doctor([...goodCluster(), staticPod('kube-apiserver', 'node2', ['--bind-address=10.0.0.12'])]);
    assert.deepEqual([find(two, 'kube-apiserver.bind-address/kube-apiserver-node1').status, find(two, 'kube-apiserver.bind-address/kube-apiserver-node2').status], ['pass', 'fail']);
    const none = await doctor(goodCluster().filter((o) => o.kind !== 'Pod'));
    assert.equal(find(none, 'kube-apiserver.bind-address').status, 'unknown');
    const forbidden = await doctor(goodCluster(), { fail: { 'pods kube-system': new ApiError(403, 'HTTP 403: pods is forbidden') } });
    assert.match(find(forbidden, 'kube-scheduler.master').evidence, /cannot list Pods in kube-system: HTTP 403/);
  });

  it('flags parse in every form pflag accepts, the last one winning', () => {
    assert.deepEqual([...parseFlags(['kube-apiserver', '--a=1', '--b', '2', '--c', '--d=x=y', '--a=3'])], [['a', '3'], ['b', '2'], ['c', 'true'], ['d', 'x=y']]);
  });
});

describe('kubelet and nodes', () => {
  it('each kubelet\'s /configz wins over the ConfigMap, per node', async () => {
    const checks = await doctor(goodCluster(), { configz: {
      node1: { kubeletconfig: { clusterDNS: ['fd00:10:96::a'], address: '::' } },
      node2: { kubeletconfig: { clusterDNS: ['10.96.0.10'], address: '10.0.0.12' } },
    } });
    assert.deepEqual(Object.entries(verdicts(checks)).filter(([id]) => /^kubelet\.(address|cluster-dns)/.test(id)), [
      ['kubelet.address/node1', 'pass'], ['kubelet.cluster-dns/node1', 'pass'],
      ['kubelet.address/node2', 'fail'], ['kubelet.cluster-dns/node2', 'fail'],
    ]);
    assert.equal(find(checks, 'kubelet.cluster-dns/node2').evidence, 'clusterDNS [10.96.0.10] in node node2 /configz holds IPv4 10.96.0.10, but the mode is ipv6-only (clusterDNS)');
  });

  it('without /configz the ConfigMap is the evidence, saying why; without either, unknown', async () => {
    const wrong = await doctor(replace(goodCluster(), kubeletConfig({ clusterDNS: ['fd00:10:96::b'] })));
    const dns = find(wrong, 'kubelet.cluster-dns/kubelet-config');
    assert.equal(dns.status, 'fail');
    assert.match(dns.evidence, /is fd00:10:96::b, but fd00:10:96::a is configured .*\/configz not read for node1, node2 \(HTTP 503: no endpoints available\)/);
    const none = await doctor(goodCluster().filter((o) => o.metadata?.name !== 'kubelet-config'));
    assert.deepEqual([find(none, 'kubelet.address/kubelet-config').status, find(none, 'kubelet.cluster-dns/kubelet-config').status], ['unknown', 'unknown']);
  });

  it('a node\'s primary InternalIP is its --node-ip: IPv6 passes, IPv4 first fails', async () => {
    const checks = await doctor(replace(goodCluster(), node('node2', ['10.0.0.12', 'fd00::12']), node('node3', ['10.0.0.13'])));
    assert.deepEqual([find(checks, 'kubelet.node-ip/node1').status, find(checks, 'kubelet.node-ip/node2').status, find(checks, 'kubelet.node-ip/node3').status], ['pass', 'fail', 'fail']);
    assert.equal(find(checks, 'kubelet.node-ip/node2').evidence, 'InternalIP 10.0.0.12, fd00::12: the primary address is IPv4, with IPv6 second');
  });
});

describe('kube-proxy and kubeadm', () => {
  it('kube-proxy: bindAddress 0.0.0.0 and an IPv4 clusterCIDR fail, an IPv6 server passes', async () => {
    const checks = await doctor(replace(goodCluster(), kubeProxyConfig({ clusterCIDR: '10.244.0.0/16', bindAddress: '0.0.0.0' }, 'https://[fd00::11]:6443')));
    assert.deepEqual([find(checks, 'kube-proxy.bind-address/kube-proxy').status, find(checks, 'kube-proxy.master/kube-proxy').status, find(checks, 'kube-proxy.cluster-cidr/kube-proxy').status], ['fail', 'pass', 'fail']);
    const missing = await doctor(goodCluster().filter((o) => o.metadata?.name !== 'kube-proxy'));
    assert.equal(find(missing, 'kube-proxy.cluster-cidr/kube-proxy').status, 'unknown');
  });

  it('kubeadm ClusterConfiguration must say what the flags say', async () => {
    const checks = await doctor(replace(goodCluster(), kubeadmConfig({ podSubnet: '10.244.0.0/16', serviceSubnet: 'fd00:10:96::/112' })));
    assert.deepEqual([find(checks, 'kubeadm.pod-subnet').status, find(checks, 'kubeadm.service-subnet').status], ['fail', 'pass']);
    assert.match(find(checks, 'kubeadm.pod-subnet').fix, /kubeadm upgrade regenerates the flags/);
  });
});

describe('Calico and kube-dns through the rule engine', () => {
  it('the upstream IPv4 objects fail item by item, with the webhook\'s messages', async () => {
    const upstream = replace(goodCluster(), fixtureObject('calico-node/calico-node-v3.30.0.yaml'), fixtureObject('calico-config/calico-config-conflist.yaml'),
      fixtureObject('kube-dns/kube-dns-1.14.4-a-probes.yaml'), fixtureObject('kube-dns/kube-dns-service-ipv4.yaml'));
    const checks = await doctor(upstream);
    assert.deepEqual(Object.entries(verdicts(checks)).filter(([id]) => /^(calico|kube-dns)/.test(id)), [
      ['calico-node.ipv6-pool/kube-system/calico-node', 'fail'],
      ['calico-node.ip6/kube-system/calico-node', 'fail'],
      ['calico-node.felix-ipv6/kube-system/calico-node', 'fail'],
      ['calico-node.ip-none/kube-system/calico-node', 'fail'],
      ['calico-node.router-id/kube-system/calico-node', 'fail'],
      ['calico-node.ipv4-pool/kube-system/calico-node', 'fail'],
      ['calico-node.nat-outgoing/kube-system/calico-node', 'fail'],
      ['calico-node.ipv6-carrier/kube-system/calico-node', 'pass'],
      ['calico-config.ipam/kube-system/calico-config', 'fail'],
      ['kube-dns.image-version/kube-system/kube-dns', 'fail'],
      ['kube-dns.bind-address/kube-system/kube-dns', 'fail'],
      ['kube-dns.no-negcache/kube-system/kube-dns', 'fail'],
      ['kube-dns.probe-type/kube-system/kube-dns', 'fail'],
      ['kube-dns-service.cluster-ip/kube-system/kube-dns', 'fail'],
    ]);
    assert.match(find(checks, 'calico-node.ip6/kube-system/calico-node').evidence, /^the webhook would change: \[calico-node\/ip6\] .*env\[name=IP6\]: found absent, expected "autodetect"/);
    assert.match(find(checks, 'kube-dns-service.cluster-ip/kube-system/kube-dns').fix, /the Service must be recreated/);
  });

  it('a variable from a ConfigMap is read through the cluster; an unreadable one is unknown, not pass', async () => {
    const ref = withEnv(FIXED_NODE, { IP6: { valueFrom: { configMapKeyRef: { name: 'ipv6-settings', key: 'ip6' } } } });
    const resolved = await doctor([...replace(goodCluster(), ref), { kind: 'ConfigMap', metadata: { name: 'ipv6-settings', namespace: 'kube-system' }, data: { ip6: 'autodetect' } }]);
    assert.equal(find(resolved, 'calico-node.ip6/kube-system/calico-node').evidence, 'IP6="autodetect" (from ConfigMap ipv6-settings key ip6)');
    const unreadable = await doctor(replace(goodCluster(), ref));
    assert.equal(find(unreadable, 'calico-node.ip6/kube-system/calico-node').status, 'unknown');
  });

  it('operator-managed calico-node is unknown (the Installation decides); nothing installed is unknown', async () => {
    const checks = await doctor(replace(goodCluster(), fixtureObject('calico-node/calico-node-operator.yaml')));
    assert.ok(checks.filter((c) => c.id.startsWith('calico-node.') && c.id.includes('calico-system')).every((c) => c.status === 'unknown' && /Tigera operator/.test(c.evidence)));
    const bare = await doctor(goodCluster().filter((o) => o.kind !== 'DaemonSet'));
    assert.match(find(bare, 'calico-node.ip6').evidence, /^no DaemonSet named calico-node or canal in any namespace$/);
  });

  it('a CoreDNS Service named kube-dns is judged by its address too', async () => {
    const coredns: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'kubernetes.io/name': 'CoreDNS' } }, spec: { clusterIP: 'fd00:10:96::53' } };
    const checks = await doctor(replace(goodCluster(), coredns));
    assert.equal(find(checks, 'kube-dns-service.cluster-ip/kube-system/kube-dns').status, 'fail');
  });
});

describe('reading the cluster', () => {
  it('a namespace scope gets objects by name there; forbidden reads are unknown with the error', async () => {
    const reader = new FakeReader(goodCluster(), { fail: { 'Service kube-dns': new ApiError(403, 'HTTP 403: services "kube-dns" is forbidden') } });
    const checks = runClusterChecks(await gatherSnapshot(reader, { scope: { all: false, namespaces: ['kube-system'] } }), config);
    const svc = find(checks, 'kube-dns-service.cluster-ip');
    assert.deepEqual([svc.status, svc.evidence], ['unknown', 'cannot read: Service kube-dns: HTTP 403: services "kube-dns" is forbidden']);
  });

  it('an API server that cannot be reached is one error, not a page of unknowns', async () => {
    const reader = new FakeReader([], { fail: { nodes: new ApiError(0, 'connect ECONNREFUSED 127.0.0.1:1') } });
    await assert.rejects(gatherSnapshot(reader, { scope: { all: true } }), (e: unknown) => e instanceof ClusterAccessError && /ECONNREFUSED/.test(e.message));
  });
});

describe('output', () => {
  it('table: a fix line under what failed, a summary; json: the same checks', async () => {
    const checks = await doctor(replace(goodCluster(), kubeProxyConfig({ clusterCIDR: 'fd20::/112', bindAddress: '0.0.0.0' }, 'https://[fd00::11]:6443')));
    const lines = formatChecksTable(checks);
    const at = lines.findIndex((l) => l.startsWith('FAIL') && l.includes('kube-proxy.bind-address/kube-proxy'));
    assert.ok(at > 0, lines.join('\n'));
    assert.match(lines[at + 1]!, /^\s+fix: set bindAddress: "::"/);
    assert.match(lines.at(-1)!, /^\d+ checks: \d+ pass, 1 fail, 0 unknown$/);
    const parsed = JSON.parse(formatChecksJson(checks)) as { summary: { fail: number }; checks: Check[] };
    assert.deepEqual([parsed.summary.fail, parsed.checks.length], [1, checks.length]);
  });
});
