// The Tigera operator's Installation as the operator reports it (status.computed: the spec after its
// defaults and overlays, status.conditions), judged against the configuration by the Installation rule.
import type { WebhookConfig } from '../config/types.js';
import { formatFinding } from '../engine/verdict.js';
import { installationRule } from '../rules/installation.js';
import { isRecord, nameOf } from '../rules/k8s-object.js';
import { Report, shown, type Finding, type KubeObject } from '../rules/types.js';
import { fail, pass, unknown, type Check } from './check.js';

interface Item {
  item: string;
  title: string;
  /** Finding.rule values that belong to this item. */
  rules: string[];
  modes?: WebhookConfig['mode'][];
  /** What the operator's view holds for this item, as evidence. */
  evidence: (network: Record<string, unknown>) => string;
}

const pools = (network: Record<string, unknown>) => `ipPools ${shown(network.ipPools)}`;

const ITEMS: Item[] = [
  {
    item: 'ipv6-pool', title: 'the Installation has an IPv6 pool inside the pod CIDR that the operator accepts',
    rules: ['installation/ipv6-pool', 'installation/cidr', 'installation/pod-cidr', 'installation/service-cidr', 'installation/block-size', 'installation/encapsulation', 'installation/duplicate-pool', 'installation/ipv4-pod-cidr'],
    evidence: pools,
  },
  {
    item: 'autodetection-v6', title: 'the Installation autodetects node IPv6 addresses (calico-node IP6=autodetect, FELIX_IPV6SUPPORT=true)',
    rules: ['installation/autodetection-v6'], evidence: (n) => `nodeAddressAutodetectionV6 ${shown(n.nodeAddressAutodetectionV6)}`,
  },
  {
    item: 'ip-none', title: 'the Installation has no IPv4 autodetection, so calico-node runs with IP=none (IPv6-only)', rules: [], modes: ['ipv6-only'],
    evidence: (n) => `nodeAddressAutodetectionV4 ${shown(n.nodeAddressAutodetectionV4)}`,
  },
];

/** Condition `type` of the Installation's status, when the operator has written it. */
function condition(object: KubeObject, type: string): Record<string, unknown> | undefined {
  const status = isRecord(object.status) ? object.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.filter(isRecord).find((c) => c.type === type);
}

function operatorStatus(object: KubeObject, id: string): Check {
  const title = 'the Tigera operator reports the Installation ready, not degraded';
  const degraded = condition(object, 'Degraded');
  const ready = condition(object, 'Ready');
  if (degraded?.status === 'True') {
    return fail(id, title, `Degraded: ${String(degraded.reason ?? '')} ${String(degraded.message ?? '')}`.trim(), 'read the operator\'s message (kubectl get tigerastatus; the tigera-operator logs) and correct the Installation');
  }
  if (ready?.status === 'True') return pass(id, title, `Ready: ${String(ready.message ?? ready.reason ?? 'True')}`);
  return unknown(id, title, 'no Ready or Degraded condition in status', 'wait for the operator to reconcile the Installation, and check that the tigera-operator Deployment runs');
}

/**
 * Checks for one Installation: the operator's computed spec (or, before the operator has written one,
 * the spec) judged by the Installation rule, item by item, and the operator's own conditions.
 */
export function installationChecks(object: KubeObject, config: WebhookConfig): Check[] {
  const subject = nameOf(object) ?? '?';
  const status = isRecord(object.status) ? object.status : {};
  const computed = isRecord(status.computed) ? status.computed : undefined;
  const spec = computed ?? (isRecord(object.spec) ? object.spec : {});
  const source = computed ? 'status.computed' : 'spec (the operator has not written status.computed yet)';
  const report = new Report();
  installationRule.validate({ ...object, spec: structuredClone(spec) }, { config, operation: 'CREATE' }, report);
  const network = isRecord(spec.calicoNetwork) ? spec.calicoNetwork : {};
  const findings: Finding[] = [...report.malformed, ...report.problems];
  const out: Check[] = [];
  for (const item of ITEMS.filter((i) => !i.modes || i.modes.includes(config.mode))) {
    const id = `installation.${item.item}/${subject}`;
    const mine = findings.filter((f) => item.rules.includes(f.rule));
    const evidence = `${source}: ${item.evidence(network)}`;
    if (item.item === 'ip-none') {
      out.push(network.nodeAddressAutodetectionV4 === undefined ? pass(id, item.title, evidence)
        : fail(id, item.title, evidence, 'remove spec.calicoNetwork.nodeAddressAutodetectionV4 (the operator keeps defaulting it while an IPv4 IPPool exists: disable and delete the IPv4 pools first)'));
    } else if (mine.length > 0) {
      out.push(fail(id, item.title, `${evidence} | ${mine.map(formatFinding).join(' | ')}`, [...new Set(mine.map((f) => f.fix))].join('; ')));
    } else {
      out.push(pass(id, item.title, evidence));
    }
  }
  const assigned = new Set(ITEMS.flatMap((i) => i.rules));
  const other = findings.filter((f) => !assigned.has(f.rule));
  if (other.length > 0) {
    out.push(fail(`installation.other/${subject}`, `Installation ${subject} has nothing else the webhook would reject`, other.map(formatFinding).join(' | '), [...new Set(other.map((f) => f.fix))].join('; ')));
  }
  out.push(operatorStatus(object, `installation.operator-status/${subject}`));
  return out;
}
