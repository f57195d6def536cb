// The policy engine on a real kube-apiserver, with no webhook running: the chart installed by Helm with
// admission.engine=policy (ValidatingAdmissionPolicies and MutatingAdmissionPolicies generated from the
// rules) corrects and refuses calico-node, kube-dns, its Service and the Installation as the webhook does,
// and on generated objects gives the verdict and stores the object the webhook's own code gives.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { startCluster, type TestCluster } from './harness/cluster.js';
import { daemonSetEnv } from './harness/kube.js';
import { kubernetesTarget } from './harness/kubernetes.js';
import { CHART } from './harness/service-route.js';
import fc from 'fast-check';
import { main } from '../../src/cli/main.js';
import { analyze } from '../../src/engine/analyze.js';
import { validationVerdict } from '../../src/engine/verdict.js';
import { validateConfig } from '../../src/config/validate.js';
import { DEFAULT_RAW_CONFIG } from '../../src/config/types.js';
import type { KubeObject } from '../../src/k8s/object.js';
import { coverage } from '../../src/policy/coverage.js';
import { installCalicoCrds } from './harness/calico-crds.js';
import { calicoNodeArb, installationArb, ipPoolArb, kubeDnsArb, kubeDnsDeployment, serviceArb } from '../support/policy-objects.js';
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
  await installCalicoCrds(cluster);
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

type Containers = { name: string; args?: string[]; command?: string[]; image?: string; env?: unknown[] }[];
const containersOf = (o: KubeObject) => ((o.spec as { template?: { spec?: { containers?: Containers } } } | undefined)?.template?.spec?.containers ?? []);
const CONFIG = validateConfig(DEFAULT_RAW_CONFIG);

test('policy: the kube-dns MutatingAdmissionPolicy adds --dns-bind-address=[::] and --no-negcache as the webhook does, and re-apply changes nothing', async () => {
  const deployment = kubeDnsDeployment({ args: ['--domain=cluster.local.', '--dns-bind-address', '0.0.0.0', '--v=2'] }, ['-v=2', '--no-negcache', '--', '-k'], ['--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,A']);
  const webhook = analyze(deployment, { config: CONFIG, operation: 'CREATE' }).mutated;
  const r = await cluster.kubectl(['apply', '-o', 'json', '-f', '-'], { input: JSON.stringify(deployment) });
  assert.equal(r.code, 0, r.stderr);
  const stored = containersOf(JSON.parse(r.stdout) as KubeObject);
  assert.deepEqual(stored.map((c) => c.args), containersOf(webhook).map((c) => c.args));
  assert.deepEqual(stored.find((c) => c.name === 'kubedns')?.args, ['--domain=cluster.local.', '--dns-bind-address=[::]', '--v=2']);
  assert.deepEqual(stored.find((c) => c.name === 'dnsmasq')?.args, ['-v=2', '--', '-k', '--no-negcache']);
  const generation = async () => (await cluster.kubectl(['get', 'deployment', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.metadata.generation}'])).stdout;
  const before = await generation();
  const again = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment) });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await generation(), before, 're-apply changed the stored kube-dns');
  const diff = await cluster.kubectl(['diff', '-f', '-'], { input: JSON.stringify(deployment) });
  assert.equal(diff.code, 0, `kubectl diff shows a change after apply: ${diff.stdout}${diff.stderr}`);
  assert.equal((await cluster.kubectl(['delete', 'deployment', '-n', 'kube-system', 'kube-dns'])).code, 0);
});

const service = (spec: Record<string, unknown>): string => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }], selector: { 'k8s-app': 'kube-dns' }, ...spec } });

