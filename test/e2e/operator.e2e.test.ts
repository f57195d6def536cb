// End to end with Calico's CRDs on a real kube-apiserver: the operator's Installation and IPPools in both
// API groups. The CRDs' own schema and CEL rules run between the mutating and validating webhooks, so the
// webhook's answers are checked against theirs as well as against kubectl's output.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { analyze } from '../../src/engine/analyze.js';
import { validationVerdict } from '../../src/engine/verdict.js';
import { ipPoolTarget } from '../../src/targets/ippool/ippool.js';
import { contextWith, objectsOf, runRule } from '../support/fixtures.js';
import { analyzeManifest } from '../../src/manifests/manifest-file.js';
import type { KubeObject } from '../../src/k8s/object.js';
import { makeServingCert, startCluster, type ServingCert, type TestCluster } from './harness/cluster.js';
import { CRD_NAMES, installCalicoCrds } from './harness/calico-crds.js';
import { VALIDATING_WEBHOOK, renderWebhookConfigurations, startWebhook, writeConfig, type WebhookProcess } from './harness/webhook.js';
import { REPO_ROOT } from '../support/repo-root.js';

const OPERATOR = join(process.env.REAL_FIXTURES_DIR ?? join(REPO_ROOT, '../shared/fixtures/real'), 'operator');
const BASE_CONFIG = {
  mode: 'ipv6-only', podCIDR: 'fd20::/112', serviceCIDR: 'fd00:10:96::/112', clusterDNS: 'fd00:10:96::a',
  routerID: 'hash', kubeDNS: { minImageVersion: '1.14.8' }, calicoVersion: 'auto', validationAction: 'deny',
};

let cluster: TestCluster;
let webhook: WebhookProcess | undefined;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'calico-ipv6-webhook-operator-e2e-'));
  cluster = await startCluster();
  await installCalicoCrds(cluster);
});

