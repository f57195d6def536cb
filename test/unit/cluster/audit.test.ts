// audit on an in-memory cluster: exactly the non-compliant target objects, with the engine's messages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAudit } from '../../../src/cluster/audit.js';
import { ApiError } from '../../../src/cluster/client.js';
import { analyzeExisting } from '../../../src/cluster/existing.js';
import { configMapRefs, readTargets } from '../../../src/cluster/targets.js';
import { formatFinding } from '../../../src/engine/verdict.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { configWith, fixtureObject, run, withEnv } from '../../support/fixtures.js';
import { configMap, FakeReader } from './support.js';

const config = configWith();
const UPSTREAM_NODE = fixtureObject('calico-node/calico-node-v3.30.0.yaml');
/** What the mutating webhook makes of the upstream DaemonSet: compliant. */
const FIXED_NODE = run(UPSTREAM_NODE).mutated;
const CNI_CONFIG = fixtureObject('calico-config/calico-config-conflist.yaml');
const SERVICE_IPV4 = fixtureObject('kube-dns/kube-dns-service-ipv4.yaml');
const PROXY_OK = fixtureObject('kube-proxy/kube-proxy-matching.yaml');

function inNamespace(object: KubeObject, namespace: string): KubeObject {
  return { ...structuredClone(object), metadata: { ...object.metadata, namespace } };
}

function coreDnsService(clusterIP: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'coredns', labels: { 'kubernetes.io/name': 'CoreDNS' } }, spec: { clusterIP } };
}

describe('audit', () => {
  const cluster = [
    UPSTREAM_NODE,
    inNamespace(FIXED_NODE, 'calico-other'),
    CNI_CONFIG,
    SERVICE_IPV4,
    coreDnsService('10.96.0.10'),
    PROXY_OK,
    configMap('kube-system', 'unrelated', { a: 'b' }),
  ];

  it('lists exactly the objects the webhook would change or reject, sorted, with formatFinding messages', async () => {
    const result = await runAudit(new FakeReader(cluster), { all: true }, config);
    assert.equal(result.checked, 6, 'every target object found (the unrelated ConfigMap is not one)');
    assert.deepEqual(result.entries.map((e) => [e.kind, `${e.namespace}/${e.name}`, e.verdict, e.operation]), [
      ['ConfigMap', 'kube-system/calico-config', 'would-change', 'CREATE'],
      ['DaemonSet', 'kube-system/calico-node', 'would-change', 'CREATE'],
      ['Service', 'kube-system/kube-dns', 'would-reject', 'UPDATE'],
    ]);
    const node = result.entries[1]!;
    const expected = analyzeExisting(UPSTREAM_NODE, config, {});
    assert.deepEqual(node.changes, expected.changes.map(formatFinding));
    assert.ok(node.changes.some((m) => m.startsWith('[calico-node/ip6] spec.template.spec.containers[name=calico-node].env[name=IP6]: found absent, expected "autodetect"')), node.changes.join('\n'));
    assert.deepEqual(result.failures, []);
  });

  it('an existing kube-dns Service with the wrong clusterIP needs recreating; it is not a change', async () => {
    const result = await runAudit(new FakeReader(cluster), { all: true }, config);
    const svc = result.entries.find((e) => e.kind === 'Service')!;
    assert.deepEqual(svc.changes, []);
    assert.equal(svc.findings.problems[0]?.rule, 'kube-dns-service/cluster-ip-immutable');
    assert.match(svc.problems[0]!, /found "10\.96\.0\.10", expected "fd00:10:96::a"\. Fix: clusterIP is immutable, so the Service must be recreated/);
    assert.equal(svc.problems.length, new Set(svc.problems).size, 'the same problem is not listed twice');
  });

  it('nothing is listed once everything complies', async () => {
    const fixedCni = run(CNI_CONFIG).mutated;
    const svc = structuredClone(SERVICE_IPV4);
    (svc.spec as Record<string, unknown>).clusterIP = 'fd00:10:96::a';
    const result = await runAudit(new FakeReader([FIXED_NODE, fixedCni, svc, PROXY_OK]), { all: true }, config);
    assert.deepEqual([result.checked, result.entries], [4, []]);
  });

  it('a namespace scope reads objects by name there only', async () => {
    const reader = new FakeReader(cluster);
    const result = await runAudit(reader, { all: false, namespaces: ['calico-other'] }, config);
    assert.deepEqual([result.checked, result.entries.length], [1, 0]);
  });

  it('env valueFrom ConfigMap references are resolved through the cluster, as the webhook does', async () => {
    const node = withEnv(FIXED_NODE, { IP6: { valueFrom: { configMapKeyRef: { name: 'ipv6-settings', key: 'ip6' } } } });
    const reader = new FakeReader([node, configMap('kube-system', 'ipv6-settings', { ip6: 'none' })]);
    const result = await runAudit(reader, { all: true }, config);
    assert.ok(reader.calls.includes('configmap kube-system/ipv6-settings'), reader.calls.join(', '));
    assert.deepEqual(result.entries[0]?.findings.problems.map((f) => [f.rule, f.found]), [['calico-node/ip6', '"none"']]);
  });

  it('objects that cannot be read are reported as failures, not as compliant', async () => {
    const reader = new FakeReader(cluster, { fail: { 'Service kube-dns': new ApiError(403, 'HTTP 403: services "kube-dns" is forbidden') } });
    const result = await runAudit(reader, { all: true }, config);
    assert.deepEqual(result.failures, [{ what: 'Service kube-dns', error: 'HTTP 403: services "kube-dns" is forbidden', code: 403 }]);
    assert.ok(!result.entries.some((e) => e.kind === 'Service'));
  });
});

