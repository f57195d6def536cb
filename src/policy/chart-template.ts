// The policy engine's objects as a Helm template (charts/calico-ipv6-webhook/templates/policies.generated.yaml):
// the same objects `policy` prints, rendered with placeholders that become Helm actions (release name,
// namespace, labels, values, the MutatingAdmissionPolicy apiVersion the cluster serves), so chart and CLI
// cannot drift. Also the hybrid engine's matchCondition for the webhook configurations (rendered into
// _targets.generated.tpl by src/generate/chart-targets.ts), from the same `match` and `webhookOnly`
// predicates the policies use, so no object is judged twice.
import { stringify } from 'yaml';
import type { KubeObject } from '../k8s/object.js';
import type { TargetPolicy } from './model.js';
import { bindings, mutatingPolicy, paramsConfigMap, validatingPolicy, type ManifestOptions } from './manifest.js';
import type { ParamKey } from './params.js';
import { HYBRID_TARGETS } from './registry.js';

const FULLNAME = 'CHARTFULLNAME';
const NAMESPACE = 'CHARTNAMESPACE';
const MAP_VERSION = 'CHARTMAPVERSION';
const VALIDATION_ACTION = 'CHARTVALIDATIONACTION';
const NAMESPACES = 'CHARTNAMESPACES';
const LABELS = 'CHARTLABELS';
const PARAM = (key: ParamKey) => `CHARTPARAM${key}`;

/** Each params key as the chart computes it from its values: the same values the webhook's config.yaml gets. */
const PARAM_VALUES: Record<ParamKey, string> = {
  mode: '.Values.config.mode | toString',
  podCIDR: '.Values.config.podCIDR | toString',
  serviceCIDR: '.Values.config.serviceCIDR | toString',
  clusterDNS: '.Values.config.clusterDNS | toString',
  routerID: '.Values.config.routerID | toString',
  // `auto` is the empty string to the policies (read the image tag, else the newest release).
  calicoVersion: 'ternary "" (toString .Values.config.calicoVersion) (eq (toString .Values.config.calicoVersion) "auto")',
  minImageVersion: '.Values.config.kubeDNS.minImageVersion | toString',
  ipv4PodCIDR: '.Values.config.ipv4PodCIDR | default "" | toString',
  ipv6NATOutgoing: '.Values.config.ipv6NATOutgoing | toString',
  engine: '.Values.admission.engine',
};

const OPTIONS: ManifestOptions = {
  name: FULLNAME,
  namespace: NAMESPACE,
  mutatingApiVersion: MAP_VERSION as ManifestOptions['mutatingApiVersion'],
  validationAction: VALIDATION_ACTION as ManifestOptions['validationAction'],
  namespaces: [NAMESPACES],
  engine: 'policy',
  mutation: true,
};

function labelled(object: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, labels: LABELS as unknown as Record<string, string> } };
}

/** One object as a Helm template document. */
function yamlOf(object: KubeObject): string {
  return toHelm(`---\n${stringify(labelled(object), { lineWidth: 0 })}`);
}

/** The placeholders as Helm actions; the rest of the text is passed through Helm unchanged. */
function toHelm(text: string): string {
  if (text.includes('{{')) throw new Error('a generated policy contains "{{", which Helm would read as an action');
  return text
    .replace(/^( *)labels: CHARTLABELS$/gm, (_m, indent: string) => `${indent}labels:\n${indent}  {{- include "calico-ipv6-webhook.labels" $ | nindent ${indent.length + 2} }}`)
    .replace(/^( *)- CHARTNAMESPACES$/gm, (_m, indent: string) => `${indent}{{- range $.Values.webhook.namespaces }}\n${indent}- {{ . | quote }}\n${indent}{{- end }}`)
    .replace(/CHARTPARAM([A-Za-z0-9]+)/g, (_m, key: ParamKey) => `{{ ${PARAM_VALUES[key]} | quote }}`)
    .replaceAll(FULLNAME, '{{ $fullname }}')
    .replaceAll(NAMESPACE, '{{ $.Release.Namespace }}')
    .replaceAll(MAP_VERSION, '{{ $mapVersion }}')
    .replaceAll(VALIDATION_ACTION, '{{ ternary "Warn" "Deny" (eq (toString $.Values.config.validationAction) "warn") }}');
}

function targetBlock(policy: TargetPolicy): string {
  const [validatingBinding] = bindings(policy, { ...OPTIONS, mutation: false });
  const mutating = mutatingPolicy(policy, OPTIONS);
  const mutatingBinding = bindings(policy, OPTIONS)[1];
  let out = `{{- /* ${policy.target.id} */}}\n`;
  const hybrid = HYBRID_TARGETS.includes(policy.target.id);
  if (!hybrid) out += '{{- if not $hybrid }}\n';
  out += yamlOf(validatingPolicy(policy, OPTIONS)) + yamlOf(validatingBinding!);
  if (mutating && mutatingBinding) out += `{{- if $.Values.mutation.enabled }}\n${yamlOf(mutating)}${yamlOf(mutatingBinding)}{{- end }}\n`;
  if (!hybrid) out += '{{- end }}\n';
  return out;
}

/**
 * CEL for the webhook configurations with admission.engine=hybrid: true for the objects the policies do not
 * judge (not a hybrid target, or one the policy skips as webhookOnly). The policies' own matchConstraints
 * are by resource, so each target's predicate is guarded by request.resource.
 */
export function hybridWebhookCondition(policies: readonly TargetPolicy[]): string {
  const judged = policies.filter((p) => HYBRID_TARGETS.includes(p.target.id)).map((p) => {
    const resource = p.target.resources.map((r) => `(request.resource.group == '${r.group}' && request.resource.resource == '${r.resource}')`).join(' || ');
    return `((${resource}) && (${p.match})${p.webhookOnly ? ` && !(${p.webhookOnly})` : ''})`;
  });
  return `!(${judged.join(' || ')})`;
}

const INTRO = `{{- /*
The policy engine (admission.engine=policy or hybrid): the webhook's rules as ValidatingAdmissionPolicies
(admissionregistration.k8s.io/v1, Kubernetes >= 1.30) and MutatingAdmissionPolicies (v1 from 1.36; v1beta1
on 1.34 and 1.35 behind the MutatingAdmissionPolicy feature gate and runtime-config), with their bindings
and one params ConfigMap rendered from config.*. The same objects as \`calico-ipv6-webhook policy\` prints
(test/chart/engine.test.ts compares them). hybrid binds only calico-node and kube-dns.
*/}}
`;

/** The whole chart template. */
export function chartPoliciesTemplate(header: string, policies: readonly TargetPolicy[]): string {
  const params = paramsConfigMap(Object.fromEntries(Object.keys(PARAM_VALUES).map((k) => [k, PARAM(k as ParamKey)])), OPTIONS);
  return `${header} */}}\n${INTRO}`
    + '{{- if ne (include "calico-ipv6-webhook.engine" .) "webhook" }}\n'
    + '{{- $fullname := include "calico-ipv6-webhook.fullname" . }}\n'
    + '{{- $mapVersion := include "calico-ipv6-webhook.mutatingPolicyApiVersion" . }}\n'
    + '{{- $hybrid := eq (include "calico-ipv6-webhook.engine" .) "hybrid" }}\n'
    + yamlOf(params) + policies.map(targetBlock).join('')
    + '{{- end }}\n';
}
