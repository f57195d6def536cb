// The guide's flags of kube-apiserver, kube-controller-manager and kube-scheduler, read from their
// (mirror) Pods in kube-system: static pods named `<component>-<node>`.
import type { WebhookConfig } from '../config/types.js';
import { addressKind } from '../net/address.js';
import { compareCidrList, urlHost } from '../targets/shared/compare.js';
import { splitList } from '../k8s/config-text.js';
import { parseIpv6Cidr } from '../net/ranges.js';
import { nameOf } from '../k8s/object.js';
import type { KubeObject } from '../k8s/object.js';
import { fail, pass, unknown, type Check } from './check.js';
import { podFlags, showFlag } from './flags.js';
import type { Fetched } from './snapshot.js';

type Flags = Map<string, string>;
type ItemCheck = (flags: Flags, config: WebhookConfig) => Omit<Check, 'id' | 'title'>;

interface Item {
  item: string;
  title: string;
  check: ItemCheck;
}

interface Component {
  name: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler';
  items: Item[];
}

const ok = (evidence: string) => ({ status: 'pass' as const, evidence, fix: '' });
const bad = (evidence: string, fix: string) => ({ status: 'fail' as const, evidence, fix });
const unsure = (evidence: string, fix: string) => ({ status: 'unknown' as const, evidence, fix });

/** A listening address: IPv6, `::`, or unspecified (which Go binds on every family). */
function listenAddress(flags: Flags, flag: string, config: WebhookConfig, manifest: string): Omit<Check, 'id' | 'title'> {
  const value = flags.get(flag);
  const shown = showFlag(flags, flag);
  if (value === undefined) return ok(`${shown}: the unspecified address, listening on every interface and address family`);
  const kind = addressKind(value);
  if (kind === 'ipv6' || kind === 'ipv6-any') return ok(`${shown} (IPv6)`);
  if (kind === 'ipv4-any') return ok(`${shown}: the unspecified address, listening on every interface and address family (IPv6 included)`);
  if (kind === 'ipv4' && config.mode === 'dual-stack') return ok(`${shown} (IPv4; allowed in dual-stack)`);
  return bad(`${shown} is ${kind === 'ipv4' ? 'an IPv4 address: not reachable over IPv6' : 'not an IP address'}`,
    `set --${flag}=:: (or the host's IPv6 address) in ${manifest}`);
}

/** `--master`: deprecated; without it the server comes from --kubeconfig, a file doctor cannot read. */
function masterAddress(component: string): ItemCheck {
  return (flags, config) => {
    const value = flags.get('master');
    const manifest = `/etc/kubernetes/manifests/${component}.yaml`;
    if (value === undefined) {
      const kubeconfig = flags.get('kubeconfig');
      return unsure(`--master not set: the API server address comes from ${kubeconfig ? `--kubeconfig=${kubeconfig}` : 'the in-cluster configuration'}, a file on the control-plane host that doctor cannot read`,
        `check that the server: in ${kubeconfig ?? 'its kubeconfig'} is an IPv6 address (https://[fd00::1]:6443) or a name that resolves to one`);
    }
    const host = urlHost(value);
    const kind = host === undefined ? 'invalid' : addressKind(host);
    if (kind === 'ipv6') return ok(`--master=${value} (IPv6)`);
    if (kind === 'ipv4' && config.mode === 'dual-stack') return ok(`--master=${value} (IPv4; allowed in dual-stack)`);
    if (kind === 'name') return unsure(`--master=${value} names a host; doctor does not resolve names`, `make sure ${host ?? value} resolves to the API server's IPv6 address`);
    return bad(`--master=${value} is ${kind === 'ipv4' ? 'an IPv4 address' : 'not an API server URL'}`, `set --master to the API server's IPv6 URL (https://[<address>]:6443) in ${manifest}, or remove it and use --kubeconfig`);
  };
}

const APISERVER_MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';
const CONTROLLER_MANIFEST = '/etc/kubernetes/manifests/kube-controller-manager.yaml';

