// The policy engine on a real kube-apiserver, with no webhook running: the `policy` command's
// ValidatingAdmissionPolicies and MutatingAdmissionPolicies correct and refuse calico-node as the webhook does.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { startCluster, type TestCluster } from './harness/cluster.js';
import { daemonSetEnv } from './harness/kube.js';
import { kubernetesTarget } from './harness/kubernetes.js';
import { main } from '../../src/cli/main.js';

let cluster: TestCluster;

function policyYaml(args: string[] = []): Promise<string> {
  let out = '';
  const io = { stdout: (l: string) => { out += `${l}\n`; }, stdoutRaw: (d: string | Uint8Array) => { out += String(d); }, stderr: () => {}, readStdin: () => '', env: {} };
  return main(['policy', ...args], io).then(() => out);
}

function calicoNode(env: Record<string, string>, image = 'calico/node:v3.30.0', name = 'calico-node'): string {
  return stringify({
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'kube-system' },
    spec: { selector: { matchLabels: { k8s: name } }, template: { metadata: { labels: { k8s: name } }, spec: { containers: [{ name: 'calico-node', image, env: Object.entries(env).map(([n, value]) => ({ name: n, value })) }] } } },
  });
}

before(async () => {
  // MutatingAdmissionPolicy is v1 from 1.36; on 1.35 it is v1beta1, which the harness enables there
  // (the feature gate and --runtime-config in test/e2e/kubernetes-versions.json).
  const beta = Number(kubernetesTarget().minor.split('.')[1]) < 36;
  cluster = await startCluster();
  const r = await cluster.kubectl(['apply', '-f', '-'], { input: await policyYaml(beta ? ['--mutating-api-version', 'v1beta1'] : []) });
  assert.equal(r.code, 0, r.stderr);
  // Policies take effect once the API server's informers have them: wait until a server dry run is mutated.
  for (let i = 0; i < 60; i += 1) {
    const probe = await cluster.kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { input: calicoNode({}) });
    if (probe.code === 0 && probe.stdout.includes('CALICO_IPV6POOL_CIDR')) return;
    await new Promise((res) => setTimeout(res, 500));
  }
  assert.fail('the policies never took effect');
});

after(async () => {
  await cluster?.stop();
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
  });
}

test('policy: what only the webhook can judge is refused as needs-webhook, never admitted unjudged', async () => {
  const viaConfigMap = JSON.parse(JSON.stringify((await import('yaml')).parse(calicoNode({}, 'calico/node:v3.30.0', 'canal')))) as {
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
