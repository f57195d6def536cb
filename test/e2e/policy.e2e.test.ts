// The policy engine on a real kube-apiserver, with no webhook running: the chart installed by Helm with
// admission.engine=policy (ValidatingAdmissionPolicies and MutatingAdmissionPolicies generated from the
// rules) corrects and refuses calico-node and kube-dns as the webhook does.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { startCluster, type TestCluster } from './harness/cluster.js';
import { daemonSetEnv } from './harness/kube.js';
import { kubernetesTarget } from './harness/kubernetes.js';
import { CHART } from './harness/service-route.js';
import { main } from '../../src/cli/main.js';
import { REPO_ROOT } from '../support/repo-root.js';
import { waitFor } from '../support/wait.js';

let cluster: TestCluster;
// The release name contains the chart's, so every object is named calico-ipv6-webhook-<target>.
const RELEASE = 'calico-ipv6-webhook';
const NAMESPACE = 'calico-ipv6-policy';
const HELM = 4;
const A_PROBES = `${REPO_ROOT}/test/fixtures/kube-dns/kube-dns-1.14.4-a-probes.yaml`;

/** The webhook engine's `fix` of a manifest (the default configuration, as the chart's). */
async function webhookFix(manifest: string): Promise<string> {
  let out = '';
  const io = { stdout: (l: string) => { out += `${l}\n`; }, stdoutRaw: (d: string | Uint8Array) => { out += String(d); }, stderr: () => {}, readStdin: () => manifest, env: {} };
  assert.equal(await main(['fix', '-'], io), 0);
  return out;
}

interface Rendered { apiVersion: string; kind: string; metadata: { name: string } }

async function helm(args: string[]): Promise<void> {
  const r = await cluster.helm(HELM, [...args, RELEASE, CHART, '--namespace', NAMESPACE], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
}

/** Polls until the API server's admission plugins have seen the policies change (they act through informers). */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  await waitFor(what, async () => ((await check()) ? true : undefined), 30_000, 500);
}

function calicoNode(env: Record<string, string>, image = 'calico/node:v3.30.0', name = 'calico-node'): string {
  return stringify({
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'kube-system' },
    spec: { selector: { matchLabels: { k8s: name } }, template: { metadata: { labels: { k8s: name } }, spec: { containers: [{ name: 'calico-node', image, env: Object.entries(env).map(([n, value]) => ({ name: n, value })) }] } } },
  });
}

before(async () => {
  // MutatingAdmissionPolicy is v1 from 1.36; on 1.35 the harness enables v1beta1 (the feature gate and
  // --runtime-config in test/e2e/kubernetes-versions.json), and the chart picks it from the served APIs.
  cluster = await startCluster();
  await helm(['install', '--create-namespace', '--set', 'admission.engine=policy']);
  await eventually('the policies never took effect', async () => {
    const probe = await cluster.kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { input: calicoNode({}) });
    return probe.code === 0 && probe.stdout.includes('CALICO_IPV6POOL_CIDR');
  });
});

after(async () => {
  await cluster?.stop();
});

test('policy: helm install with admission.engine=policy runs no webhook: no Deployment, Service, certificate or webhook configuration', async () => {
  const manifest = await cluster.helm(HELM, ['get', 'manifest', RELEASE, '--namespace', NAMESPACE]);
  assert.equal(manifest.code, 0, manifest.stderr);
  const objects = parseAllDocuments(manifest.stdout).map((d) => d.toJS() as Rendered | null).filter((o): o is Rendered => !!o?.kind);
  const kinds = new Set(objects.map((o) => o.kind));
  for (const kind of ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'ConfigMap']) assert.ok(kinds.has(kind), kind);
  for (const kind of ['Deployment', 'Service', 'Certificate', 'Issuer', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) assert.ok(!kinds.has(kind), `${kind} rendered`);
  const mapVersion = Number(kubernetesTarget().minor.split('.')[1]) >= 36 ? 'admissionregistration.k8s.io/v1' : 'admissionregistration.k8s.io/v1beta1';
  assert.deepEqual([...new Set(objects.filter((o) => o.kind.startsWith('MutatingAdmissionPolicy')).map((o) => o.apiVersion))], [mapVersion]);
  const live = await cluster.kubectl(['get', 'deployments,services', '-n', NAMESPACE, '-o', 'name']);
  assert.equal(live.stdout.trim(), '', 'nothing runs in the release namespace');
  const hooks = await cluster.kubectl(['get', 'mutatingwebhookconfigurations,validatingwebhookconfigurations', '-o', 'name']);
  assert.equal(hooks.code, 0, hooks.stderr);
  assert.equal(hooks.stdout.trim(), '', 'no webhook configuration exists');
});

