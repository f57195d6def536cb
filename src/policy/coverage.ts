// What the policies implement of each webhook rule, and why the rest stays in the webhook: `policy
// --explain`, the README table, and the test that every rule of the registry is accounted for.
import { TARGETS } from '../targets/registry.js';
import { HYBRID_TARGETS, targetPolicies } from './registry.js';

/** Minimum Kubernetes version of each engine's parts (see README: "Admission engines"). */
const ENGINE_VERSIONS = {
  validating: 'ValidatingAdmissionPolicy admissionregistration.k8s.io/v1: Kubernetes >= 1.30 (GA); the IP and CIDR CEL library is in the policy environment from 1.30',
  mutating: 'MutatingAdmissionPolicy: admissionregistration.k8s.io/v1 from Kubernetes 1.36 (GA, on by default); v1beta1 on 1.34 and 1.35 with --feature-gates=MutatingAdmissionPolicy=true and --runtime-config=admissionregistration.k8s.io/v1beta1=true',
} as const;

/** Rules the policies leave to the webhook, each with the reason; a rule listed here and generated is partial. */
const WHY_NOT: Readonly<Record<string, string>> = {
  'calico-node/backend': 'the vxlan backend before v3.23: objects that set CALICO_NETWORKING_BACKEND=vxlan are the webhook\'s (hybrid) or refused as needs-webhook (policy)',
  'calico-node/ipv6-encapsulation': 'partial: an unknown mode is refused; setting CALICO_IPV6POOL_VXLAN for the vxlan backend is the webhook\'s (the backend usually comes from calico-config through valueFrom)',
  'calico-node/ipv6-vxlan-ignored': 'projectcalico/calico#12896 by release: objects with CALICO_IPV6POOL_VXLAN other than Never go to the webhook (hybrid) or are refused as needs-webhook (policy)',
  'calico-node/bpf-ipv6': 'not in CEL here: objects that set FELIX_BPFENABLED go to the webhook (hybrid) or are refused as needs-webhook (policy)',
  'calico-node/ipv4-block-size': 'dual-stack IPv4 block sizes: objects that set CALICO_IPV4POOL_BLOCK_SIZE go to the webhook',
  'calico-node/ipv4-pool': 'partial: CALICO_IPV4POOL_CIDR is added and "none" checked; dual-stack IPv4 CIDR containment stays in the webhook',
  'calico-node/shape': 'the API server\'s schema refuses malformed env first',
  'calico-node/env-resolution': 'env through valueFrom, $(VAR) or envFrom ConfigMaps: CEL sees only the object; FELIX_IPV6SUPPORT, IP6, IP, the pool CIDRs and the router ID through valueFrom send the object to the webhook (hybrid) or refuse it as needs-webhook (policy); other variables so given are left alone',
  'calico-node/duplicates': 'a variable listed twice: the webhook patches the last entry and warns; such objects go to the webhook (hybrid) or are refused as needs-webhook (policy)',
  'calico-node/warnings': 'warnings (a proper subset pool, hash before v3.25, IPv4 pools, conversions) are not given: a ValidatingAdmissionPolicy warns only for a whole binding (validationActions Warn)',
  'calico-node/version-hint': 'a calico/node image without a version tag: the webhook also reads the version from other objects in the file or cluster; the policy knows only calicoVersion, else assumes the newest',
  'kube-dns/bind-address': 'partial: the first kubedns container; several containers of one role go to the webhook',
  'kube-dns/no-negcache': 'partial: the first dnsmasq container; several containers of one role go to the webhook',
  'kube-dns/image-version': 'validated only: raising the tag needs the image reference rewritten per container',
  'kube-dns/probe-type': 'partial: the first sidecar\'s args are rewritten; probes in command or several sidecars go to the webhook',
  'ippool/block-size-immutable': 'not generated yet: webhook only (Calico\'s v3 CRD refuses it too)',
  'ippool/ipv4-pod-cidr': 'dual-stack IPv4 pools: webhook only',
  'calico-config/assign': 'cni_network_config is a JSON template with unquoted placeholders inside a string: CEL cannot parse it',
  'calico-config/ipv6-pools': 'inside cni_network_config: CEL cannot parse it',
  'calico-config/host-local-subnet': 'inside cni_network_config: CEL cannot parse it',
  'calico-config/template': 'inside cni_network_config: CEL cannot parse it',
  'flannel/net-conf': 'net-conf.json inside canal-config: JSON in a string, which CEL cannot parse',
  'kube-proxy/cluster-cidr': 'config.conf is YAML inside a ConfigMap: CEL cannot parse it',
  'installation/ipv6-pool': 'validated only: the pool the webhook adds (and, IPv6-only, the IPv4 pools it removes) rewrites the whole ipPools list from the operator\'s defaults; the message shows pools by their CIDRs only',
  'installation/autodetection-v6': 'validated only: refused while absent (the webhook writes {firstFound: true})',
  'installation/autodetection-v4': 'validated only: refused in an IPv6-only cluster unless the stored Installation has it (the webhook removes it); the found value shows flat settings only',
  'installation/encapsulation': 'partial: the Calico version comes from calicoVersion or the Installation\'s status; the webhook also reads it from other objects (a hint), which a policy cannot',
  'installation/pools-frozen': 'webhook only: comparing the old and new pool sets needs a sorted list, and the operator version comes from status',
  'installation/shape': 'the API server\'s schema (the operator\'s CRD) refuses malformed calicoNetwork first',
};

