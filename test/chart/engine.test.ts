// The chart's admission.engine: webhook (the server), policy (only the API server's admission policies) and
// hybrid (policies for calico-node and kube-dns, the webhook for the rest, so no object is judged twice).
// node --import tsx --test test/chart/engine.test.ts
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Environment as CelEnvironment } from '@marcbachmann/cel-js';
import { parseAllDocuments } from 'yaml';
import { main } from '../../src/cli/main.js';
import { hybridWebhookCondition } from '../../src/policy/chart-template.js';
import { targetPolicies } from '../../src/policy/registry.js';
import { withNetLibrary } from '../support/cel-net.js';
import { HELM_VERSIONS, NAMESPACE, RELEASE, findAll, findOne, kinds, render, renderError, type K8sObject } from './helm.js';

const FULLNAME = `${RELEASE}-calico-ipv6-webhook`;
const POLICY_KINDS = ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding'];
const SERVER_KINDS = ['Deployment', 'Service', 'ServiceAccount', 'Certificate', 'Issuer', 'PodDisruptionBudget', 'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration', 'ServiceMonitor', 'PrometheusRule', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'NetworkPolicy'];
// Everything that could bring a server object back: discovery RBAC, monitoring, a PDB.
const ALL_ON = { 'discovery.enabled': true, 'metrics.serviceMonitor.enabled': true, 'metrics.prometheusRule.enabled': true, replicaCount: 2, 'networkPolicy.enabled': true };

interface WebhookEntry { name: string; matchConditions?: { name: string; expression: string }[] }

function webhooksOf(objects: K8sObject[]): WebhookEntry[] {
  return [...findAll(objects, 'MutatingWebhookConfiguration'), ...findAll(objects, 'ValidatingWebhookConfiguration')].flatMap((c) => c.webhooks as WebhookEntry[]);
}

/** What `calico-ipv6-webhook policy` prints for the same configuration, names and namespaces. */
async function policyCommand(args: string[]): Promise<K8sObject[]> {
  let out = '';
  const io = { stdout: (l: string) => { out += `${l}\n`; }, stdoutRaw: (d: string | Uint8Array) => { out += String(d); }, stderr: () => {}, readStdin: () => '', env: {} };
  assert.equal(await main(['policy', ...args], io), 0);
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
}

function withoutLabels(o: K8sObject): K8sObject {
  const { labels: _labels, ...metadata } = o.metadata;
  return { ...o, metadata };
}

function policyObjects(objects: K8sObject[]): K8sObject[] {
  return objects.filter((o) => POLICY_KINDS.includes(o.kind) || (o.kind === 'ConfigMap' && o.metadata.name.endsWith('-policy-params'))).map(withoutLabels);
}