after(async () => {
  await webhook?.stop();
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function ipPool(apiVersion: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion, kind: 'IPPool', metadata: { name }, spec };
}

/** What the API server alone (schema and CEL, no webhook for IPPools) says about an object. */
async function serverDryRun(object: KubeObject, verb: 'create' | 'apply' = 'create') {
  const args = verb === 'create' ? ['create', '--dry-run=server', '-f', '-'] : ['apply', '--server-side', '--force-conflicts', '--dry-run=server', '-f', '-'];
  return cluster.kubectl(args, { input: JSON.stringify(object) });
}

const API_VERSIONS = ['crd.projectcalico.org/v1', 'projectcalico.org/v3'];

describe('Calico CRDs on the API server', () => {
  test('the Installation CRD (server-side apply) and both IPPool CRDs are served', async () => {
    for (const name of Object.values(CRD_NAMES)) {
      const r = await cluster.kubectl(['get', 'crd', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
      assert.equal(r.stdout, 'True', `${name}: ${r.stderr}`);
    }
  });

  // Pools the v3.32.1 CRDs judge on their own, and what the webhook says about the same pools.
  const cases: { name: string; spec: Record<string, unknown>; crd?: RegExp; webhook?: string }[] = [
    { name: 'good', spec: { cidr: 'fd20::/112', blockSize: 122, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true } },
    { name: 'ipip', spec: { cidr: 'fd20::/112', ipipMode: 'Always', natOutgoing: true }, crd: /IPIP is not supported on IPv6 pools/, webhook: 'ippool/ipip' },
    { name: 'ipip-and-vxlan', spec: { cidr: 'fd20::/112', ipipMode: 'CrossSubnet', vxlanMode: 'Always', natOutgoing: true }, crd: /ipipMode and vxlanMode cannot both be enabled/, webhook: 'ippool/ipip' },
    { name: 'block-too-big', spec: { cidr: 'fd20::/112', blockSize: 129, natOutgoing: true }, crd: /spec\.blockSize: Invalid value: 129: spec\.blockSize in body should be less than or equal to 128/, webhook: 'ippool/block-size' },
  ];

  for (const apiVersion of API_VERSIONS) {
    test(`${apiVersion}: the CRD's rules and the webhook's do not contradict each other`, async () => {
      for (const c of cases) {
        const object = ipPool(apiVersion, `cel-${c.name}`, c.spec);
        const server = await serverDryRun(object);
        const judged = runRule(ipPoolTarget, object, contextWith()).analysis.validation.problems;
        if (c.crd) {
          assert.notEqual(server.code, 0, `${c.name}: the CRD admits it`);
          assert.match(server.stderr, c.crd, c.name);
          assert.ok(judged.some((p) => p.rule === c.webhook), `${c.name}: the webhook admits what the CRD refuses`);
        } else {
          assert.equal(server.code, 0, `${c.name}: ${server.stderr}`);
          assert.deepEqual(judged, [], c.name);
        }
        // The webhook's reason for IPIP repeats the CRD's words, so the two never read as different rules.
        if (c.name === 'ipip') assert.ok(judged[0]?.fix.includes('IPIP is not supported on IPv6 pools'));
      }
    });

    test(`${apiVersion}: cidr and blockSize changes are refused by the CRD with the words the webhook uses`, async () => {
      const name = `immutable-${apiVersion.split('/')[0]?.split('.')[0] ?? 'x'}`;
      const created = await cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(ipPool(apiVersion, name, { cidr: 'fd20::/112', blockSize: 122, natOutgoing: true })) });
      assert.equal(created.code, 0, created.stderr);
      const old = ipPool(apiVersion, name, { cidr: 'fd20::/112', blockSize: 122, natOutgoing: true });
      const changed = ipPool(apiVersion, name, { cidr: 'fd20::/116', blockSize: 124, natOutgoing: true });
      const server = await serverDryRun(changed, 'apply');
      assert.notEqual(server.code, 0);
      const judged = runRule(ipPoolTarget, changed, contextWith({ operation: 'UPDATE', oldObject: old })).analysis.validation.problems;
      for (const [crdWords, rule] of [['CIDR cannot be changed; follow IP pool migration guide to avoid corruption.', 'ippool/cidr-immutable'], ['Block size cannot be changed; follow IP pool migration guide to avoid corruption.', 'ippool/block-size-immutable']] as const) {
        assert.ok(server.stderr.includes(crdWords), server.stderr);
        assert.ok(judged.find((p) => p.rule === rule)?.fix.startsWith(crdWords), rule);
      }
      await cluster.kubectl(['delete', 'ippools.' + (apiVersion.split('/')[0] ?? ''), name]);
    });
  }
});

describe('through the webhook', () => {
  let cert: ServingCert;
  let configPath: string;

  /** (Re)starts the webhook with this configuration and registers it by URL through the chart's template. */
  async function serve(config: Record<string, unknown>): Promise<void> {
    await webhook?.stop();
    await writeConfig(configPath, config);
    webhook = await startWebhook({ cert, configPath });
    const yaml = await renderWebhookConfigurations(cluster, { url: webhook.url, caPem: cert.caPem, namespaces: ['kube-system'] });
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: yaml });
    assert.equal(r.code, 0, r.stderr);
  }

  async function storedPools(): Promise<{ pools: Record<string, unknown>[]; network: Record<string, unknown> }> {
    const r = await cluster.kubectl(['get', 'installation', 'default', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const network = (JSON.parse(r.stdout) as { spec: { calicoNetwork: Record<string, unknown> } }).spec.calicoNetwork;
    return { pools: network.ipPools as Record<string, unknown>[], network };
  }

  before(async () => {
    cert = await makeServingCert(join(dir, 'tls'), { ipSans: ['127.0.0.1'], dnsSans: ['localhost'] });
    configPath = join(dir, 'config.yaml');
    await serve(BASE_CONFIG);
  });

  const V6_POOL = { cidr: 'fd20::/112', blockSize: 122, encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()' };
  const V4_POOL = { name: 'default-ipv4-ippool', blockSize: 26, cidr: '192.168.0.0/16', encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()' };
  const modes = [
    { mode: 'ipv6-only', config: BASE_CONFIG, pools: [V6_POOL] },
    { mode: 'dual-stack', config: { ...BASE_CONFIG, mode: 'dual-stack', ipv4PodCIDR: '192.168.0.0/16' }, pools: [V4_POOL, V6_POOL] },
  ];

  for (const { mode, config, pools: expected } of modes) {
    test(`kubectl apply of a real custom-resources.yaml is stored with the IPv6 pool (${mode}), as fix writes it`, async () => {
      await serve(config);
      await cluster.kubectl(['delete', 'installation', 'default', '--ignore-not-found']);
      const file = join(OPERATOR, 'custom-resources-v3.29.0.yaml');
      const r = await cluster.kubectl(['apply', '-f', file]);
      assert.equal(r.code, 0, r.stderr);
      const { pools, network } = await storedPools();
      // The CRD's schema default (disableBGPExport: false) is added by the API server after the webhooks.
      assert.deepEqual(pools, expected.map((p) => ({ ...p, disableBGPExport: false })));
      assert.deepEqual(network.nodeAddressAutodetectionV6, { firstFound: true });
      if (mode === 'ipv6-only') assert.match(r.stderr, /Warning: Installation default: IPv4 pool default-ipv4-ippool \(192\.168\.0\.0\/16\) removed/);
      // Applying the same file again changes nothing that is stored.
      const again = await cluster.kubectl(['apply', '-f', file]);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual((await storedPools()).pools, pools);
      // The offline door gives the same Installation.
      const fixed = analyzeManifest(readFileSync(file, 'utf8'), loadConfig({ flags: { mode: config.mode, ...('ipv4PodCIDR' in config ? { ipv4PodCIDR: config.ipv4PodCIDR } : {}) } }));
      const installation = objectsOf(fixed.fixedText).find((o) => o.kind === 'Installation');
      assert.deepEqual((installation?.spec as { calicoNetwork: { ipPools: unknown } }).calicoNetwork.ipPools, expected);
    });
  }

  for (const apiVersion of API_VERSIONS) {
    test(`${apiVersion}: a bad IPPool is refused and kubectl prints the reason word for word; a good one is stored`, async () => {
      await serve(BASE_CONFIG);
      const bad = ipPool(apiVersion, 'outside-pod-cidr', { cidr: 'fd30::/124', natOutgoing: true });
      const expected = validationVerdict(analyze(structuredClone(bad), { config: loadConfig({ flags: { podCIDR: 'fd20::/112' } }), operation: 'CREATE' }), 'deny').message;
      assert.ok(expected, 'the webhook refuses it offline too');
      const refused = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
      assert.notEqual(refused.code, 0);
      assert.ok(refused.stderr.includes(`admission webhook "${VALIDATING_WEBHOOK}" denied the request: ${expected}`), refused.stderr);
      assert.match(expected, /IPPool outside-pod-cidr does not meet the IPv6 rules \(2 problems\)/);

      const good = ipPool(apiVersion, `good-${apiVersion.split('.')[0] ?? ''}`, { cidr: 'fd20::/112', natOutgoing: true });
      const stored = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(good) });
      assert.equal(stored.code, 0, stored.stderr);
      const back = await cluster.kubectl(['get', `ippools.${apiVersion.split('/')[0] ?? ''}`, good.metadata?.name ?? '', '-o', 'jsonpath={.spec.cidr}']);
      assert.equal(back.stdout, 'fd20::/112');
    });
  }
});
