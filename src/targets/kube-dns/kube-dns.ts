// kube-dns Deployment (DESIGN 3.3): image versions, bind address, negative caching and probe types.
import { ContainerArgs, type ArgAt } from '../shared/container-args.js';
import type { KubeObject } from '../../k8s/object.js';
import { workloadContainers, containerPath, type Container } from '../shared/workload.js';
import { atLeast, formatImage, formatVersion, parseImage, parseVersion } from '../../k8s/versions.js';
import { shown, type Report } from '../report.js';
import { defineTarget, matchesResource, type RuleContext, type TargetResource } from '../target.js';

const RULE = 'kube-dns';
const DEPLOYMENT: TargetResource = { group: 'apps', versions: ['v1'], resource: 'deployments', kind: 'Deployment', namespaced: true, names: ['kube-dns'], legacyGroups: ['extensions'] };
const ARCH_SUFFIX = /-(amd64|arm64|arm|ppc64le|s390x)$/;

type Role = 'kubedns' | 'dnsmasq' | 'sidecar';
const IMAGE_OF: Record<Role, string> = { kubedns: 'k8s-dns-kube-dns', dnsmasq: 'k8s-dns-dnsmasq-nanny', sidecar: 'k8s-dns-sidecar' };

function roleOf(container: Container): Role | undefined {
  if (typeof container.image === 'string') {
    const name = parseImage(container.image).name.replace(ARCH_SUFFIX, '');
    const byImage = (Object.keys(IMAGE_OF) as Role[]).find((role) => IMAGE_OF[role] === name);
    if (byImage) return byImage;
  }
  return (Object.keys(IMAGE_OF) as Role[]).find((role) => role === container.name);
}

interface DnsContainer {
  role: Role;
  container: Container;
  index: number;
  args: ContainerArgs;
}

function dnsContainers(object: KubeObject, report: Report): DnsContainer[] {
  const out: DnsContainer[] = [];
  workloadContainers(object, RULE, report).forEach((container, index) => {
    const role = roleOf(container);
    if (!role) return;
    const args = ContainerArgs.of(container, index, RULE, report);
    if (args) out.push({ role, container, index, args });
  });
  return out;
}

function raiseImage(c: DnsContainer, ctx: RuleContext, report: Report): void {
  if (typeof c.container.image !== 'string') return;
  const ref = parseImage(c.container.image);
  const min = ctx.config.kubeDNS.minImageVersion;
  const current = ref.tag !== undefined ? parseVersion(ref.tag) : undefined;
  if (ref.digest !== undefined || !current || atLeast(current, min)) return;
  const raised = formatImage({ ...ref, tag: formatVersion(min, ref.tag?.startsWith('v') ? 'v' : '') });
  report.change({ rule: `${RULE}/image-version`, path: `${containerPath(c.container, c.index)}.image`, found: shown(c.container.image), expected: shown(raised),
    fix: `kube-dns images before ${formatVersion(min, '')} do not serve IPv6 correctly; raise the tag` });
  c.container.image = raised;
}

const BIND_FLAG = '--dns-bind-address';
const BIND_VALUE = '[::]';

function bindAddress(c: DnsContainer, report: Report): void {
  const all = c.args.all();
  // kube-dns parses flags with pflag, where the last occurrence of a flag wins: that one is checked.
  const at = all.findLastIndex((a) => a.value === BIND_FLAG || a.value.startsWith(`${BIND_FLAG}=`));
  const fix = 'kubedns formats the address as host:port, so the IPv6 any-address must be bracketed: --dns-bind-address=[::]';
  const wanted = `${BIND_FLAG}=${BIND_VALUE}`;
  const found = all[at];
  if (!found) {
    const list = c.args.flagList();
    report.change({ rule: `${RULE}/bind-address`, path: `${c.args.path}.${list}`, found: 'absent', expected: shown(wanted), fix });
    c.args.append(list, wanted);
    return;
  }
  if (found.value === wanted) return;
  // `--dns-bind-address VALUE` in two items: rewrite both into one.
  const next = all[at + 1];
  if (found.value === BIND_FLAG && next && next.list === found.list && next.value === BIND_VALUE) return;
  report.change({ rule: `${RULE}/bind-address`, path: c.args.pathOf(found), found: shown(found.value), expected: shown(wanted), fix });
  c.args.replace(found, wanted);
  if (found.value === BIND_FLAG && next && next.list === found.list && !next.value.startsWith('-')) c.args.remove(next);
}

const NO_NEGCACHE = '--no-negcache';

function noNegcache(c: DnsContainer, report: Report): void {
  const all = c.args.all();
  const separator = all.findIndex((a) => a.value === '--');
  const afterSeparator = separator >= 0 ? all.slice(separator + 1) : [];
  if (afterSeparator.some((a) => a.value === NO_NEGCACHE)) return;
  const fix = 'dnsmasq must not cache negative answers, or AAAA misses stick; its own options go after the -- separator of dnsmasq-nanny';
  const misplaced = (separator >= 0 ? all.slice(0, separator) : all).filter((a) => a.value === NO_NEGCACHE);
  const sepAt = all[separator];
  const list = sepAt ? sepAt.list : c.args.flagList();
  for (const at of [...misplaced].reverse()) c.args.remove(at);
  if (sepAt) c.args.append(list, NO_NEGCACHE);
  else c.args.append(list, '--', NO_NEGCACHE);
  report.change({ rule: `${RULE}/no-negcache`, path: misplaced[0] ? c.args.pathOf(misplaced[0]) : `${c.args.path}.${list}`,
    found: misplaced.length > 0 ? `${NO_NEGCACHE} before the -- separator` : 'absent', expected: `${NO_NEGCACHE} after --`, fix });
}