const byKindName = (a: K8sObject, b: K8sObject) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`);

for (const v of HELM_VERSIONS) {
  void describe(`helm ${v}: admission.engine`, () => {
    void test('webhook (default) renders no admission policy and no hybrid matchCondition', () => {
      const objects = render(v, { set: ALL_ON });
      for (const kind of POLICY_KINDS) assert.equal(findAll(objects, kind).length, 0, kind);
      assert.ok(findAll(objects, 'Deployment').length === 1);
      for (const hook of webhooksOf(objects)) assert.deepEqual(hook.matchConditions?.map((m) => m.name), ['calico-ipv6-webhook-targets'], hook.name);
    });

    void test('policy renders the four policy kinds and params, and no Deployment, Service, certificate, webhook configuration, monitoring or RBAC', () => {
      const objects = render(v, { set: { ...ALL_ON, 'admission.engine': 'policy' } });
      for (const kind of SERVER_KINDS) assert.equal(findAll(objects, kind).length, 0, `${kind} rendered: ${kinds(objects).join(', ')}`);
      for (const kind of POLICY_KINDS) assert.ok(findAll(objects, kind).length > 0, kind);
      assert.deepEqual(findAll(objects, 'ConfigMap').map((c) => c.metadata.name), [`${FULLNAME}-policy-params`]);
      for (const o of objects) assert.equal(o.metadata.labels?.['app.kubernetes.io/instance'], RELEASE, `${o.kind}/${o.metadata.name} has the chart's labels`);
    });

    void test('policy with mutation.enabled=false renders validating policies only', () => {
      const objects = render(v, { set: { 'admission.engine': 'policy', 'mutation.enabled': false } });
      assert.ok(findAll(objects, 'ValidatingAdmissionPolicy').length > 0);
      assert.equal(findAll(objects, 'MutatingAdmissionPolicy').length + findAll(objects, 'MutatingAdmissionPolicyBinding').length, 0);
    });

    void test('MutatingAdmissionPolicy is v1 where the cluster serves it (1.36+), v1beta1 where only v1beta1 is offered', () => {
      const apiVersions = (objects: K8sObject[]) => [...new Set([...findAll(objects, 'MutatingAdmissionPolicy'), ...findAll(objects, 'MutatingAdmissionPolicyBinding')].map((o) => o.apiVersion))];
      assert.deepEqual(apiVersions(render(v, { set: { 'admission.engine': 'policy' }, kubeVersion: '1.37.0' })), ['admissionregistration.k8s.io/v1']);
      const beta = render(v, { set: { 'admission.engine': 'policy' }, kubeVersion: '1.35.0', extra: ['--api-versions', 'admissionregistration.k8s.io/v1beta1/MutatingAdmissionPolicy'] });
      assert.deepEqual(apiVersions(beta), ['admissionregistration.k8s.io/v1beta1']);
      const served = render(v, { set: { 'admission.engine': 'policy' }, kubeVersion: '1.35.0', extra: ['--api-versions', 'admissionregistration.k8s.io/v1/MutatingAdmissionPolicy'] });
      assert.deepEqual(apiVersions(served), ['admissionregistration.k8s.io/v1']);
      // ValidatingAdmissionPolicy is GA everywhere the chart installs.
      assert.ok(findAll(beta, 'ValidatingAdmissionPolicy').every((o) => o.apiVersion === 'admissionregistration.k8s.io/v1'));
    });

    void test('hybrid: policies for calico-node and kube-dns only, the webhook narrowed to what they do not judge', () => {
      const objects = render(v, { set: { 'admission.engine': 'hybrid' } });
      assert.deepEqual(findAll(objects, 'ValidatingAdmissionPolicy').map((o) => o.metadata.name).sort(), [`${FULLNAME}-calico-node`, `${FULLNAME}-kube-dns`]);
      assert.equal(findOne(objects, 'ConfigMap', `${FULLNAME}-policy-params`).data && (findOne(objects, 'ConfigMap', `${FULLNAME}-policy-params`).data as Record<string, string>).engine, 'hybrid');
      assert.equal(findAll(objects, 'Deployment').length, 1);
      const expected = hybridWebhookCondition(targetPolicies());
      const hooks = webhooksOf(objects);
      assert.equal(hooks.length, 2);
      for (const hook of hooks) {
        assert.deepEqual(hook.matchConditions?.map((m) => m.name), ['calico-ipv6-webhook-targets', 'calico-ipv6-webhook-hybrid'], hook.name);
        assert.equal(hook.matchConditions?.[1]?.expression, expected, hook.name);
      }
    });

    void test('an unknown engine is refused', () => {
      assert.match(renderError(v, { set: { 'admission.engine': 'both' } }), /admission|engine/);
    });

    void test('the rendered policies equal what the policy command prints for the same configuration', async () => {
      // Each chart value beside the CLI flag that sets the same configuration key.
      const config: [string, string, string][] = [
        ['mode', '--mode', 'dual-stack'], ['podCIDR', '--pod-cidr', 'fd30::/64'], ['serviceCIDR', '--service-cidr', 'fd00:20::/112'],
        ['clusterDNS', '--cluster-dns', 'fd00:20::a'], ['routerID', '--router-id', 'require'], ['calicoVersion', '--calico-version', 'v3.28.1'],
        ['ipv4PodCIDR', '--ipv4-pod-cidr', '10.9.0.0/16'], ['ipv6NATOutgoing', '--ipv6-nat-outgoing', 'false'], ['validationAction', '--validation-action', 'warn'],
        ['kubeDNS.minImageVersion', '--kube-dns-min-version', '1.15.0'],
      ];
      const set: Record<string, string> = { 'admission.engine': 'policy' };
      const args = ['--name', FULLNAME, '--namespace', NAMESPACE, '--namespaces', 'kube-system'];
      for (const [key, flag, value] of config) {
        set[`config.${key}`] = value;
        args.push(flag, value);
      }
      const chart = policyObjects(render(v, { set })).sort(byKindName);
      const cli = (await policyCommand(args)).sort(byKindName);
      assert.deepEqual(kinds(chart), kinds(cli));
      assert.ok(chart.length >= 11, `${chart.length} objects`);
      assert.deepEqual(chart, cli);
      for (const engine of ['hybrid'] as const) {
        const hybridChart = policyObjects(render(v, { set: { ...set, 'admission.engine': engine }, kubeVersion: '1.35.0', extra: ['--api-versions', 'admissionregistration.k8s.io/v1beta1/MutatingAdmissionPolicy'] })).sort(byKindName);
        const hybridCli = (await policyCommand([...args, '--engine', engine, '--mutating-api-version', 'v1beta1'])).sort(byKindName);
        assert.deepEqual(hybridChart, hybridCli);
      }
    });
  });
}

