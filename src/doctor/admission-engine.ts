// Which admission engine guards the targets (the chart's admission.engine): the webhook configurations,
// the generated admission policies, or both (hybrid), and whether every policy is bound. A policy without
// a binding judges nothing (k8s.io/api admissionregistration/v1 types.go: a policy "has no effect" until
// a binding references it), which is the failure this item exists to catch.
import type { KubeObject } from '../k8s/object.js';
import type { ApiResource } from '../k8s/resource.js';
import { apiError } from '../cluster/client.js';
import type { ClusterReader } from '../cluster/reader.js';
import { TARGETS } from '../targets/registry.js';
import type { PolicyRule } from '../cluster/rbac.js';
import { fail, pass, unknown, type Check } from './check.js';

const GROUP = 'admissionregistration.k8s.io';
const resource = (plural: string, kind: string, versions: string[]): ApiResource => ({ group: GROUP, versions, resource: plural, kind, namespaced: false });

// MutatingAdmissionPolicy is v1 from Kubernetes 1.36 and v1beta1 on 1.34/1.35 (behind its feature gate).
const RESOURCES = {
  mutatingWebhooks: [resource('mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', ['v1'])],
  validatingWebhooks: [resource('validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', ['v1'])],
  validatingPolicies: [resource('validatingadmissionpolicies', 'ValidatingAdmissionPolicy', ['v1'])],
  validatingBindings: [resource('validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', ['v1'])],
  mutatingPolicies: [resource('mutatingadmissionpolicies', 'MutatingAdmissionPolicy', ['v1']), resource('mutatingadmissionpolicies', 'MutatingAdmissionPolicy', ['v1beta1'])],
  mutatingBindings: [resource('mutatingadmissionpolicybindings', 'MutatingAdmissionPolicyBinding', ['v1']), resource('mutatingadmissionpolicybindings', 'MutatingAdmissionPolicyBinding', ['v1beta1'])],
} as const;

/**
 * The read access readAdmissionObjects needs (it lists each kind cluster-wide): the chart grants it beside
 * discovery's (templates/_targets.generated.tpl, rbac.admission), so doctor run as the ServiceAccount sees the
 * engine instead of answering unknown.
 */
export const ADMISSION_READ_RULES: readonly PolicyRule[] = [{
  apiGroups: [GROUP], verbs: ['get', 'list'],
  resources: [...new Set(Object.values(RESOURCES).flatMap((candidates) => candidates.map((r) => r.resource)))],
}];

export type AdmissionObjects = Record<keyof typeof RESOURCES, KubeObject[]>;

/** snapshot.ts's Fetched, restated: snapshot.ts imports this module. */
export type FetchedAdmission = { ok: true; value: AdmissionObjects } | { ok: false; error: string; code: number };

const WEBHOOK_SUFFIX = '.calico-ipv6-webhook.projectcalico.org';
const HYBRID_CONDITION = 'calico-ipv6-webhook-hybrid';

/** Lists each kind; a version the cluster does not serve (404) counts as none, the next version is tried. */
export async function readAdmissionObjects(reader: ClusterReader): Promise<FetchedAdmission> {
  const out: Partial<AdmissionObjects> = {};
  for (const [key, candidates] of Object.entries(RESOURCES) as [keyof AdmissionObjects, readonly ApiResource[]][]) {
    out[key] = [];
    for (const r of candidates) {
      try {
        out[key] = await reader.findNamed(r, undefined, { all: true });
        if (out[key].length > 0) break;
      } catch (error) {
        const e = apiError(error);
        if (e.code === 404) continue;
        return { ok: false, error: e.message, code: e.code };
      }
    }
  }
  return { ok: true, value: out as AdmissionObjects };
}

const nameOf = (o: KubeObject) => String(o.metadata?.name ?? '');
const specOf = (o: KubeObject) => (o as { spec?: Record<string, unknown> }).spec ?? {};

