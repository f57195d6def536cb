// kube-dns Service (DESIGN 3.4): its clusterIP is the kubelet's --cluster-dns, and it is immutable.
// It is the cluster's DNS address whatever serves behind it: kubeadm's CoreDNS Service (label
// kubernetes.io/name: CoreDNS) is kube-system/kube-dns too, and the kubelet sends every pod's DNS to it
// (issue 23). Only the kube-dns Deployment's rules leave CoreDNS alone.
import { isRecord, namespaceOf, type KubeObject } from '../../k8s/object.js';
import { isIpv4Address, parseIpv6Address, sameAddress } from '../../net/ranges.js';
import { shown, type Report } from '../report.js';
import { defineTarget, type Judgement, type RuleContext } from '../target.js';

const RULE = 'kube-dns-service';

/**
 * A CoreDNS Service named kube-dns outside kube-system (a CoreDNS install of its own) is not the Service the
 * kubelet's --cluster-dns points at; in kube-system (or with no namespace, as a file gives it) it is.
 */
function otherCoreDns(object: KubeObject): boolean {
  const namespace = namespaceOf(object);
  return object.metadata?.labels?.['kubernetes.io/name'] === 'CoreDNS' && namespace !== undefined && namespace !== 'kube-system';
}

/** An ExternalName Service is a DNS alias with no cluster IP (the API server refuses one on it). */
function isExternalName(object: KubeObject): boolean {
  return isRecord(object.spec) && object.spec.type === 'ExternalName';
}

function specOf(object: KubeObject, report: Report): Record<string, unknown> | undefined {
  if (object.spec === undefined) return undefined;
  if (!isRecord(object.spec)) {
    report.malform({ rule: `${RULE}/shape`, path: 'spec', found: typeof object.spec, expected: 'a mapping', fix: 'write spec as a mapping' });
    return undefined;
  }
  return object.spec;
}

function isClusterDns(value: unknown, ctx: RuleContext): boolean {
  const address = typeof value === 'string' ? parseIpv6Address(value) : undefined;
  return address !== undefined && sameAddress(address, ctx.config.clusterDNS);
}

/** ipFamilies the mode allows, with IPv6 first because the clusterIP is IPv6. */
function expectedFamilies(current: unknown, ctx: RuleContext): string[] {
  if (ctx.config.mode === 'ipv6-only' || !Array.isArray(current)) return ['IPv6'];
  return ['IPv6', ...current.filter((f) => f !== 'IPv6' && typeof f === 'string')];
}

function familiesFit(current: unknown, ctx: RuleContext): boolean {
  return !Array.isArray(current) || JSON.stringify(current) === JSON.stringify(expectedFamilies(current, ctx));
}

function mutate(object: KubeObject, ctx: RuleContext, report: Report): void {
  if (otherCoreDns(object) || isExternalName(object)) return;
  // On UPDATE clusterIP is immutable: nothing can be fixed. The API server checks immutability before
  // the validating webhook runs, so the refusal is made here for the user to see why and what to do.
  if (ctx.operation === 'UPDATE') {
    keepStoredClusterIP(object, ctx, report);
    checkUpdate(object, ctx, report);
    return;
  }
  if (ctx.operation !== 'CREATE') return;
  const spec = specOf(object, report) ?? (object.spec === undefined ? (object.spec = {}) : undefined);
  if (!spec) return;
  const dns = ctx.config.clusterDNS.toString();
  if (!isClusterDns(spec.clusterIP, ctx)) {
    report.change({ rule: `${RULE}/cluster-ip`, path: 'spec.clusterIP', found: shown(spec.clusterIP), expected: shown(dns),
      fix: "the kube-dns Service must answer at the kubelet's --cluster-dns address" });
    report.warn(`kube-dns Service: clusterIP ${spec.clusterIP === undefined ? '(none)' : String(spec.clusterIP)} replaced by ${dns}, the kubelet's --cluster-dns`);
    spec.clusterIP = dns;
  }
  if (Array.isArray(spec.clusterIPs) && !(spec.clusterIPs.length >= 1 && isClusterDns(spec.clusterIPs[0], ctx) && (ctx.config.mode === 'dual-stack' || spec.clusterIPs.length === 1))) {
    report.change({ rule: `${RULE}/cluster-ip`, path: 'spec.clusterIPs', found: shown(spec.clusterIPs), expected: shown([dns]), fix: 'clusterIPs[0] must equal clusterIP' });
    spec.clusterIPs = [dns];
  }
  if (!familiesFit(spec.ipFamilies, ctx)) {
    const families = expectedFamilies(spec.ipFamilies, ctx);
    report.change({ rule: `${RULE}/ip-families`, path: 'spec.ipFamilies', found: shown(spec.ipFamilies), expected: shown(families), fix: `the cluster DNS address is IPv6 (${ctx.config.mode})` });
    spec.ipFamilies = families;
  }
}