const COMPONENTS: Component[] = [
  {
    name: 'kube-apiserver',
    items: [
      {
        item: 'bind-address',
        title: 'kube-apiserver --bind-address is IPv6 or ::',
        check: (flags, config) => {
          const secure = listenAddress(flags, 'bind-address', config, APISERVER_MANIFEST);
          // The insecure port is gone since 1.24; an old server that still has it must bind IPv6 too.
          if (flags.has('insecure-bind-address')) {
            const insecure = listenAddress(flags, 'insecure-bind-address', config, APISERVER_MANIFEST);
            if (insecure.status !== 'pass') return insecure;
            return { ...secure, evidence: `${secure.evidence}; ${insecure.evidence}` };
          }
          return secure;
        },
      },
      {
        item: 'advertise-address',
        title: 'kube-apiserver --advertise-address is IPv6',
        check: (flags, config) => {
          const value = flags.get('advertise-address');
          const fix = `set --advertise-address to the host's IPv6 address in ${APISERVER_MANIFEST}`;
          if (value === undefined) {
            const bind = flags.get('bind-address');
            if (bind !== undefined && addressKind(bind) === 'ipv6') return ok(`--advertise-address not set: kube-apiserver advertises --bind-address=${bind} (IPv6)`);
            return unsure(`--advertise-address not set${bind ? ` and --bind-address=${bind} is not a single IPv6 address` : ''}: kube-apiserver advertises its default-route interface's address, which doctor cannot see`, fix);
          }
          const kind = addressKind(value);
          if (kind === 'ipv6') return ok(`--advertise-address=${value} (IPv6)`);
          if (kind === 'ipv4' && config.mode === 'dual-stack') return ok(`--advertise-address=${value} (IPv4; allowed in dual-stack)`);
          return bad(`--advertise-address=${value} is ${kind === 'ipv4' ? 'an IPv4 address' : kind.endsWith('-any') ? 'an unspecified address, which cannot be advertised' : 'not an IP address'}`, fix);
        },
      },
      {
        item: 'service-cluster-ip-range',
        title: 'kube-apiserver --service-cluster-ip-range is the IPv6 service CIDR, holding the DNS address',
        check: (flags, config) => {
          const value = flags.get('service-cluster-ip-range');
          const fix = `set --service-cluster-ip-range=${config.mode === 'ipv6-only' ? config.serviceCIDR.text : `<IPv4 CIDR>,${config.serviceCIDR.text}`} in ${APISERVER_MANIFEST} (it holds the DNS address ${config.clusterDNS.toString()})`;
          if (value === undefined) return bad('--service-cluster-ip-range not set: the default 10.0.0.0/24 is IPv4', fix);
          const verdict = compareCidrList(splitList(value), config.serviceCIDR, config.mode);
          return verdict.ok
            ? ok(`--service-cluster-ip-range=${value}, which holds clusterDNS ${config.clusterDNS.toString()}`)
            : bad(`--service-cluster-ip-range=${value} ${verdict.reason} (serviceCIDR)`, fix);
        },
      },
    ],
  },
  {
    name: 'kube-controller-manager',
    items: [
      { item: 'master', title: 'kube-controller-manager --master is IPv6', check: masterAddress('kube-controller-manager') },
      {
        item: 'cluster-cidr',
        title: 'kube-controller-manager --cluster-cidr is the Calico IPv6 pool',
        check: (flags, config) => {
          const value = flags.get('cluster-cidr');
          const allocate = flags.get('allocate-node-cidrs') === 'true';
          const fix = `set --cluster-cidr=${config.mode === 'ipv6-only' ? config.podCIDR.text : `<IPv4 CIDR>,${config.podCIDR.text}`} in ${CONTROLLER_MANIFEST}, the same as CALICO_IPV6POOL_CIDR`;
          if (value === undefined) {
            return allocate
              ? bad('--cluster-cidr not set, but --allocate-node-cidrs=true needs it', fix)
              : ok('--cluster-cidr not set and --allocate-node-cidrs is off: nothing in the controller manager reads it (calico-ipam assigns pod addresses)');
          }
          const verdict = compareCidrList(splitList(value), config.podCIDR, config.mode);
          return verdict.ok ? ok(`--cluster-cidr=${value} (podCIDR)`) : bad(`--cluster-cidr=${value} ${verdict.reason} (podCIDR)`, fix);
        },
      },
      {
        item: 'node-cidr-mask-size',
        title: 'kube-controller-manager --node-cidr-mask-size fits the IPv6 cluster CIDR when --allocate-node-cidrs is on',
        check: (flags) => {
          if (flags.get('allocate-node-cidrs') !== 'true') return ok(`${showFlag(flags, 'allocate-node-cidrs')}: node CIDRs are not allocated, so no mask size is needed (calico-ipam)`);
          const cidrs = splitList(flags.get('cluster-cidr'));
          const v6 = cidrs.map((c) => parseIpv6Cidr(c)).find((p) => p.ok);
          if (!v6?.ok) return bad('--allocate-node-cidrs=true without an IPv6 --cluster-cidr to carve node CIDRs from', `set an IPv6 --cluster-cidr in ${CONTROLLER_MANIFEST}, or turn --allocate-node-cidrs off`);
          const prefix = v6.cidr.prefix;
          const flag = flags.has('node-cidr-mask-size-ipv6') ? 'node-cidr-mask-size-ipv6' : cidrs.length === 1 && flags.has('node-cidr-mask-size') ? 'node-cidr-mask-size' : undefined;
          const mask = flag ? Number(flags.get(flag)) : 64;
          const shown = flag ? `--${flag}=${flags.get(flag)}` : 'node mask /64 (the IPv6 default)';
          const suggested = Math.min(128, prefix + 8);
          const fix = `set --node-cidr-mask-size${cidrs.length > 1 ? '-ipv6' : ''}=${suggested} (between ${prefix} and ${Math.min(128, prefix + 16)}) in ${CONTROLLER_MANIFEST}, or turn --allocate-node-cidrs off when calico-ipam assigns addresses`;
          if (!Number.isInteger(mask)) return bad(`${shown} is not a number`, fix);
          // The controller manager refuses a node mask shorter than the cluster's, or more than 16 bits longer.
          if (mask < prefix || mask > 128 || mask - prefix > 16) {
            return bad(`${shown} does not fit cluster CIDR ${v6.cidr.text}: a node CIDR must be /${prefix}../${Math.min(128, prefix + 16)}`, fix);
          }
          return ok(`${shown} fits cluster CIDR ${v6.cidr.text} (${2 ** (mask - prefix)} node CIDRs)`);
        },
      },
    ],
  },
  {
    name: 'kube-scheduler',
    items: [{ item: 'master', title: 'kube-scheduler --master is IPv6', check: masterAddress('kube-scheduler') }],
  },
];