void describe('the hybrid matchCondition as CEL', () => {
  const cel = new CelEnvironment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true });
  const condition = hybridWebhookCondition(targetPolicies());
  const daemonset = { group: 'apps', resource: 'daemonsets' };
  const calicoNode = (env: { name: string; value: string }[]) => ({
    metadata: { name: 'calico-node', namespace: 'kube-system' },
    spec: { template: { spec: { containers: [{ name: 'calico-node', image: 'calico/node:v3.29.0', env }] } } },
  });
  const reachesWebhook = (resource: { group: string; resource: string }, object: unknown) => cel.evaluate(condition, { request: { resource }, object }) as boolean;

  void test('the webhook skips calico-node and kube-dns the policies judge, and gets what they leave to it', () => {
    assert.equal(reachesWebhook(daemonset, calicoNode([{ name: 'IP', value: 'autodetect' }])), false);
    assert.equal(reachesWebhook(daemonset, calicoNode([{ name: 'FELIX_BPFENABLED', value: 'true' }])), true, 'webhookOnly: eBPF');
    assert.equal(reachesWebhook(daemonset, calicoNode([{ name: 'IP6', value: 'autodetect' }, { name: 'IP6', value: 'fd00::1' }])), true, 'webhookOnly: duplicated variable');
    assert.equal(reachesWebhook({ group: 'apps', resource: 'deployments' }, { metadata: { name: 'kube-dns' }, spec: { template: { spec: { containers: [] } } } }), false);
    assert.equal(reachesWebhook({ group: '', resource: 'configmaps' }, { metadata: { name: 'calico-config' }, data: {} }), true, 'not a hybrid target');
    assert.equal(reachesWebhook({ group: 'crd.projectcalico.org', resource: 'ippools' }, { metadata: { name: 'default-ipv6-ippool' }, spec: {} }), true, 'IPPools stay in the webhook');
  });
});

