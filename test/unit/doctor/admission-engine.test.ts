// doctor's admission.engine and admission.policies-bound items: which engine is installed (webhook,
// policy, hybrid, or two engines judging the same objects), and policies without a binding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { main } from '../../../src/cli/main.js';
import { admissionEngineChecks, readAdmissionObjects } from '../../../src/doctor/admission-engine.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { ApiError } from '../../../src/cluster/client.js';
import { FakeReader } from '../cluster/support.js';

async function policyObjects(args: string[] = []): Promise<KubeObject[]> {
  let out = '';
  const io = { stdout: (l: string) => { out += `${l}\n`; }, stdoutRaw: (d: string | Uint8Array) => { out += String(d); }, stderr: () => {}, readStdin: () => '', env: {} };
  assert.equal(await main(['policy', ...args], io), 0);
  return parseAllDocuments(out).map((d) => d.toJS() as KubeObject);
}

const webhook = (kind: string, hybrid: boolean): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name: 'calico-ipv6-webhook' },
  webhooks: [{ name: 'validate.calico-ipv6-webhook.projectcalico.org', matchConditions: [{ name: 'calico-ipv6-webhook-targets' }, ...(hybrid ? [{ name: 'calico-ipv6-webhook-hybrid' }] : [])] }],
} as KubeObject);

async function verdict(objects: KubeObject[]): Promise<Record<string, string>> {
  const checks = admissionEngineChecks(await readAdmissionObjects(new FakeReader(objects)));
  return Object.fromEntries(checks.map((c) => [c.id, `${c.status}: ${c.evidence}`]));
}

test('doctor names the engine: webhook, policy (what `policy` prints), hybrid', async () => {
  assert.match((await verdict([webhook('ValidatingWebhookConfiguration', false)]))['admission.engine'] ?? '', /^pass: engine webhook/);
  const policy = await verdict(await policyObjects());
  assert.match(policy['admission.engine'] ?? '', /^pass: engine policy: ValidatingAdmissionPolicy calico-ipv6-webhook-calico-node/);
  assert.match(policy['admission.policies-bound'] ?? '', /^pass: \d+ policies, each with a binding/);
  const hybrid = await verdict([...await policyObjects(['--engine', 'hybrid', '--mutating-api-version', 'v1beta1']), webhook('MutatingWebhookConfiguration', true), webhook('ValidatingWebhookConfiguration', true)]);
  assert.match(hybrid['admission.engine'] ?? '', /^pass: engine hybrid/);
});

test('doctor fails two engines judging the same objects, and a policy nobody binds', async () => {
  const both = await verdict([...await policyObjects(), webhook('ValidatingWebhookConfiguration', false)]);
  assert.match(both['admission.engine'] ?? '', /^fail: .*judged twice/);
  const unbound = (await policyObjects()).filter((o) => !(o.kind === 'ValidatingAdmissionPolicyBinding' && o.metadata?.name === 'calico-ipv6-webhook-kube-dns'));
  assert.match((await verdict(unbound))['admission.policies-bound'] ?? '', /^fail: no binding references ValidatingAdmissionPolicy calico-ipv6-webhook-kube-dns,/);
  assert.match((await verdict([]))['admission.engine'] ?? '', /^unknown: no calico-ipv6-webhook/);
});

test('doctor says unknown when it may not list admission objects', async () => {
  const reader = new FakeReader([], { fail: { 'ValidatingAdmissionPolicy (any name)': new ApiError(403, 'HTTP 403: validatingadmissionpolicies is forbidden') } });
  const checks = admissionEngineChecks(await readAdmissionObjects(reader));
  assert.deepEqual(checks.map((c) => c.status), ['unknown', 'unknown']);
  assert.match(checks[0]?.evidence ?? '', /forbidden/);
});
