// templates/_targets.generated.tpl: what the chart takes from the target registry, so that a new target
// reaches the webhook configurations and the discovery RBAC with no chart edit. Named templates:
// `calico-ipv6-webhook.targets.rules.<mutating|validating>` (the webhook rules),
// `calico-ipv6-webhook.targets.condition.<mutating|validating>` (the matchCondition's CEL),
// `calico-ipv6-webhook.targets.matchConditions.<mutating|validating>` (the whole list, hybrid's condition included),
// `calico-ipv6-webhook.targets.rbac.<cluster|namespaced>` (discovery's read access, src/cluster/rbac.ts),
// `calico-ipv6-webhook.targets.rbac.admission` (what doctor reads to name the admission engine) and
// `calico-ipv6-webhook.targets.list` (one line naming every target's objects, for NOTES.txt).
import { readAccess, type PolicyRule } from '../cluster/rbac.js';
import { ADMISSION_READ_RULES } from '../doctor/admission-engine.js';
import { mutatingScope, webhookScope, type ScopedResource } from '../targets/scope.js';
import type { Target } from '../targets/target.js';
import { hybridWebhookCondition } from '../policy/chart-template.js';
import { targetPolicies } from '../policy/registry.js';

const quoted = (values: readonly string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
const celString = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Webhook rules: one per (group, versions, scope), resources in registry order. */
function webhookRules(scoped: readonly ScopedResource[]): string[] {
  const rules: { group: string; versions: string[]; resources: string[]; scope: string }[] = [];
  for (const r of scoped) {
    const scope = r.namespaced ? 'Namespaced' : 'Cluster';
    const same = rules.find((x) => x.group === r.group && x.versions.join() === r.versions.join() && x.scope === scope);
    if (same) same.resources.push(r.resource);
    else rules.push({ group: r.group, versions: [...r.versions], resources: [r.resource], scope });
  }
  return rules.flatMap((r) => [
    `- apiGroups: ${quoted([r.group])}`,
    `  apiVersions: ${quoted(r.versions)}`,
    `  resources: ${quoted(r.resources)}`,
    '  operations: ["CREATE", "UPDATE"]',
    `  scope: ${r.scope}`,
  ]);
}

/**
 * The objects the webhook is sent, in CEL: per resource its names (or every name), or any object a target
 * recognizes by its content. object.metadata.name, not request.name: request.name is empty on a CREATE
 * that uses generateName; the has() guards keep an object without a name from erroring.
 */
function condition(scoped: readonly ScopedResource[], targets: readonly Target[]): string[] {
  const clauses = scoped.map((r) => {
    const names = r.names === 'any' ? [] : r.names;
    const byName = r.names === 'any' ? undefined : names.length === 1 ? `object.metadata.name == ${celString(names[0] ?? '')}` : `object.metadata.name in [${names.map(celString).join(', ')}]`;
    const recognized = targets.filter((t) => t.recognizesCel !== undefined && t.resources.some((x) => x.group === r.group && x.resource === r.resource)).map((t) => `(${t.recognizesCel ?? 'false'})`);
    if (byName === undefined) return `(request.resource.group == ${celString(r.group)} && request.resource.resource == ${celString(r.resource)})`;
    const which = recognized.length > 0 ? `(${[byName, ...recognized].join(' || ')})` : byName;
    return `(request.resource.group == ${celString(r.group)} && request.resource.resource == ${celString(r.resource)} && ${which})`;
  });
  return ['object != null && has(object.metadata) && has(object.metadata.name) && (', ...clauses.map((c, i) => (i < clauses.length - 1 ? `${c} ||` : c)), ')'];
}

function rbacRules(rules: readonly PolicyRule[]): string[] {
  return rules.flatMap((r) => [
    `- apiGroups: ${quoted(r.apiGroups)}`,
    `  resources: ${quoted(r.resources)}`,
    ...(r.resourceNames ? [`  resourceNames: ${quoted(r.resourceNames)}`] : []),
    `  verbs: ${quoted(r.verbs)}`,
  ]);
}

/** `DaemonSets calico-node, canal; ConfigMap kube-proxy; IPPools (any name)`: every target's objects by kind, in registry order. */
function targetObjectsLine(targets: readonly Target[]): string {
  const byKind = new Map<string, string[] | 'any'>();
  for (const r of targets.flatMap((t) => t.resources)) {
    const names = byKind.get(r.kind) ?? [];
    if (r.names === 'any' || names === 'any') byKind.set(r.kind, 'any');
    else byKind.set(r.kind, [...names, ...r.names.filter((n) => !names.includes(n))]);
  }
  return [...byKind].map(([kind, names]) => (names === 'any' ? `${kind}s (any name)` : `${kind}${names.length > 1 ? 's' : ''} ${names.join(', ')}`)).join('; ');
}

/**
 * The webhook configuration's whole matchConditions list: the targets, and with admission.engine=hybrid the
 * condition that leaves out what the admission policies judge (src/policy/chart-template.ts
 * hybridWebhookCondition), so no object is judged twice and no template has to append to the list.
 */
function matchConditions(targetCondition: readonly string[], hybridCondition: string): string[] {
  const lines = ['matchConditions:', '  - name: calico-ipv6-webhook-targets', '    expression: >-', ...targetCondition.map((l) => `      ${l}`)];
  if (hybridCondition.includes('{{')) throw new Error('the hybrid matchCondition contains "{{"');
  return [...lines, '{{- if eq (include "calico-ipv6-webhook.engine" .) "hybrid" }}', '  - name: calico-ipv6-webhook-hybrid', `    expression: ${JSON.stringify(hybridCondition)}`, '{{- end }}'];
}

const define = (name: string, lines: readonly string[]) => [`{{- define "calico-ipv6-webhook.targets.${name}" -}}`, ...lines, '{{- end }}', ''];

/** The file's text after its generated-file header (src/generate/outputs.ts adds that). */
export function renderChartTargets(targets: readonly Target[], hybridCondition = hybridWebhookCondition(targetPolicies())): string {
  const mutating = targets.filter((t) => t.mutates);
  const access = readAccess(targets);
  return [
    '{{- /* From the target registry (src/targets/registry.ts): see src/generate/chart-targets.ts. */ -}}',
    '',
    ...define('rules.mutating', webhookRules(mutatingScope(targets))),
    ...define('rules.validating', webhookRules(webhookScope(targets))),
    ...define('condition.mutating', condition(mutatingScope(targets), mutating)),
    ...define('condition.validating', condition(webhookScope(targets), targets)),
    ...define('matchConditions.mutating', matchConditions(condition(mutatingScope(targets), mutating), hybridCondition)),
    ...define('matchConditions.validating', matchConditions(condition(webhookScope(targets), targets), hybridCondition)),
    ...define('rbac.cluster', rbacRules(access.cluster)),
    ...define('rbac.namespaced', rbacRules(access.namespaced)),
    ...define('rbac.admission', rbacRules(ADMISSION_READ_RULES)),
    ...define('list', [targetObjectsLine(targets)]),
  ].join('\n');
}
