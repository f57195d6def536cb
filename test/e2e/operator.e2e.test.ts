// End to end with Calico's CRDs on a real kube-apiserver: the operator's Installation and IPPools in both
// API groups. The CRDs' own schema and CEL rules run between the mutating and validating webhooks, so the
// webhook's answers are checked against theirs as well as against kubectl's output.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ipPoolTarget } from '../../src/rules/ip-pool.js';
import { contextWith, runRule } from '../support/fixtures.js';
import type { KubeObject } from '../../src/k8s/object.js';
import { startCluster, type TestCluster } from './harness/cluster.js';
import { CRD_NAMES, installCalicoCrds } from './harness/calico-crds.js';

let cluster: TestCluster;

before(async () => {
  cluster = await startCluster();
  await installCalicoCrds(cluster);
});

after(async () => {
  await cluster?.stop();
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