function validate(object: KubeObject, ctx: RuleContext, report: Report): void {
  if (otherCoreDns(object)) return;
  if (isExternalName(object)) {
    report.warn(`kube-dns Service: type ExternalName (${shown((object.spec as Record<string, unknown>).externalName)}) has no cluster IP, so it cannot answer at the kubelet's --cluster-dns ${ctx.config.clusterDNS.toString()}; left alone`);
    return;
  }
  const spec = specOf(object, report);
  if (!spec) return;
  if (ctx.operation === 'UPDATE') checkUpdate(object, ctx, report);
  if (ctx.config.mode === 'ipv6-only' && spec.ipFamilyPolicy === 'RequireDualStack') {
    report.problem({ rule: `${RULE}/ip-family-policy`, path: 'spec.ipFamilyPolicy', found: shown(spec.ipFamilyPolicy), expected: '"SingleStack" or absent',
      fix: 'an IPv6-only cluster has no IPv4 service range; remove ipFamilyPolicy or set SingleStack' });
  }
}

/**
 * Re-applying the upstream manifest sends its IPv4 clusterIP again (kubectl's three-way merge), though
 * the stored Service already has the right, immutable address. An IPv4 address cannot be meant for the
 * cluster DNS here, so the stored one is kept; a different IPv6 address is a real change and is refused.
 */
function keepStoredClusterIP(object: KubeObject, ctx: RuleContext, report: Report): void {
  const spec = isRecord(object.spec) ? object.spec : undefined;
  const oldSpec = isRecord(ctx.oldObject?.spec) ? ctx.oldObject.spec : undefined;
  if (!spec || !oldSpec || !isClusterDns(oldSpec.clusterIP, ctx) || isClusterDns(spec.clusterIP, ctx)) return;
  if (spec.clusterIP !== undefined && !(typeof spec.clusterIP === 'string' && isIpv4Address(spec.clusterIP))) return;
  report.change({ rule: `${RULE}/cluster-ip`, path: 'spec.clusterIP', found: shown(spec.clusterIP), expected: shown(oldSpec.clusterIP),
    fix: 'clusterIP is immutable and the stored Service already has the cluster DNS address' });
  report.warn(spec.clusterIP === undefined
    ? `kube-dns Service: the update gives no clusterIP; the Service keeps ${String(oldSpec.clusterIP)} (clusterIP is immutable)`
    : `kube-dns Service: clusterIP ${String(spec.clusterIP)} from the manifest ignored; the Service keeps ${String(oldSpec.clusterIP)} (clusterIP is immutable)`);
  spec.clusterIP = oldSpec.clusterIP;
  if (Array.isArray(oldSpec.clusterIPs)) spec.clusterIPs = oldSpec.clusterIPs;
  if (Array.isArray(oldSpec.ipFamilies)) spec.ipFamilies = oldSpec.ipFamilies;
}

function checkUpdate(object: KubeObject, ctx: RuleContext, report: Report): void {
  const spec = specOf(object, report);
  if (!spec) return;
  const dns = ctx.config.clusterDNS.toString();
  const oldSpec = isRecord(ctx.oldObject?.spec) ? ctx.oldObject.spec : {};
  // A PUT may omit clusterIP; the API server then keeps the stored one.
  const clusterIP = spec.clusterIP ?? oldSpec.clusterIP;
  if (!isClusterDns(clusterIP, ctx)) {
    report.problem({ rule: `${RULE}/cluster-ip-immutable`, path: 'spec.clusterIP', found: shown(clusterIP), expected: shown(dns),
      fix: `clusterIP is immutable, so the Service must be recreated: kubectl delete service -n ${object.metadata?.namespace ?? 'kube-system'} kube-dns, then apply it again (the webhook sets ${dns})` });
  }
  if (!familiesFit(spec.ipFamilies, ctx)) {
    report.problem({ rule: `${RULE}/ip-families`, path: 'spec.ipFamilies', found: shown(spec.ipFamilies), expected: shown(expectedFamilies(spec.ipFamilies, ctx)),
      fix: 'ipFamilies cannot change in place; recreate the Service' });
  }
}

/** Doctor: whichever DNS answers (kube-dns or CoreDNS), the Service must be at the kubelet's --cluster-dns. */
function judge(object: KubeObject, _item: unknown, ctx: RuleContext): Judgement {
  const spec = isRecord(object.spec) ? object.spec : {};
  const dns = ctx.config.clusterDNS.toString();
  return isClusterDns(spec.clusterIP, ctx)
    ? { ok: true, evidence: `clusterIP ${String(spec.clusterIP)} (clusterDNS)`, fix: '' }
    : { ok: false, evidence: `clusterIP ${shown(spec.clusterIP)} is not clusterDNS ${dns}`,
      fix: `clusterIP is immutable: delete the Service (kubectl -n ${namespaceOf(object) ?? 'kube-system'} delete service kube-dns) and apply it again with clusterIP ${dns}` };
}

export const kubeDnsServiceTarget = defineTarget({
  id: RULE,
  description: "kube-dns Service: clusterIP equals the kubelet's --cluster-dns (set on CREATE, immutable on UPDATE), IPv6 families",
  resources: [{ group: '', versions: ['v1'], resource: 'services', kind: 'Service', namespaced: true, names: ['kube-dns'] }],
  // clusterIP is immutable: a stored Service is judged as an update of itself, so a wrong address is
  // reported as needing the Service to be recreated, not as a change the webhook could make.
  storedAs: 'update',
  mutate,
  writes: ['spec'],
  validate,
  doctor: {
    items: [{ item: 'cluster-ip', title: "kube-dns Service clusterIP is the kubelet's --cluster-dns", rules: ['kube-dns-service/cluster-ip', 'kube-dns-service/cluster-ip-immutable'] }],
    judge,
  },
});