const PROBE_FLAG = '--probe=';

export interface Probe {
  label: string;
  server: string;
  name: string;
  interval: string | undefined;
  type: string | undefined;
}

/** `label,server[:port],name[,interval][,type]`, as kube-dns' sidecar parses it. */
export function parseProbe(value: string): Probe | undefined {
  const parts = value.split(',');
  if (parts.length < 3 || parts.length > 5) return undefined;
  const [label, server, name, interval, type] = parts as [string, string, string, string?, string?];
  return { label, server, name, interval, type };
}

export function formatProbe(probe: Probe): string {
  return [probe.label, probe.server, probe.name, probe.interval ?? '5', probe.type].filter((p) => p !== undefined).join(',');
}

function probeArgs(c: DnsContainer): ArgAt[] {
  return c.args.all().filter((a) => a.value.startsWith(PROBE_FLAG));
}

function probeTypes(c: DnsContainer, report: Report): void {
  for (const at of probeArgs(c)) {
    const probe = parseProbe(at.value.slice(PROBE_FLAG.length));
    if (!probe || probe.type === 'SRV') continue;
    const fixed = `${PROBE_FLAG}${formatProbe({ ...probe, type: 'SRV' })}`;
    report.change({ rule: `${RULE}/probe-type`, path: c.args.pathOf(at), found: shown(at.value), expected: shown(fixed),
      fix: `wrong probe type: ${probe.type ?? 'the default ANY'} probes fail in an IPv6-only cluster and restart-loop the pod; use SRV` });
    c.args.replace(at, fixed);
  }
}

/** A server that is a bare IPv6 address is ambiguous (is the last group a port?), so it is never guessed. */
function validateProbeServers(c: DnsContainer, report: Report): void {
  for (const at of probeArgs(c)) {
    const raw = at.value.slice(PROBE_FLAG.length);
    const probe = parseProbe(raw);
    if (!probe) {
      report.problem({ rule: `${RULE}/probe-syntax`, path: c.args.pathOf(at), found: shown(at.value), expected: '--probe=label,server[:port],name[,interval][,type]',
        fix: 'write the probe with 3 to 5 comma-separated fields' });
      continue;
    }
    const colons = probe.server.split(':').length - 1;
    if (colons > 1 && !probe.server.startsWith('[')) {
      report.problem({ rule: `${RULE}/probe-server`, path: c.args.pathOf(at), found: shown(probe.server), expected: 'a bracketed IPv6 address with a port, e.g. [::1]:10053',
        fix: 'bracket the IPv6 address and give the port: [address]:port' });
    }
  }
}

function isKubeDns(object: KubeObject, containers: DnsContainer[]): boolean {
  return matchesResource(DEPLOYMENT, object) && containers.length > 0;
}

function mutate(object: KubeObject, ctx: RuleContext, report: Report): void {
  const containers = dnsContainers(object, report);
  // A Deployment called kube-dns that runs CoreDNS (kubeadm names it so) is not kube-dns.
  if (!isKubeDns(object, containers)) return;
  for (const c of containers) {
    raiseImage(c, ctx, report);
    if (c.role === 'kubedns') bindAddress(c, report);
    if (c.role === 'dnsmasq') noNegcache(c, report);
    if (c.role === 'sidecar') probeTypes(c, report);
  }
}

function validate(object: KubeObject, ctx: RuleContext, report: Report): void {
  const containers = dnsContainers(object, report);
  if (!isKubeDns(object, containers)) return;
  for (const c of containers) {
    if (typeof c.container.image === 'string') {
      const ref = parseImage(c.container.image);
      if (ref.digest !== undefined) report.warn(`kube-dns: ${c.container.name ?? c.role} image is pinned by digest; its version cannot be checked (needs >= ${formatVersion(ctx.config.kubeDNS.minImageVersion, '')})`);
      else if (ref.tag === undefined || !parseVersion(ref.tag)) report.warn(`kube-dns: ${c.container.name ?? c.role} image tag ${shown(ref.tag)} names no version; it cannot be checked (needs >= ${formatVersion(ctx.config.kubeDNS.minImageVersion, '')})`);
    }
    if (c.role === 'sidecar') validateProbeServers(c, report);
  }
  const roles = new Set(containers.map((c) => c.role));
  for (const role of ['kubedns', 'dnsmasq', 'sidecar'] as const) {
    if (!roles.has(role)) report.warn(`kube-dns: no ${role} container (${IMAGE_OF[role]}) found; its IPv6 settings were not checked`);
  }
}

export const kubeDnsDeploymentTarget = defineTarget({
  id: RULE,
  description: 'kube-dns Deployment: images >= kubeDNS.minImageVersion, --dns-bind-address=[::], --no-negcache, SRV sidecar probes',
  resources: [DEPLOYMENT],
  mutate,
  // Images, and the args (or command) of kubedns, dnsmasq and the sidecar's probes.
  writes: ['spec.template.spec.containers[*].args', 'spec.template.spec.containers[*].command'],
  validate,
  doctor: {
    items: [
      { item: 'image-version', title: 'kube-dns images are at least kubeDNS.minImageVersion', rules: ['kube-dns/image-version'] },
      { item: 'bind-address', title: 'kubedns --dns-bind-address=[::]', rules: ['kube-dns/bind-address'] },
      { item: 'no-negcache', title: 'dnsmasq --no-negcache', rules: ['kube-dns/no-negcache'] },
      { item: 'probe-type', title: 'sidecar probes use SRV, not A', rules: ['kube-dns/probe-type', 'kube-dns/probe-server', 'kube-dns/probe-syntax'] },
    ],
  },
});