/** The refusal messages of the rendered ValidatingAdmissionPolicies on one object, evaluated as CEL with their params. */
function refusals(objects: K8sObject[], object: Record<string, unknown>, resource: string): string[] {
  const cel = withNetLibrary(new CelEnvironment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true }));
  const params = findAll(objects, 'ConfigMap').find((c) => c.metadata.name.endsWith('-policy-params'));
  const out: string[] = [];
  for (const policy of findAll(objects, 'ValidatingAdmissionPolicy')) {
    const spec = policy.spec as { matchConstraints: { resourceRules: { resources: string[] }[] }; variables: { name: string; expression: string }[]; validations: { expression: string; messageExpression: string }[] };
    if (!spec.matchConstraints.resourceRules.some((r) => r.resources.includes(resource))) continue;
    const variables: Record<string, unknown> = {};
    const context = { object, oldObject: null, params: { data: params?.data }, request: { operation: 'CREATE' }, variables };
    for (const v of spec.variables) {
      let cached: { value: unknown } | undefined;
      Object.defineProperty(variables, v.name, { enumerable: true, get: () => (cached ??= { value: cel.evaluate(v.expression, context) }).value });
    }
    for (const x of spec.validations) if (cel.evaluate(x.expression, context) !== true) out.push(String(cel.evaluate(x.messageExpression, context)));
  }
  return out;
}

void describe('config.* written non-canonically', () => {
  // The CLI normalises the configuration (src/config/validate.ts); the chart passes the values as written, and
  // the policies compare and show them as ip()/cidr() values, so both give the same answers and the same words.
  const canonical = { podCIDR: 'fd30::/64', serviceCIDR: 'fd00:20::/112', clusterDNS: 'fd00:20::a' };
  const written = { podCIDR: 'FD30:0:0:0::0/64', serviceCIDR: 'fd00:20:0::/112', clusterDNS: 'FD00:0020::A' };
  const setOf = (c: Record<string, string>) => ({ 'admission.engine': 'policy', ...Object.fromEntries(Object.entries(c).map(([k, x]) => [`config.${k}`, x])) });
  const cases: [string, string, Record<string, unknown>][] = [
    ['ippools', 'an IPPool outside podCIDR', { metadata: { name: 'p' }, spec: { cidr: 'fd99::/112' } }],
    ['ippools', 'an IPPool inside podCIDR', { metadata: { name: 'p' }, spec: { cidr: 'fd30::/112' } }],
    ['services', 'a kube-dns Service at another address', { metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: 'fd00:20::b' } }],
    ['services', 'a kube-dns Service at the cluster DNS address', { metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: 'fd00:20::a', clusterIPs: ['fd00:20::a'] } }],
    ['installations', 'an Installation without an IPv6 pool', { metadata: { name: 'default' }, spec: { calicoNetwork: { ipPools: [{ cidr: '10.0.0.0/16' }] } } }],
    ['daemonsets', 'calico-node with a pool outside podCIDR', { metadata: { name: 'calico-node', namespace: 'kube-system' }, spec: { template: { spec: { containers: [{ name: 'calico-node', image: 'calico/node:v3.30.0', env: [{ name: 'CALICO_IPV6POOL_CIDR', value: 'fd99::/112' }] }] } } } }],
  ];
  const v = HELM_VERSIONS[0]!;
  const asWritten = render(v, { set: setOf(written) });
  const normal = render(v, { set: setOf(canonical) });
  for (const [resource, title, object] of cases) {
    void test(`${title}: the same refusals, with the normalised values in the words`, () => {
      const answer = refusals(asWritten, object, resource);
      assert.deepEqual(answer, refusals(normal, object, resource));
      assert.ok(!answer.join('\n').match(/FD30|FD00|:0:0|0020/), answer.join('\n'));
    });
  }
  void test('the refusals name the configured values', () => {
    assert.match(refusals(asWritten, cases[0]![2], 'ippools').join('\n'), /inside podCIDR fd30::\/64/);
    assert.match(refusals(asWritten, cases[2]![2], 'services').join('\n'), /expected "fd00:20::a"/);
  });
});
