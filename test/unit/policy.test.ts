// The policy command: four kinds of objects per mutating target, messages in the webhook's words, and
// every webhook rule accounted for by --explain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { main } from '../../src/cli/main.js';
import { coverage, webhookRules } from '../../src/policy/coverage.js';
import { targetPolicies } from '../../src/policy/registry.js';

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io = { stdout: (l: string) => { out += `${l}\n`; }, stdoutRaw: (d: string | Uint8Array) => { out += String(d); }, stderr: () => {}, readStdin: () => '', env: {} };
  const code = await main(['policy', ...args], io);
  return { code, out };
}

test('policy prints the params, ValidatingAdmissionPolicy, MutatingAdmissionPolicy and both bindings', async () => {
  const { code, out } = await run([]);
  assert.equal(code, 0);
  const kinds = parseAllDocuments(out).map((d) => (d.toJS() as { kind: string }).kind);
  for (const kind of ['ConfigMap', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding']) assert.ok(kinds.includes(kind), kind);
});

test('policy --mutating-api-version v1beta1 and --engine hybrid bind only calico-node and kube-dns', async () => {
  const { out } = await run(['--engine', 'hybrid', '--mutating-api-version', 'v1beta1']);
  const docs = parseAllDocuments(out).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } });
  assert.ok(docs.filter((d) => d.kind === 'MutatingAdmissionPolicy').every((d) => d.apiVersion === 'admissionregistration.k8s.io/v1beta1'));
  assert.deepEqual([...new Set(docs.filter((d) => d.kind === 'ValidatingAdmissionPolicy').map((d) => d.metadata.name))], ['calico-ipv6-webhook-calico-node', 'calico-ipv6-webhook-kube-dns']);
});

test('every message carries a rule id and the fix text of the webhook', () => {
  for (const policy of targetPolicies()) for (const v of policy.validations) assert.ok(v.message.startsWith(`'[${v.rule}] '`), v.rule);
});

test('policy --explain names every webhook rule, and each rule the policies do not implement says why', async () => {
  const { out } = await run(['--explain']);
  for (const rule of webhookRules()) assert.ok(out.includes(rule), rule);
  for (const row of coverage()) if (row.policy === '-') assert.ok(row.why, `${row.rule} has no reason`);
});