describe('targets', () => {
  it('configMapRefs finds every ConfigMap the pod template env reads, init containers included', () => {
    const refs = configMapRefs(withEnv(UPSTREAM_NODE, { IP6: { valueFrom: { configMapKeyRef: { name: 'ipv6-settings', key: 'ip6' } } } }));
    // envFrom's kubernetes-services-endpoint too (issue 14: the kubelet reads envFrom before env).
    assert.deepEqual(refs, [{ namespace: 'kube-system', name: 'kubernetes-services-endpoint' }, { namespace: 'kube-system', name: 'calico-config' }, { namespace: 'kube-system', name: 'ipv6-settings' }]);
  });

  it('readTargets asks for every (kind, name) the rules target', async () => {
    const reader = new FakeReader([]);
    await readTargets(reader, { all: true });
    // Each once, in registry order (the order is the registry's, not part of the contract); IPPools once per API group.
    assert.deepEqual([...reader.calls].sort(), [
      'ConfigMap calico-config', 'ConfigMap canal-config', 'ConfigMap kube-flannel-cfg', 'ConfigMap kube-proxy', 'DaemonSet calico-node', 'DaemonSet canal',
      'DaemonSet kube-flannel-ds', 'Deployment kube-dns',
      'IPPool (any name)', 'IPPool (any name)', 'Installation default', 'Service kube-dns',
    ]);
  });
});

describe('audit: Calico custom resources', () => {
  const installation: KubeObject = fixtureObject('operator/installation-vxlan.yaml');
  const goodPool: KubeObject = fixtureObject('ippool/ipv6-pool.yaml');
  const badPool: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'wide' }, spec: { cidr: 'fd20::/64', ipipMode: 'Always' } };
  const overlay: KubeObject = { ...structuredClone(installation), metadata: { name: 'overlay' } };

  it('lists a non-compliant Installation and IPPool of either group; a good pool and the overlay are not listed', async () => {
    const result = await runAudit(new FakeReader([installation, overlay, goodPool, badPool]), { all: false, namespaces: ['kube-system'] }, config);
    assert.equal(result.checked, 3, 'the Installation named default and both pools (each read once, by its group)');
    assert.deepEqual(result.entries.map((e) => [e.kind, e.name, e.verdict]), [
      ['Installation', 'default', 'would-change'],
      ['IPPool', 'wide', 'would-reject'],
    ]);
    const pool = result.entries[1]!;
    assert.deepEqual(pool.findings.problems.map((f) => f.rule), ['ippool/pod-cidr', 'ippool/ipip']);
    const install = result.entries[0]!;
    assert.ok(install.changes.some((m) => m.startsWith('[installation/ipv6-pool] spec.calicoNetwork.ipPools:')), install.changes.join('\n'));
  });
});
