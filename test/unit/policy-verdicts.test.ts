// The policy engine and the webhook give the same verdict: the generated ValidatingAdmissionPolicies,
// evaluated as CEL (cel-js with Kubernetes' IP/CIDR library shimmed, test/support/cel-net.ts), deny exactly
// the rules the webhook's validating answer names, on the fixtures and on generated calico-node DaemonSets
// and IPPools, for every rule both implement. Mutation off: the validating webhook judges the object as sent.
// The MutatingAdmissionPolicies' JSONPatch expressions are not evaluated here (cel-js has no JSONPatch type);
// the e2e suite runs them on a real API server.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Environment } from '@marcbachmann/cel-js';
import { parseAllDocuments } from 'yaml';
import { analyze } from '../../src/engine/analyze.js';
import { formatFinding, validationVerdict } from '../../src/engine/verdict.js';
import { summarize } from '../../src/engine/summary.js';
import type { WebhookConfig } from '../../src/config/types.js';
import type { KubeObject } from '../../src/k8s/object.js';
import { validatingPolicy, type ManifestOptions } from '../../src/policy/manifest.js';
import { policyParams } from '../../src/policy/params.js';
import { targetPolicies } from '../../src/policy/registry.js';
import type { TargetPolicy } from '../../src/policy/model.js';
import { withNetLibrary } from '../support/cel-net.js';
import { configWith } from '../support/fixtures.js';
import { calicoNodeArb, CIDRS, installationArb, ipPoolArb, kubeDnsArb, serviceArb } from '../support/policy-objects.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
const CEL = withNetLibrary(new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true }));
const OPTIONS: ManifestOptions = { name: 'p', namespace: 'kube-system', mutatingApiVersion: 'admissionregistration.k8s.io/v1', validationAction: 'Deny', namespaces: ['kube-system'], engine: 'policy', mutation: false };

const CONFIGS: WebhookConfig[] = [
  configWith(), configWith({ routerID: 'require' }), configWith({ mode: 'dual-stack' }),
  configWith({ calicoVersion: 'v3.20.0', podCIDR: 'fd20::/64' }), configWith({ calicoVersion: 'v3.5.0' }),
];

interface PolicySpec {
  matchConditions: { expression: string }[];
  variables: { name: string; expression: string }[];
  validations: { expression: string; messageExpression: string }[];
}

/** The API server compiles each variable with only the earlier ones declared (an "undefined field" error otherwise). */
function assertDeclaredInOrder(variables: readonly { name: string; expression: string }[]): void {
  variables.forEach((v, i) => {
    for (const [, used] of v.expression.matchAll(/variables\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
      assert.ok(variables.slice(0, i).some((x) => x.name === used), `variable ${v.name} uses ${used ?? ''} before it is declared`);
    }
  });
}

type PolicyVerdict = { judged: false } | { judged: true; denied: string[] };

/**
 * The API server's evaluation of one ValidatingAdmissionPolicy: matchConditions, then every validation;
 * variables are lazy as in Kubernetes (an unused variable's error does not matter), and an error in a
 * validation is a denial (failurePolicy Fail), reported as `error`.
 */
function evaluatePolicy(policy: TargetPolicy, object: KubeObject, config: WebhookConfig, oldObject?: KubeObject): PolicyVerdict {
  const spec = validatingPolicy(policy, OPTIONS).spec as unknown as PolicySpec;
  assertDeclaredInOrder(spec.variables);
  const variables: Record<string, unknown> = {};
  const context = { object, oldObject: oldObject ?? null, params: { data: policyParams(config, 'policy') }, request: { operation: oldObject ? 'UPDATE' : 'CREATE' }, variables };
  for (const v of spec.variables) {
    let cached: { value: unknown } | undefined;
    Object.defineProperty(variables, v.name, { enumerable: true, get: () => (cached ??= { value: CEL.evaluate(v.expression, context) }).value });
  }
  if (!spec.matchConditions.every((m) => CEL.evaluate(m.expression, context) === true)) return { judged: false };
  const denied: string[] = [];
  for (const x of spec.validations) {
    let ok: unknown;
    try {
      ok = CEL.evaluate(x.expression, context);
    } catch (error) {
      denied.push(`error: ${(error as Error).message}`);
      continue;
    }
    if (ok !== true) denied.push(/^\[([^\]]+)\]/.exec(String(CEL.evaluate(x.messageExpression, context)))?.[1] ?? 'no rule id');
  }
  return { judged: true, denied: [...new Set(denied)].sort() };
}

/** The webhook's validating answer, restricted to the rules the policy implements. */
function webhookDenied(policy: TargetPolicy, object: KubeObject, config: WebhookConfig, oldObject?: KubeObject): string[] {
  const implemented = new Set(policy.validations.map((v) => v.rule));
  const verdict = validationVerdict(analyze(object, { config, operation: oldObject ? 'UPDATE' : 'CREATE', oldObject }), 'deny');
  return [...new Set(verdict.violated.filter((r) => implemented.has(r)))].sort();
}

const policyFor = (id: string) => targetPolicies().find((p) => p.target.id === id)!;

/** Compares both on one object; objects the policy hands to the webhook (needs-webhook) are not compared. */
function assertSameVerdict(policy: TargetPolicy, object: KubeObject, config: WebhookConfig, oldObject?: KubeObject): 'compared' | 'skipped' {
  const p = evaluatePolicy(policy, object, config, oldObject);
  if (!p.judged || p.denied.includes(`${policy.target.id}/needs-webhook`)) return 'skipped';
  assert.deepEqual(p.denied, webhookDenied(policy, object, config, oldObject), `${policy.target.id} on ${JSON.stringify(object)}${oldObject ? ` (old ${JSON.stringify(oldObject)})` : ""} with ${JSON.stringify(policyParams(config, 'policy'))}`);
  return 'compared';
}

