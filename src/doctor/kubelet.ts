// The kubelet's guide settings: --address and --cluster-dns from each kubelet's /configz (what it runs
// with) where the API server's node proxy reaches it, else kubeadm's kubelet-config ConfigMap;
// --node-ip as it shows in each Node's InternalIP.
import type { WebhookConfig } from '../config/types.js';
import { addressKind } from '../net/address.js';
import { compareDnsList } from '../targets/shared/compare.js';
import { KUBELET_CONFIG, kubeletSettingsFromConfigMap, kubeletSettingsFromConfigz, nodeAddresses, type KubeletSettings } from '../cluster/settings.js';
import { nameOf } from '../k8s/object.js';
import type { KubeObject } from '../k8s/object.js';
import { fail, pass, unknown, type Check } from './check.js';
import type { ClusterSnapshot } from './snapshot.js';

const ADDRESS_TITLE = 'kubelet --address is IPv6 or ::';
const DNS_TITLE = 'kubelet --cluster-dns is the IPv6 DNS address, inside the service CIDR';
const NODE_IP_TITLE = "kubelet --node-ip is IPv6 (the Node's InternalIP)";

function addressCheck(id: string, settings: KubeletSettings, source: string, config: WebhookConfig): Check {
  const value = settings.address;
  const fix = `set address: "::" in the kubelet configuration (${source})`;
  if (value === undefined) return pass(id, ADDRESS_TITLE, `address not set in ${source}: 0.0.0.0, listening on every interface and address family`);
  const kind = addressKind(value);
  if (kind === 'ipv6' || kind === 'ipv6-any') return pass(id, ADDRESS_TITLE, `address ${value} (IPv6) in ${source}`);
  if (kind === 'ipv4-any') return pass(id, ADDRESS_TITLE, `address ${value} in ${source}: the unspecified address, every interface and family (IPv6 included)`);
  if (kind === 'ipv4' && config.mode === 'dual-stack') return pass(id, ADDRESS_TITLE, `address ${value} (IPv4; allowed in dual-stack) in ${source}`);
  return fail(id, ADDRESS_TITLE, `address ${value} in ${source} is ${kind === 'ipv4' ? 'an IPv4 address: the kubelet is not reachable over IPv6' : 'not an IP address'}`, fix);
}

function dnsCheck(id: string, settings: KubeletSettings, source: string, config: WebhookConfig): Check {
  const verdict = compareDnsList(settings.clusterDNS, config.clusterDNS, config.mode);
  const shown = settings.clusterDNS.length ? `clusterDNS [${settings.clusterDNS.join(', ')}]` : 'clusterDNS';
  return verdict.ok
    ? pass(id, DNS_TITLE, `${shown} in ${source} (clusterDNS, inside serviceCIDR ${config.serviceCIDR.text})`)
    : fail(id, DNS_TITLE, `${shown} in ${source} ${verdict.reason} (clusterDNS)`,
      `set clusterDNS: ["${config.clusterDNS.toString()}"] in the kubelet configuration (${source}; on kubeadm also /var/lib/kubelet/config.yaml on each node), the cluster DNS Service's clusterIP`);
}

