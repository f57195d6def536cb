// The Kubernetes objects of the policy engine: per target a ValidatingAdmissionPolicy and its binding, a
// MutatingAdmissionPolicy and its binding when the target mutates, all reading one params ConfigMap.
// matchConstraints come from the target's resources as the webhook configurations' rules do.
import type { KubeObject } from '../k8s/object.js';
import type { TargetPolicy, Variable } from './model.js';
import { param } from './params.js';
import { HYBRID_TARGETS } from './registry.js';

export type Engine = 'policy' | 'hybrid';

export interface ManifestOptions {
  /** Name prefix of every object (the chart's full name). */
  name: string;
  /** Namespace of the params ConfigMap. */
  namespace: string;
  /** admissionregistration.k8s.io/v1 (Kubernetes 1.36+) or v1beta1 (1.34, 1.35 behind the feature gate). */
  mutatingApiVersion: 'admissionregistration.k8s.io/v1' | 'admissionregistration.k8s.io/v1beta1';
  validationAction: 'Deny' | 'Warn';
  /** Namespaces whose objects are judged (the webhook's namespaceSelector). */
  namespaces: readonly string[];
  engine: Engine;
  mutation: boolean;
}

const PARAMS_SUFFIX = '-policy-params';
const VALIDATING_API = 'admissionregistration.k8s.io/v1';

export function policyName(options: Pick<ManifestOptions, 'name'>, policy: TargetPolicy): string {
  return `${options.name}-${policy.target.id}`;
}

/** The policies an engine binds: hybrid only the bootstrap-path targets. */
function policiesFor(engine: Engine, policies: readonly TargetPolicy[]): TargetPolicy[] {
  return engine === 'hybrid' ? policies.filter((p) => HYBRID_TARGETS.includes(p.target.id)) : [...policies];
}

function resourceRules(policy: TargetPolicy): Record<string, unknown>[] {
  return policy.target.resources.map((r) => ({
    apiGroups: [r.group], apiVersions: [...r.versions], resources: [r.resource], operations: ['CREATE', 'UPDATE'], scope: r.namespaced ? 'Namespaced' : 'Cluster',
  }));
}

const WEBHOOK_ONLY = 'webhookOnly';

/**
 * Objects the policy cannot judge as the webhook does: the hybrid engine leaves them to the webhook
 * (skipped here), the policy engine refuses them rather than admit them unjudged.
 */
function withScope(policy: TargetPolicy): { variables: Variable[]; skip: string } {
  if (!policy.webhookOnly) return { variables: policy.variables, skip: 'false' };
  return { variables: [{ name: WEBHOOK_ONLY, expression: policy.webhookOnly }, ...policy.variables], skip: `(${param('engine')} == 'hybrid' && variables.${WEBHOOK_ONLY})` };
}

function spec(policy: TargetPolicy): Record<string, unknown> {
  return {
    failurePolicy: 'Fail',
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    matchConstraints: { resourceRules: resourceRules(policy) },
    matchConditions: [{ name: 'targets', expression: `object != null && (${policy.match})` }],
  };
}

export function validatingPolicy(policy: TargetPolicy, options: ManifestOptions): KubeObject {
  const { variables, skip } = withScope(policy);
  const validations = policy.validations.map((x) => ({ expression: `${skip} || !(${x.violation})`, messageExpression: x.message, reason: 'Forbidden' }));
  if (policy.webhookOnly) {
    validations.push({
      expression: `${param('engine')} == 'hybrid' || !variables.${WEBHOOK_ONLY}`, reason: 'Forbidden',
      messageExpression: `'[${policy.target.id}/needs-webhook] ' + object.metadata.name + ': this object uses settings only the calico-ipv6-webhook server judges (see calico-ipv6-webhook policy --explain). Fix: install with admission.engine=webhook or hybrid, or remove them'`,
    });
  }
  return {
    apiVersion: VALIDATING_API, kind: 'ValidatingAdmissionPolicy', metadata: { name: policyName(options, policy) },
    spec: { ...spec(policy), variables, validations },
  };
}

export function mutatingPolicy(policy: TargetPolicy, options: ManifestOptions): KubeObject | undefined {
  if (!policy.mutation) return undefined;
  const { variables, skip } = withScope(policy);
  return {
    apiVersion: options.mutatingApiVersion, kind: 'MutatingAdmissionPolicy', metadata: { name: policyName(options, policy) },
    spec: {
      ...spec(policy), variables, reinvocationPolicy: 'IfNeeded',
      mutations: [{ patchType: 'JSONPatch', jsonPatch: { expression: `${skip} ? [] : (${policy.mutation})` } }],
    },
  };
}

function bindingSpec(policy: TargetPolicy, options: ManifestOptions): Record<string, unknown> {
  return {
    policyName: policyName(options, policy),
    paramRef: { name: `${options.name}${PARAMS_SUFFIX}`, namespace: options.namespace, parameterNotFoundAction: 'Deny' },
    matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...options.namespaces] }] } },
  };
}

export function bindings(policy: TargetPolicy, options: ManifestOptions): KubeObject[] {
  const out: KubeObject[] = [{
    apiVersion: VALIDATING_API, kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: policyName(options, policy) },
    spec: { ...bindingSpec(policy, options), validationActions: [options.validationAction] },
  }];
  if (policy.mutation && options.mutation) {
    out.push({ apiVersion: options.mutatingApiVersion, kind: 'MutatingAdmissionPolicyBinding', metadata: { name: policyName(options, policy) }, spec: bindingSpec(policy, options) });
  }
  return out;
}

export function paramsConfigMap(data: Record<string, string>, options: ManifestOptions): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${options.name}${PARAMS_SUFFIX}`, namespace: options.namespace }, data: { ...data } };
}

/** Every object, params first: the policies refuse everything until their params exist (parameterNotFoundAction Deny). */
export function policyManifest(policies: readonly TargetPolicy[], params: Record<string, string>, options: ManifestOptions): KubeObject[] {
  const out: KubeObject[] = [paramsConfigMap(params, options)];
  for (const policy of policiesFor(options.engine, policies)) {
    out.push(validatingPolicy(policy, options));
    const mutating = options.mutation ? mutatingPolicy(policy, options) : undefined;
    if (mutating) out.push(mutating);
    out.push(...bindings(policy, options));
  }
  return out;
}
