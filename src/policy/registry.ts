// Every target policy, in registry order. A target missing here stays in the webhook (policy --explain).
import { calicoNodePolicy } from './calico-node.js';
import { installationPolicy } from './installation.js';
import { ipPoolPolicy } from './ip-pool.js';
import { kubeDnsPolicy } from './kube-dns.js';
import { kubeDnsServicePolicy } from './kube-dns-service.js';
import type { TargetPolicy } from './model.js';

/** The targets the hybrid engine gives to policies: the ones in the CNI's bootstrap path. */
export const HYBRID_TARGETS: readonly string[] = ['calico-node', 'kube-dns'];

let cached: TargetPolicy[] | undefined;

/** Built once: each policy's texts come from the engine's findings on witness objects. */
export function targetPolicies(): TargetPolicy[] {
  cached ??= [calicoNodePolicy(), kubeDnsPolicy(), kubeDnsServicePolicy(), installationPolicy(), ipPoolPolicy()];
  return cached;
}