test('policy: the kube-dns Service gets the cluster DNS address on CREATE, and re-applying the upstream IPv4 manifest keeps it', async () => {
  for (const clusterIP of ['10.96.0.10', 'fd00:10:96::b', undefined]) {
    const r = await cluster.kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { input: service(clusterIP ? { clusterIP } : {}) });
    assert.equal(r.code, 0, r.stderr);
    const spec = (JSON.parse(r.stdout) as { spec: { clusterIP: string; clusterIPs: string[]; ipFamilies: string[] } }).spec;
    assert.equal(spec.clusterIP, 'fd00:10:96::a', `from ${String(clusterIP)}`);
    assert.deepEqual(spec.clusterIPs, ['fd00:10:96::a']);
    assert.deepEqual(spec.ipFamilies, ['IPv6']);
  }
  const upstream = service({ clusterIP: '10.96.0.10' });
  assert.equal((await cluster.kubectl(['apply', '-f', '-'], { input: upstream })).code, 0);
  // kubectl's three-way merge sends clusterIP 10.96.0.10 again; the policy puts the stored address back.
  const again = await cluster.kubectl(['apply', '-f', '-'], { input: upstream });
  assert.equal(again.code, 0, again.stderr);
  const diff = await cluster.kubectl(['diff', '-f', '-'], { input: upstream });
  assert.equal(diff.code, 0, `kubectl diff shows a change: ${diff.stdout}${diff.stderr}`);
  assert.equal((await cluster.kubectl(['get', 'service', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}'])).stdout, 'fd00:10:96::a');
  assert.equal((await cluster.kubectl(['delete', 'service', '-n', 'kube-system', 'kube-dns'])).code, 0);
});

test('policy: an Installation with its IPv6 pool outside podCIDR is refused with the webhook\'s rule id and fix text', async () => {
  const installation = JSON.stringify({
    apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' },
    spec: { calicoNetwork: { ipPools: [{ cidr: 'fd99::/112', encapsulation: 'None' }], nodeAddressAutodetectionV6: { firstFound: true } } },
  });
  for (const dryRun of [['--dry-run=server'], []]) {
    const r = await cluster.kubectl(['apply', ...dryRun, '-f', '-'], { input: installation });
    assert.notEqual(r.code, 0, r.stdout);
    assert.ok(r.stderr.includes('[installation/pod-cidr] spec.calicoNetwork.ipPools[cidr=fd99::/112].cidr: found "fd99::/112", expected inside podCIDR fd20::/112'), r.stderr);
    assert.ok(r.stderr.includes('pods would get addresses kube-proxy and the controller manager do not know (--cluster-cidr fd20::/112)'), r.stderr);
    assert.match(r.stderr, /ValidatingAdmissionPolicy 'calico-ipv6-webhook-installation'/);
  }
  const fixed = installation.replace('fd99::/112', 'fd20::/112');
  const ok = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: fixed });
  assert.equal(ok.code, 0, ok.stderr);
});

/** Rules whose change the policies make (mutate+validate); any other change the webhook would make is refused by the policy. */
const MUTATED = new Set(coverage().filter((c) => c.policy === 'mutate+validate').map((c) => c.rule));
const IMPLEMENTED = new Set(coverage().filter((c) => c.policy !== '-').map((c) => c.rule));

/** The webhook's answer by its own code: the mutated object, and the rules refused (validated after mutation). */
function webhookAnswer(object: KubeObject): { mutated: KubeObject; denied: string[] } {
  const mutation = analyze(object, { config: CONFIG, operation: 'CREATE' });
  const unmade = mutation.mutation.changes.map((c) => c.rule).filter((r) => !MUTATED.has(r));
  const after = validationVerdict(analyze(mutation.mutated, { config: CONFIG, operation: 'CREATE' }), 'deny').violated;
  return { mutated: mutation.mutated, denied: [...new Set([...unmade, ...after].filter((r) => IMPLEMENTED.has(r)))].sort() };
}

/** What a policy may change of each kind, compared between the stored object and the webhook's. */
function judgedPart(object: KubeObject): unknown {
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  if (object.kind === 'Service') return { clusterIP: spec.clusterIP, clusterIPs: spec.clusterIPs, ipFamilies: spec.ipFamilies };
  if (object.kind === 'DaemonSet' || object.kind === 'Deployment') return containersOf(object).map((c) => ({ image: c.image, command: c.command, args: c.args, env: c.env }));
  return spec;
}

/** JSON with every object's keys sorted: the API server writes a custom resource's fields in its own order. */
function canonical(value: unknown): string {
  const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : v);
  return JSON.stringify(sorted(value));
}

