// The guide's Calico and kube-dns items, judged by the webhook's own rule engine on the stored objects,
// one verdict per item and object, with the engine's messages as evidence.
import type { WebhookConfig } from '../config/types.js';
import { analyzeExisting, type ExistingAnalysis } from '../cluster/existing.js';
import { formatFinding } from '../engine/verdict.js';
import { ContainerEnv } from '../rules/container-env.js';
import { imageNamed, isRecord, namespaceOf, nameOf, workloadContainers } from '../rules/k8s-object.js';
import { parseIpv6Address, sameAddress } from '../net/cidr.js';
import { Report, shown, type Finding, type KubeObject, type RuleContext } from '../rules/types.js';
import { fail, pass, unknown, type Check } from './check.js';
import { describeScope, type ClusterSnapshot } from './snapshot.js';

interface Item {
  item: string;
  title: string;
  /** Finding.rule values that belong to this item. */
  rules: string[];
  /** calico-node env variables whose values are the evidence. */
  env?: string[];
  modes?: WebhookConfig['mode'][];
}

interface Target {
  /** The engine rule id, and the doctor component name. */
  rule: string;
  kind: string;
  names: string[];
  items: Item[];
}

const TARGETS: Target[] = [
  {
    rule: 'calico-node', kind: 'DaemonSet', names: ['calico-node', 'canal'],
    items: [
      { item: 'ipv6-pool', title: 'calico-node CALICO_IPV6POOL_CIDR is the pod CIDR (--cluster-cidr)', rules: ['calico-node/ipv6-pool', 'calico-node/block-size', 'calico-node/no-default-pools'], env: ['CALICO_IPV6POOL_CIDR'] },
      { item: 'ip6', title: 'calico-node IP6=autodetect', rules: ['calico-node/ip6'], env: ['IP6'] },
      { item: 'felix-ipv6', title: 'calico-node FELIX_IPV6SUPPORT=true', rules: ['calico-node/felix-ipv6'], env: ['FELIX_IPV6SUPPORT'] },
      { item: 'ip-none', title: 'calico-node IP=none (IPv6-only)', rules: ['calico-node/ip-none', 'calico-node/ip'], env: ['IP'], modes: ['ipv6-only'] },
      { item: 'ip', title: 'calico-node keeps IPv4 (IP=autodetect) in dual-stack', rules: ['calico-node/ip-none', 'calico-node/ip'], env: ['IP'], modes: ['dual-stack'] },
      { item: 'router-id', title: 'calico-node has a CALICO_ROUTER_ID for each node (IPv6-only)', rules: ['calico-node/router-id'], env: ['CALICO_ROUTER_ID'], modes: ['ipv6-only'] },
    ],
  },
  {
    rule: 'calico-config', kind: 'ConfigMap', names: ['calico-config', 'canal-config'],
    items: [{ item: 'ipam', title: 'calico-ipam assigns IPv6 and not IPv4 (cni_network_config)', rules: ['calico-config/assign', 'calico-config/host-local-subnet', 'calico-config/ipv6-pools'] }],
  },
  {
    rule: 'kube-dns', kind: 'Deployment', names: ['kube-dns'],
    items: [
      { item: 'image-version', title: 'kube-dns images are at least kubeDNS.minImageVersion', rules: ['kube-dns/image-version'] },
      { item: 'bind-address', title: 'kubedns --dns-bind-address=[::]', rules: ['kube-dns/bind-address'] },
      { item: 'no-negcache', title: 'dnsmasq --no-negcache', rules: ['kube-dns/no-negcache'] },
      { item: 'probe-type', title: 'sidecar probes use SRV, not A', rules: ['kube-dns/probe-type', 'kube-dns/probe-server', 'kube-dns/probe-syntax'] },
    ],
  },
  {
    rule: 'kube-dns-service', kind: 'Service', names: ['kube-dns'],
    items: [{ item: 'cluster-ip', title: "kube-dns Service clusterIP is the kubelet's --cluster-dns", rules: ['kube-dns-service/cluster-ip', 'kube-dns-service/cluster-ip-immutable'] }],
  },
];

const where = (object: KubeObject) => `${namespaceOf(object) ?? ''}/${nameOf(object) ?? '?'}`;

function operatorManaged(object: KubeObject): boolean {
  const owners = object.metadata?.ownerReferences;
  return namespaceOf(object) === 'calico-system'
    || (Array.isArray(owners) && owners.some((o) => isRecord(o) && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('operator.tigera.io/')));
}

function calicoNodeEnv(object: KubeObject): ContainerEnv | undefined {
  const report = new Report();
  const containers = workloadContainers(object, 'calico-node', report);
  let index = containers.findIndex((c) => c.name === 'calico-node');
  if (index < 0) index = containers.findIndex((c) => imageNamed(c.image, ['calico/node']));
  const container = containers[index];
  return container ? ContainerEnv.of(container, index, 'calico-node', report) : undefined;
}

/** `IP6="autodetect"`, or where an unresolved valueFrom leaves the value unknown. */
function envEvidence(env: ContainerEnv, names: string[], ctx: RuleContext, namespace: string | undefined): { text: string; unreadable: string[] } {
  const unreadable: string[] = [];
  const parts = names.map((name) => {
    const read = env.read(name, ctx, namespace);
    if (read.kind === 'absent') return `${name} absent`;
    if (read.kind === 'literal') return `${name}=${shown(read.raw ?? '')}`;
    if (read.kind === 'resolved') return `${name}=${shown(read.value)} (from ${read.source})`;
    unreadable.push(`${name} comes from ${read.source}, which could not be read`);
    return `${name} from ${read.source} (unread)`;
  });
  return { text: parts.join(', '), unreadable };
}