/** The webhook's rule ids: from the doctor items of every target, and the rules above. */
export function webhookRules(): string[] {
  const ids = new Set<string>();
  for (const target of TARGETS) for (const item of target.doctor?.items ?? []) for (const rule of item.rules) ids.add(rule);
  for (const rule of Object.keys(WHY_NOT)) ids.add(rule);
  for (const policy of targetPolicies()) for (const validation of policy.validations) ids.add(validation.rule);
  return [...ids].sort();
}

export interface Coverage {
  rule: string;
  /** What the policies do: mutate and validate, validate, or nothing. */
  policy: 'mutate+validate' | 'validate' | '-';
  why: string | undefined;
  /** Whether hybrid gives the target to policies. */
  hybrid: boolean;
}

export function coverage(): Coverage[] {
  const validated = new Map<string, boolean>();
  const mutated = new Set(targetPolicies().flatMap((p) => (p.mutation ? p.mutatedRules ?? p.validations.map((x) => x.rule) : [])));
  for (const p of targetPolicies()) for (const x of p.validations) validated.set(x.rule, validated.get(x.rule) === true || x.message.includes('the mutating webhook makes this change'));
  return webhookRules().map((rule) => {
    const mutable = validated.get(rule);
    const targetId = rule.split('/')[0] ?? '';
    const mutates = mutable === true && mutated.has(rule);
    return {
      rule, policy: mutable === undefined ? '-' : mutates ? 'mutate+validate' : 'validate',
      why: WHY_NOT[rule], hybrid: HYBRID_TARGETS.includes(targetId),
    };
  });
}

export function explainLines(): string[] {
  const rows = coverage();
  const width = Math.max(...rows.map((r) => r.rule.length));
  return [
    'What the admission policies implement of each webhook rule (webhook: every rule).',
    `  ${ENGINE_VERSIONS.validating}`,
    `  ${ENGINE_VERSIONS.mutating}`,
    'hybrid: policies for calico-node and kube-dns; the webhook judges every other target, and the calico-node or',
    'kube-dns objects the policies cannot judge (needs-webhook below), so no object is judged twice.',
    '',
    `${'rule'.padEnd(width)}  ${'policy'.padEnd(15)}  why not (or what stays in the webhook)`,
    ...rows.map((r) => `${r.rule.padEnd(width)}  ${r.policy.padEnd(15)}  ${r.why ?? ''}`.trimEnd()),
  ];
}