test('policy: doctor reports the policy engine, every policy bound', async () => {
  let out = '';
  const io = { stdout: (l: string) => { out += `${l}\n`; }, stdoutRaw: (d: string | Uint8Array) => { out += String(d); }, stderr: () => {}, readStdin: () => '', env: {} };
  await main(['doctor', '--kubeconfig', cluster.kubeconfigPath, '-o', 'json'], io);
  const checks = (JSON.parse(out) as { checks: { id: string; status: string; evidence: string }[] }).checks;
  const engine = checks.find((c) => c.id === 'admission.engine');
  assert.equal(engine?.status, 'pass', JSON.stringify(engine));
  assert.match(engine?.evidence ?? '', /^engine policy: ValidatingAdmissionPolicy calico-ipv6-webhook-calico-node.*MutatingAdmissionPolicy calico-ipv6-webhook-calico-node/);
  assert.equal(checks.find((c) => c.id === 'admission.policies-bound')?.status, 'pass');
});

test('policy: kubectl apply of a real calico.yaml stores calico-node with the IPv6 settings, and re-apply is idempotent', async () => {
  const file = 'test/fixtures/cli/calico-bundle.yaml';
  const r = await cluster.kubectl(['apply', '-f', file]);
  assert.equal(r.code, 0, r.stderr);
  const env = await daemonSetEnv(cluster, 'calico-node', 'kube-system');
  assert.equal(env.get('CALICO_IPV6POOL_CIDR'), 'fd20::/112');
  assert.equal(env.get('IP6'), 'autodetect');
  assert.equal(env.get('FELIX_IPV6SUPPORT'), 'true');
  assert.equal(env.get('IP'), 'none');
  assert.equal(env.get('CALICO_ROUTER_ID'), 'hash');
  const generation = async () => (await cluster.kubectl(['get', 'ds', '-n', 'kube-system', 'calico-node', '-o', 'jsonpath={.metadata.generation}'])).stdout;
  const before = await generation();
  // kubectl's three-way merge sends the manifest's IPv4 values again; the mutation puts the same IPv6 ones back.
  const again = await cluster.kubectl(['apply', '-f', file]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await generation(), before, 're-apply changed the stored spec');
  assert.deepEqual(await daemonSetEnv(cluster, 'calico-node', 'kube-system'), env);
  const diff = await cluster.kubectl(['diff', '-f', file]);
  assert.equal(diff.code, 0, `kubectl diff shows a change after apply: ${diff.stdout}${diff.stderr}`);
});

test('policy: --dry-run=server answers as a real apply does, and stores nothing', async () => {
  const r = await cluster.kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { input: calicoNode({ IP6: '' }, 'calico/node:v3.30.0', 'canal') });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /"autodetect"/);
  const get = await cluster.kubectl(['get', 'ds', '-n', 'kube-system', 'canal']);
  assert.notEqual(get.code, 0);
  // kubectl diff is a server dry run too: it shows the object as the policies would store it.
  const diff = await cluster.kubectl(['diff', '-f', '-'], { input: calicoNode({ IP6: '' }, 'calico/node:v3.30.0', 'canal') });
  assert.equal(diff.code, 1, diff.stderr);
  assert.match(diff.stdout, /\+ +value: autodetect/);
  assert.match(diff.stdout, /CALICO_IPV6POOL_CIDR/);
});