function fixFor(findings: Finding[], changes: Set<Finding>): string {
  const needsChange = findings.some((f) => changes.has(f));
  const fixes = [...new Set(findings.filter((f) => !changes.has(f)).map((f) => f.fix))];
  return [needsChange ? 'apply the object again with the webhook running (its mutation makes the change), or edit it as the evidence says' : '', ...fixes].filter(Boolean).join('; ');
}

function objectChecks(target: Target, result: ExistingAnalysis, config: WebhookConfig, ctx: RuleContext): Check[] {
  const object = result.object;
  const subject = where(object);
  const items = target.items.filter((i) => !i.modes || i.modes.includes(config.mode));
  const changes = new Set(result.changes);
  const findings = [...result.changes, ...result.problems];
  const out: Check[] = [];

  if (target.rule === 'calico-node' && operatorManaged(object)) {
    return items.map((i) => unknown(`${target.rule}.${i.item}/${subject}`, i.title, `${object.kind} ${subject} is managed by the Tigera operator, which renders the variables itself`,
      'set IPv6 in the operator\'s Installation resource (spec.calicoNetwork.ipPools) and check it there'));
  }
  const env = target.rule === 'calico-node' ? calicoNodeEnv(object) : undefined;
  if (target.rule === 'calico-node' && !env) {
    return items.map((i) => unknown(`${target.rule}.${i.item}/${subject}`, i.title, `${object.kind} ${subject} has no container named calico-node or running calico/node`, 'check the DaemonSet\'s containers'));
  }

  for (const item of items) {
    const id = `${target.rule}.${item.item}/${subject}`;
    const mine = findings.filter((f) => item.rules.includes(f.rule));
    const values = env && item.env ? envEvidence(env, item.env, ctx, namespaceOf(object)) : undefined;
    if (mine.length > 0) {
      out.push(fail(id, item.title, mine.map((f) => `${changes.has(f) ? 'the webhook would change' : 'the webhook would reject'}: ${formatFinding(f)}`).join(' | '), fixFor(mine, changes)));
    } else if (values && values.unreadable.length > 0) {
      out.push(unknown(id, item.title, values.unreadable.join('; '), 'grant the webhook\'s ServiceAccount get on the ConfigMap the variable refers to, or set the value literally'));
    } else if (target.rule === 'kube-dns-service') {
      // CoreDNS's Service is named kube-dns too; the rules leave it alone, but its address must match as well.
      const spec = isRecord(object.spec) ? object.spec : {};
      const ip = typeof spec.clusterIP === 'string' ? parseIpv6Address(spec.clusterIP) : undefined;
      out.push(ip && sameAddress(ip, config.clusterDNS)
        ? pass(id, item.title, `clusterIP ${String(spec.clusterIP)} (clusterDNS)`)
        : fail(id, item.title, `clusterIP ${shown(spec.clusterIP)} is not clusterDNS ${config.clusterDNS.toString()}`,
          `clusterIP is immutable: delete the Service (kubectl -n ${namespaceOf(object) ?? 'kube-system'} delete service kube-dns) and apply it again with clusterIP ${config.clusterDNS.toString()}`));
    } else {
      out.push(pass(id, item.title, values ? values.text : `no finding on ${object.kind} ${subject}`));
    }
  }
  const assigned = new Set(target.items.flatMap((i) => i.rules));
  const other = findings.filter((f) => !assigned.has(f.rule));
  if (other.length > 0) {
    out.push(fail(`${target.rule}.other/${subject}`, `${object.kind} ${subject} has nothing else the webhook would change or reject`,
      other.map((f) => formatFinding(f)).join(' | '), fixFor(other, changes)));
  }
  return out;
}

export function workloadChecks(snapshot: ClusterSnapshot, config: WebhookConfig): Check[] {
  const out: Check[] = [];
  const { lookupConfigMapKey, calicoVersionHint } = snapshot.context;
  const ctx: RuleContext = { config, operation: 'CREATE', lookupConfigMapKey, calicoVersionHint };
  for (const target of TARGETS) {
    const objects = snapshot.targets.objects.filter((o) => o.kind === target.kind && target.names.includes(nameOf(o) ?? ''));
    const failures = snapshot.targets.failures.filter((f) => target.names.some((n) => f.what === `${target.kind} ${n}`));
    if (objects.length === 0) {
      const items = target.items.filter((i) => !i.modes || i.modes.includes(config.mode));
      const evidence = failures.length > 0
        ? `cannot read: ${failures.map((f) => `${f.what}: ${f.error}`).join('; ')}`
        : `no ${target.kind} named ${target.names.join(' or ')} in ${describeScope(snapshot.scope)}`;
      for (const item of items) out.push(unknown(`${target.rule}.${item.item}`, item.title, evidence, failures.length > 0 ? 'grant get on it, or run doctor with more access' : 'nothing to check until it is installed'));
      continue;
    }
    for (const object of objects) out.push(...objectChecks(target, analyzeExisting(object, config, snapshot.context), config, ctx));
  }
  return out;
}