export function kubeletChecks(snapshot: ClusterSnapshot, config: WebhookConfig): Check[] {
  const out: Check[] = [];
  const nodes = snapshot.nodes.ok ? snapshot.nodes.value.map(nameOf).filter((n): n is string => n !== undefined) : [];
  const withoutConfigz: string[] = [];
  const configzErrors = new Set<string>();
  for (const node of nodes) {
    const answer = snapshot.configz[node];
    const parsed = answer?.ok ? kubeletSettingsFromConfigz(answer.value) : undefined;
    if (parsed?.ok) {
      const source = `node ${node} /configz`;
      out.push(addressCheck(`kubelet.address/${node}`, parsed.value, source, config));
      out.push(dnsCheck(`kubelet.cluster-dns/${node}`, parsed.value, source, config));
      continue;
    }
    withoutConfigz.push(node);
    configzErrors.add(answer === undefined ? 'not asked' : answer.ok ? (parsed && !parsed.ok ? parsed.reason : 'unreadable') : answer.error);
  }
  // Kubelets that did not answer are judged by kubeadm's shared configuration, if there is one.
  if (nodes.length > 0 && withoutConfigz.length === 0) return out;
  const unreached = withoutConfigz.length > 0 ? `/configz not read for ${withoutConfigz.join(', ')} (${[...configzErrors].join('; ')})` : 'no Nodes to ask for /configz';
  const cm = snapshot.kubeletConfig;
  const source = `ConfigMap kube-system/${KUBELET_CONFIG}`;
  const subject = (item: string) => `kubelet.${item}/${KUBELET_CONFIG}`;
  const parsed = cm.ok && cm.value ? kubeletSettingsFromConfigMap(cm.value) : undefined;
  if (parsed?.ok) {
    for (const check of [addressCheck(subject('address'), parsed.value, source, config), dnsCheck(subject('cluster-dns'), parsed.value, source, config)]) {
      out.push({ ...check, evidence: `${check.evidence}; ${unreached}` });
    }
    return out;
  }
  const why = !cm.ok ? `cannot read ${source}: ${cm.error}` : !cm.value ? `no ${source}` : `${source} ${parsed && !parsed.ok ? parsed.reason : 'is unreadable'}`;
  const fix = 'grant get on nodes/proxy to read each kubelet\'s /configz, or check /var/lib/kubelet/config.yaml on each node';
  out.push(unknown(subject('address'), ADDRESS_TITLE, `${why}; ${unreached}`, fix));
  out.push(unknown(subject('cluster-dns'), DNS_TITLE, `${why}; ${unreached}`, fix));
  return out;
}

/** A node's primary InternalIP is its --node-ip: IPv6 first in ipv6-only, an IPv6 one present in dual-stack. */
export function nodeIpChecks(nodes: ClusterSnapshot['nodes'], config: WebhookConfig): Check[] {
  if (!nodes.ok) return [unknown('kubelet.node-ip', NODE_IP_TITLE, `cannot list Nodes: ${nodes.error}`, 'grant list on nodes')];
  if (nodes.value.length === 0) return [unknown('kubelet.node-ip', NODE_IP_TITLE, 'no Nodes are registered', 'join the nodes, then run doctor again')];
  return nodes.value.map((node: KubeObject) => {
    const name = nameOf(node) ?? '?';
    const id = `kubelet.node-ip/${name}`;
    const internal = nodeAddresses(node).filter((a) => a.type === 'InternalIP').map((a) => a.address);
    const fix = `start the kubelet on ${name} with --node-ip=<its IPv6 address> (kubeadm: KUBELET_EXTRA_ARGS or nodeRegistration.kubeletExtraArgs node-ip)`;
    if (internal.length === 0) return fail(id, NODE_IP_TITLE, `Node ${name} has no InternalIP`, fix);
    const kinds = internal.map((a) => addressKind(a));
    const shown = `InternalIP ${internal.join(', ')}`;
    if (config.mode === 'ipv6-only') {
      if (kinds[0] === 'ipv6') return pass(id, NODE_IP_TITLE, `${shown}: the primary address is IPv6${kinds.includes('ipv4') ? ' (an IPv4 address is listed too)' : ''}`);
      return fail(id, NODE_IP_TITLE, `${shown}: the primary address is ${kinds.includes('ipv6') ? 'IPv4, with IPv6 second' : 'IPv4 and there is no IPv6 address'}`, fix);
    }
    return kinds.includes('ipv6') ? pass(id, NODE_IP_TITLE, `${shown} (has IPv6)`) : fail(id, NODE_IP_TITLE, `${shown}: no IPv6 address`, fix.replace('--node-ip=<its IPv6 address>', '--node-ip=<IPv4>,<IPv6>'));
  });
}