test('policy: on generated objects the real API server gives the webhook\'s verdict and stores the webhook\'s object (MutatingAdmissionPolicy JSONPatches included)', async () => {
  const objects: KubeObject[] = [
    ...fc.sample(calicoNodeArb, { numRuns: 30, seed: 20 }).map((o) => ({ ...o, metadata: { ...o.metadata, name: 'canal' } })),
    ...fc.sample(kubeDnsArb, { numRuns: 20, seed: 20 }),
    ...fc.sample(serviceArb, { numRuns: 16, seed: 20 }).filter((o) => o.metadata?.namespace === 'kube-system'),
    ...fc.sample(ipPoolArb(fc.constantFrom('fd20::/112', 'fd20::1/112', 'fd30::/112', 'fd20::/122', 'fd00:10:96::/112')), { numRuns: 6, seed: 20 }).filter((o) => o.apiVersion === 'crd.projectcalico.org/v1'),
    // The API server drops status on CREATE (the status subresource), so the generated status is not sent.
    ...fc.sample(installationArb, { numRuns: 10, seed: 20 }).map(({ status: _status, ...o }) => o),
  ];
  const results = await Promise.all(objects.map(async (object) => {
    const input = object.kind === 'Service' ? service(object.spec as Record<string, unknown>).replace('"namespace":"kube-system"}', `"namespace":"kube-system"${object.metadata?.labels ? `,"labels":${JSON.stringify(object.metadata.labels)}` : ''}}`) : JSON.stringify(object);
    return { object, sent: JSON.parse(input) as KubeObject, r: await cluster.kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { input }) };
  }));
  let compared = 0;
  const mismatches: string[] = [];
  for (const { sent, r } of results) {
    if (r.stderr.includes('/needs-webhook]')) continue;
    const webhook = webhookAnswer(sent);
    const policyDenied = r.code === 0 ? [] : [...new Set([...r.stderr.matchAll(/\[([a-z0-9-]+\/[a-z0-9-]+)\]/g)].map((m) => m[1]!))].sort();
    // The API server's own checks (schema, Service address range) answer before a policy can.
    if (r.code !== 0 && policyDenied.length === 0) continue;
    compared += 1;
    // kubectl shows the first refusing validation only (validating/dispatcher.go:300-307): it must be one the webhook names.
    if ((policyDenied.length === 0) !== (webhook.denied.length === 0) || !policyDenied.every((rule) => webhook.denied.includes(rule))) {
      mismatches.push(`${sent.kind}: policy ${JSON.stringify(policyDenied)} webhook ${JSON.stringify(webhook.denied)} on ${JSON.stringify(sent)}\n${r.stderr}`);
      continue;
    }
    const stored = r.code === 0 ? canonical(judgedPart(JSON.parse(r.stdout) as KubeObject)) : '';
    if (r.code === 0 && stored !== canonical(judgedPart(webhook.mutated))) {
      mismatches.push(`${sent.kind}: stored ${stored} webhook ${canonical(judgedPart(webhook.mutated))} on ${JSON.stringify(sent)}`);
    }
  }
  assert.deepEqual(mismatches, []);
  const denied = results.filter((x) => x.r.code !== 0).length;
  assert.ok(denied > 5 && denied < results.length - 5, `${denied} of ${results.length} refused: both verdicts must be exercised`);
  assert.ok(compared >= 30, `only ${compared} of ${objects.length} compared`);
});

test('policy: kube-dns A-type probes are rewritten to SRV, and refused with the webhook\'s rule id and fix text when mutation is off', async () => {
  // The webhook's own fix of the fixture with the probes put back to A: the policies validate (but do not
  // raise) the image tags (policy --explain), so only the probe type is left to them.
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

test('policy: with mutation off, a kube-dns Service at another address is refused with the webhook\'s rule id and fix text', async () => {
  // After the previous test's helm upgrade (mutation.enabled=false): no MutatingAdmissionPolicy sets the address.
  for (const dryRun of [['--dry-run=server'], []]) {
    const r = await cluster.kubectl(['create', ...dryRun, '-f', '-'], { input: service({ clusterIP: 'fd00:10:96::b' }) });
    assert.notEqual(r.code, 0, r.stdout);
    assert.ok(r.stderr.includes('[kube-dns-service/cluster-ip] spec.clusterIP: found "fd00:10:96::b", expected "fd00:10:96::a"'), r.stderr);
    assert.ok(r.stderr.includes("Fix: the kube-dns Service must answer at the kubelet's --cluster-dns address"), r.stderr);
    assert.match(r.stderr, /ValidatingAdmissionPolicy 'calico-ipv6-webhook-kube-dns-service'/);
  }
});
