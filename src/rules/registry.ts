// Every target the webhook knows. A new rule is one file in this folder and one line here.
import { calicoConfigRule, CALICO_CONFIG_NAMES } from './calico-config.js';
import { calicoNodeRule, CALICO_NODE_NAMES } from './calico-node.js';
import { kubeDnsDeploymentRule } from './kube-dns-deployment.js';
import { kubeDnsServiceRule } from './kube-dns-service.js';
import { kubeProxyRule } from './kube-proxy.js';
import type { KubeObject, TargetRule } from './types.js';

export const RULES: readonly TargetRule[] = [calicoNodeRule, calicoConfigRule, kubeDnsDeploymentRule, kubeDnsServiceRule, kubeProxyRule];

export function ruleFor(object: KubeObject): TargetRule | undefined {
  return RULES.find((rule) => rule.matches(object));
}

/**
 * The (kind, names) the rules match, for scoping the webhook configurations (rules and matchConditions)
 * so that the API server never sends anything else. Kept beside the rules so the two cannot drift.
 */
export const TARGETS = [
  { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', names: [...CALICO_NODE_NAMES] },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', names: ['kube-dns'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', names: [...CALICO_CONFIG_NAMES, 'kube-proxy'] },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', names: ['kube-dns'] },
] as const;