for (const [title, env, image, rule, fix] of [
  ['a pool outside podCIDR', { CALICO_IPV6POOL_CIDR: 'fd99::/112' }, 'calico/node:v3.30.0', 'calico-node/ipv6-pool', 'inconsistent pool'],
  ['a literal IP6 address', { IP6: 'fd20::5' }, 'calico/node:v3.30.0', 'calico-node/ip6', 'one literal address in a DaemonSet gives every node the same address'],
  ['IP=none without a router ID on calico/node v3.5.0', { IP: 'none' }, 'calico/node:v3.5.0', 'calico-node/router-id', 'IP=none requires CALICO_ROUTER_ID'],
] as const) {
  test(`policy: ${title} is refused with the webhook's rule id and fix text`, async () => {
    for (const dryRun of [['--dry-run=server'], []]) {
      const r = await cluster.kubectl(['apply', ...dryRun, '-f', '-'], { input: calicoNode(env, image, 'canal') });
      assert.notEqual(r.code, 0, r.stdout);
      assert.ok(r.stderr.includes(`[${rule}]`), r.stderr);
      assert.ok(r.stderr.includes(fix), r.stderr);
      assert.match(r.stderr, /ValidatingAdmissionPolicy 'calico-ipv6-webhook-calico-node'/);
    }
    // kubectl diff asks the same admission chain, so it is refused with the same words.
    const diff = await cluster.kubectl(['diff', '-f', '-'], { input: calicoNode(env, image, 'canal') });
    assert.ok(diff.code > 1, diff.stdout);
    assert.ok(diff.stderr.includes(`[${rule}]`), diff.stderr);
  });
}

test('policy: what only the webhook can judge is refused as needs-webhook, never admitted unjudged', async () => {
  const viaConfigMap = parse(calicoNode({}, 'calico/node:v3.30.0', 'canal')) as {
    spec: { template: { spec: { containers: { env: unknown[] }[] } } };
  };
  // FELIX_IPV6SUPPORT from a ConfigMap (which may say "false"), and IPv6 VXLAN (projectcalico/calico#12896 by release).
  viaConfigMap.spec.template.spec.containers[0]!.env = [{ name: 'FELIX_IPV6SUPPORT', valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'ipv6' } } }];
  const vxlan = calicoNode({ CALICO_IPV6POOL_VXLAN: 'Always' }, 'calico/node:v3.30.0', 'canal');
  for (const input of [JSON.stringify(viaConfigMap), vxlan]) {
    const r = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input });
    assert.notEqual(r.code, 0, r.stdout);
    assert.ok(r.stderr.includes('[calico-node/needs-webhook]'), r.stderr);
  }
});

test('policy: kube-dns A-type probes are rewritten to SRV, and refused with the webhook\'s rule id and fix text when mutation is off', async () => {
  // The webhook's own fix of the fixture with the probes put back to A: the policies validate (but do not
  // add) the other kube-dns settings (policy --explain), so only the probe type is left to them.
  const manifest = (await webhookFix(await readFile(A_PROBES, 'utf8'))).replace(/(--probe=[^\n]*),SRV$/gm, '$1,A');
  assert.match(manifest, /,A$/m);
  const mutated = await cluster.kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { input: manifest });
  assert.equal(mutated.code, 0, mutated.stderr);
  const sidecar = (JSON.parse(mutated.stdout) as { spec: { template: { spec: { containers: { name: string; args?: string[] }[] } } } }).spec.template.spec.containers.find((c) => c.name === 'sidecar');
  assert.deepEqual(sidecar?.args?.filter((a) => a.startsWith('--probe=')).map((a) => a.split(',').at(-1)), ['SRV', 'SRV']);
  // The chart's mutation.enabled=false drops the MutatingAdmissionPolicies: what the webhook would fix is refused.
  await helm(['upgrade', '--reuse-values', '--set', 'mutation.enabled=false']);
  await eventually('A probes were still admitted after mutation.enabled=false', async () => (await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: manifest })).code !== 0);
  for (const dryRun of [['--dry-run=server'], []]) {
    const r = await cluster.kubectl(['apply', ...dryRun, '-f', '-'], { input: manifest });
    assert.notEqual(r.code, 0, r.stdout);
    assert.ok(r.stderr.includes('[kube-dns/probe-type]'), r.stderr);
    assert.ok(r.stderr.includes('probes fail in an IPv6-only cluster and restart-loop the pod; use SRV'), r.stderr);
    assert.match(r.stderr, /ValidatingAdmissionPolicy 'calico-ipv6-webhook-kube-dns'/);
  }
  const stored = await cluster.kubectl(['get', 'deployment', 'kube-dns', '-n', 'kube-system']);
  assert.notEqual(stored.code, 0, 'a refused kube-dns was stored');
});