function fixtures(dir: string): KubeObject[] {
  const path = join(import.meta.dirname, '../fixtures', dir);
  return readdirSync(path).filter((f) => f.endsWith('.yaml')).flatMap((f) => parseAllDocuments(readFileSync(join(path, f), 'utf8')).map((d) => d.toJS() as KubeObject).filter((o) => o?.kind));
}

const DUAL_CONFIG = configWith({ mode: 'dual-stack', ipv4PodCIDR: '10.77.0.0/16' });

void describe('policy and webhook: the same verdict', () => {
  void it('on the calico-node and IPPool fixtures, under every configuration', () => {
    let compared = 0;
    for (const config of CONFIGS) {
      for (const object of fixtures('calico-node')) if (assertSameVerdict(policyFor('calico-node'), object, config) === 'compared') compared += 1;
      for (const object of fixtures('ippool')) if (assertSameVerdict(policyFor('ippool'), object, config) === 'compared') compared += 1;
    }
    assert.ok(compared >= 20, `only ${compared} fixture verdicts compared`);
  });

  void it('on generated calico-node DaemonSets', () => {
    let compared = 0;
    fc.assert(fc.property(calicoNodeArb, fc.constantFrom(...CONFIGS), (object, config) => {
      if (assertSameVerdict(policyFor('calico-node'), object, config) === 'compared') compared += 1;
    }), { numRuns: RUNS });
    assert.ok(compared > RUNS / 2, `only ${compared} of ${RUNS} compared`);
  });

  void it('on generated IPPools, created and updated', () => {
    fc.assert(fc.property(ipPoolArb(fc.constantFrom(...CIDRS)), fc.option(ipPoolArb(fc.constantFrom(...CIDRS)), { nil: undefined }), fc.constantFrom(...CONFIGS), (object, old, config) => {
      assert.equal(assertSameVerdict(policyFor('ippool'), object, config, old), 'compared');
    }), { numRuns: RUNS });
  });

  void it('on the kube-dns Service fixtures and generated Services, created and updated', () => {
    for (const config of [...CONFIGS, DUAL_CONFIG]) for (const object of fixtures('kube-dns').filter((o) => o.kind === 'Service')) assert.equal(assertSameVerdict(policyFor('kube-dns-service'), object, config), 'compared');
    let compared = 0;
    fc.assert(fc.property(serviceArb, fc.option(serviceArb, { nil: undefined }), fc.constantFrom(configWith(), DUAL_CONFIG), (object, old, config) => {
      if (assertSameVerdict(policyFor('kube-dns-service'), object, config, old) === 'compared') compared += 1;
    }), { numRuns: RUNS });
    assert.ok(compared > RUNS / 3, `only ${compared} of ${RUNS} compared`);
  });

  void it('on the Installation fixtures and generated Installations, created and updated', () => {
    for (const config of [...CONFIGS, DUAL_CONFIG]) for (const object of fixtures('operator')) assert.equal(assertSameVerdict(policyFor('installation'), object, config), 'compared');
    fc.assert(fc.property(installationArb, fc.option(installationArb, { nil: undefined }), fc.constantFrom(configWith(), DUAL_CONFIG, configWith({ calicoVersion: 'v3.22.0' })), (object, old, config) => {
      assert.equal(assertSameVerdict(policyFor('installation'), object, config, old), 'compared');
    }), { numRuns: RUNS });
  });

  void it('on the kube-dns Deployment fixtures and generated kube-dns Deployments', () => {
    for (const object of fixtures('kube-dns').filter((o) => o.kind === 'Deployment')) assertSameVerdict(policyFor('kube-dns'), object, configWith());
    let compared = 0;
    fc.assert(fc.property(kubeDnsArb, (object) => {
      if (assertSameVerdict(policyFor('kube-dns'), object, configWith()) === 'compared') compared += 1;
    }), { numRuns: RUNS });
    assert.ok(compared > RUNS / 2, `only ${compared} of ${RUNS} compared`);
  });

  void it('an IPv4-mapped pool is refused by both, in the same words (IPPool and the Installation\'s pools)', () => {
    const config = configWith();
    for (const [id, object] of [
      ['ippool', { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '::ffff:192.168.0.0/112' } }],
      ['installation', { apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec: { calicoNetwork: { ipPools: [{ cidr: 'fd20::/112' }, { cidr: '::ffff:192.168.0.0/112' }], nodeAddressAutodetectionV6: { firstFound: true } } } }],
    ] as [string, KubeObject][]) {
      const spec = validatingPolicy(policyFor(id), OPTIONS).spec as unknown as PolicySpec;
      const variables: Record<string, unknown> = {};
      const context = { object, oldObject: null, params: { data: policyParams(config, 'policy') }, request: { operation: 'CREATE' }, variables };
      for (const v of spec.variables) {
        let cached: { value: unknown } | undefined;
        Object.defineProperty(variables, v.name, { enumerable: true, get: () => (cached ??= { value: CEL.evaluate(v.expression, context) }).value });
      }
      const messages = spec.validations.filter((x) => CEL.evaluate(x.expression, context) !== true).map((x) => String(CEL.evaluate(x.messageExpression, context)));
      const webhook = summarize(analyze(object, { config, operation: 'CREATE' })).problems.map(formatFinding);
      assert.deepEqual(messages, webhook);
      assert.match(messages[0] ?? '', /IPv4-mapped IPv6 range: .*write 192\.168\.0\.0\/16 for an IPv4 pool/);
    }
  });
});
