// Adding a target is a folder and one registry line: a throwaway target (test/fixtures/targets/felix-configuration/)
// added to a copy of the registry reaches the chart through the generated templates/_targets.generated.tpl
// alone: the webhook rules, the matchCondition and the discovery RBAC take it in, and no other chart file changes.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Environment as CelEnvironment } from '@marcbachmann/cel-js';
import { renderChartTargets } from '../../src/generate/chart-targets.js';
import { GENERATED_FILES } from '../../src/generate/outputs.js';
import { TARGETS } from '../../src/targets/registry.js';
import { felixConfigurationTarget } from '../fixtures/targets/felix-configuration/felix-configuration.js';
import { CHART_DIR, HELM_VERSIONS, NAMESPACE, findAll, helm, parseObjects, type K8sObject } from './helm.js';

interface Rule { apiGroups?: string[]; apiVersions?: string[]; resources?: string[]; resourceNames?: string[]; verbs?: string[]; scope?: string }
interface Webhook { rules: Rule[]; matchConditions: { expression: string }[] }

const GENERATED = 'charts/calico-ipv6-webhook/templates/_targets.generated.tpl';
const CEL = new CelEnvironment().registerVariable('object', 'dyn').registerVariable('oldObject', 'dyn').registerVariable('request', 'map');

/** The chart rendered with the generated file written from these targets, in a copy of the chart. */
function chartWith(targets: typeof TARGETS, dir: string): K8sObject[] {
  const chart = join(dir, 'chart');
  cpSync(CHART_DIR, chart, { recursive: true });
  writeFileSync(join(chart, 'templates/_targets.generated.tpl'), renderChartTargets(targets));
  // The copy's generated file is the only one that differs from the committed chart.
  return parseObjects(helm(HELM_VERSIONS[HELM_VERSIONS.length - 1] ?? 4, ['template', 'r', chart, '-n', NAMESPACE, '--set', 'discovery.enabled=true']).stdout);
}

const webhookOf = (objects: K8sObject[], kind: string) => (findAll(objects, kind)[0] as unknown as { webhooks: Webhook[] }).webhooks[0] as Webhook;
const sends = (hook: Webhook, group: string, resource: string, name: string) =>
  CEL.evaluate(hook.matchConditions[0]?.expression ?? '', { object: { metadata: { name } }, oldObject: null, request: { resource: { group, version: 'v1', resource } } }) === true;
const ruleFor = (rules: Rule[], group: string, resource: string) => rules.find((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource));

describe('a new target reaches the chart through the generated file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'civ6-new-target-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the generated file is the one npm run generate writes from the registry', () => {
    assert.ok(GENERATED_FILES.some((f) => f.path === GENERATED && f.render().endsWith(renderChartTargets(TARGETS))));
  });

  it('webhook rules, matchConditions and RBAC take in the throwaway target, and only it', () => {
    const before = chartWith(TARGETS, join(dir, 'before'));
    const withIt = chartWith([...TARGETS, felixConfigurationTarget], join(dir, 'after'));
    for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
      const was = webhookOf(before, kind);
      const is = webhookOf(withIt, kind);
      assert.equal(ruleFor(was.rules, 'crd.projectcalico.org', 'felixconfigurations'), undefined, kind);
      // Merged into the rule of its group, version and scope (the validating webhook's IPPool rule).
      const rule = ruleFor(is.rules, 'crd.projectcalico.org', 'felixconfigurations');
      assert.deepEqual([rule?.apiVersions, rule?.scope, rule?.resources?.at(-1)], [['v1'], 'Cluster', 'felixconfigurations'], kind);
      assert.equal(sends(was, 'crd.projectcalico.org', 'felixconfigurations', 'default'), false, kind);
      assert.equal(sends(is, 'crd.projectcalico.org', 'felixconfigurations', 'default'), true, kind);
      assert.equal(sends(is, 'crd.projectcalico.org', 'felixconfigurations', 'node.node1'), false, `${kind}: only the names it owns`);
      // The targets already there are still sent.
      assert.equal(sends(is, '', 'configmaps', 'calico-config'), true, kind);
    }
    const clusterRole = (objects: K8sObject[]) => (findAll(objects, 'ClusterRole').find((o) => o.metadata.name.endsWith('-discovery-nodes')) as unknown as { rules: Rule[] }).rules;
    // Discovery already lists and watches every FelixConfiguration (programClusterRoutes); the target adds its get by name.
    const felixRules = (objects: K8sObject[]) => clusterRole(objects).filter((r) => r.apiGroups?.includes('crd.projectcalico.org') && r.resources?.includes('felixconfigurations'));
    const discovery = { apiGroups: ['crd.projectcalico.org'], resources: ['felixconfigurations'], verbs: ['list', 'watch'] };
    assert.deepEqual(felixRules(before), [discovery]);
    assert.deepEqual(felixRules(withIt), [discovery, { apiGroups: ['crd.projectcalico.org'], resources: ['felixconfigurations'], resourceNames: ['default'], verbs: ['get'] }]);
    // Nothing else in the rendered chart differs but the objects that carry the targets.
    const others = (objects: K8sObject[]) => JSON.stringify(objects.filter((o) => !/WebhookConfiguration$/.test(o.kind) && o.kind !== 'ClusterRole' && o.kind !== 'ConfigMap'));
    assert.equal(others(withIt), others(before));
  });
});