/** Mirror pods of static pods are named `<component>-<node name>`. */
function componentPods(pods: readonly KubeObject[], component: string): KubeObject[] {
  return pods.filter((p) => nameOf(p)?.startsWith(`${component}-`));
}

export function controlPlaneChecks(pods: Fetched<KubeObject[]>, config: WebhookConfig): Check[] {
  const out: Check[] = [];
  for (const component of COMPONENTS) {
    const found = pods.ok ? componentPods(pods.value, component.name) : [];
    for (const item of component.items) {
      const id = `${component.name}.${item.item}`;
      if (!pods.ok) {
        out.push(unknown(id, item.title, `cannot list Pods in kube-system: ${pods.error}`, 'grant list on pods in kube-system, or run doctor with more access'));
        continue;
      }
      if (found.length === 0) {
        out.push(unknown(id, item.title, `no ${component.name}-* Pod in kube-system: the component does not run as a static pod here (a managed control plane?), so its flags cannot be read`,
          `check ${component.name}'s flags where it runs`));
        continue;
      }
      for (const pod of found) {
        const result = item.check(podFlags(pod, component.name), config);
        const subject = `${id}/${nameOf(pod) ?? '?'}`;
        out.push(result.status === 'pass' ? pass(subject, item.title, result.evidence)
          : result.status === 'fail' ? fail(subject, item.title, result.evidence, result.fix)
            : unknown(subject, item.title, result.evidence, result.fix));
      }
    }
  }
  return out;
}