interface WebhookEntry { name?: string; matchConditions?: { name?: string }[] }
const webhooksOf = (o: KubeObject) => ((o as { webhooks?: WebhookEntry[] }).webhooks ?? []).filter((w) => w.name?.endsWith(WEBHOOK_SUFFIX));

/** The generated policies are named <prefix>-<target id> and read a params ConfigMap. */
function isOurs(policy: KubeObject): boolean {
  const paramKind = specOf(policy).paramKind as { kind?: string } | undefined;
  return paramKind?.kind === 'ConfigMap' && TARGETS.some((t) => nameOf(policy).endsWith(`-${t.id}`));
}

const ENGINE = 'admission.engine';
const BOUND = 'admission.policies-bound';
const TITLES = { [ENGINE]: 'an admission engine (webhook, policy or hybrid) judges the Calico and kube-dns objects', [BOUND]: 'every admission policy of the engine is bound' };

export function admissionEngineChecks(fetched: FetchedAdmission | undefined): Check[] {
  if (!fetched) return [];
  if (!fetched.ok) {
    const evidence = `cannot list webhook configurations and admission policies: ${fetched.error}`;
    const fix = 'run doctor with read access to admissionregistration.k8s.io';
    return [unknown(ENGINE, TITLES[ENGINE], evidence, fix), unknown(BOUND, TITLES[BOUND], evidence, fix)];
  }
  const a = fetched.value;
  const hooks = [...a.mutatingWebhooks, ...a.validatingWebhooks].filter((c) => webhooksOf(c).length > 0);
  const policies = [...a.validatingPolicies.map((p) => ({ p, bindings: a.validatingBindings })), ...a.mutatingPolicies.map((p) => ({ p, bindings: a.mutatingBindings }))]
    .filter(({ p }) => isOurs(p));
  const hybridHooks = hooks.filter((c) => webhooksOf(c).some((w) => w.matchConditions?.some((m) => m.name === HYBRID_CONDITION)));
  const out: Check[] = [];
  const hookNames = hooks.map((c) => `${c.kind} ${nameOf(c)}`).join(', ');
  const policyNames = policies.map(({ p }) => `${p.kind} ${nameOf(p)}`).join(', ');
  if (hooks.length === 0 && policies.length === 0) {
    out.push(unknown(ENGINE, TITLES[ENGINE], 'no calico-ipv6-webhook webhook configuration or admission policy is installed', 'install the chart (admission.engine=webhook, policy or hybrid), or apply `calico-ipv6-webhook policy`'));
  } else if (policies.length === 0) {
    out.push(pass(ENGINE, TITLES[ENGINE], `engine webhook: ${hookNames}`));
  } else if (hooks.length === 0) {
    out.push(pass(ENGINE, TITLES[ENGINE], `engine policy: ${policyNames}`));
  } else if (hybridHooks.length === hooks.length) {
    out.push(pass(ENGINE, TITLES[ENGINE], `engine hybrid: ${hookNames}; ${policyNames}`));
  } else {
    out.push(fail(ENGINE, TITLES[ENGINE], `both ${hookNames} and ${policyNames} are installed, and the webhook configurations lack the ${HYBRID_CONDITION} matchCondition: objects are judged twice`,
      'install one engine: helm upgrade with admission.engine=hybrid (or remove the policies, or the webhook)'));
  }
  if (policies.length > 0) {
    const unbound = policies.filter(({ p, bindings }) => !bindings.some((b) => specOf(b).policyName === nameOf(p))).map(({ p }) => `${p.kind} ${nameOf(p)}`);
    out.push(unbound.length === 0
      ? pass(BOUND, TITLES[BOUND], `${policies.length} policies, each with a binding`)
      : fail(BOUND, TITLES[BOUND], `no binding references ${unbound.join(', ')}, so it judges nothing`, 'apply the bindings `calico-ipv6-webhook policy` prints (or helm upgrade the chart)'));
  }
  return out;
}
