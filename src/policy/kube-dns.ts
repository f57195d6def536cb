// kube-dns Deployment in CEL (targets/kube-dns): sidecar probes rewritten to SRV, kubedns' bind address and
// dnsmasq's --no-negcache written as the webhook writes them, by JSONPatches of whole (atomic) command/args
// lists; image versions are judged as the webhook judges a manifest it did not mutate, and refused with its
// words (raising a tag rewrites each image reference).
import { kubeDnsDeploymentTarget } from '../targets/kube-dns/kube-dns.js';
import type { KubeObject } from '../k8s/object.js';
import { VERSION_RE, celVersionOfParts, celVersionParts, lit, type Substitution } from './cel.js';
import { v } from './env-cel.js';
import { param } from './params.js';
import { message, shownCel, type Witness } from './texts.js';
import type { TargetPolicy, Validation, Variable } from './model.js';

const ROLES = { kubedns: 'k8s-dns-kube-dns', dnsmasq: 'k8s-dns-dnsmasq-nanny', sidecar: 'k8s-dns-sidecar' } as const;
const ARCH = '(-(amd64|arm64|arm|ppc64le|s390x))?';
const BIND = '--dns-bind-address';
const PROBE = '--probe=';

const SIDECAR_PROBE_A = '--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,A';

function deployment(containers: Record<string, unknown>[]): Witness {
  const object: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { template: { spec: { containers } } } };
  return { object };
}

const image = (role: keyof typeof ROLES, tag = '1.14.10') => `registry.k8s.io/${ROLES[role]}-amd64:${tag}`;
const KUBEDNS_OK = { name: 'kubedns', image: image('kubedns'), args: ['--domain=cluster.local.', `${BIND}=[::]`] };
const DNSMASQ_OK = { name: 'dnsmasq', image: image('dnsmasq'), args: ['-v=2', '--', '-k', '--no-negcache'] };
const SIDECAR_OK = { name: 'sidecar', image: image('sidecar'), args: ['--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,SRV'] };

/** CEL: the role of container `c` (by image name in any registry, else by container name), or ''. */
function roleCel(c: string): string {
  const name = `${c}.?image.orValue('').split('@')[0].split('/')[size(${c}.?image.orValue('').split('@')[0].split('/')) - 1].split(':')[0]`;
  const byImage = Object.entries(ROLES).reduceRight((acc, [role, img]) => `${name}.matches(${lit(`^${img}${ARCH}$`)}) ? ${lit(role)} : (${acc})`, "''");
  return `((${byImage}) != '' ? (${byImage}) : (${c}.?name.orValue('') in ${JSON.stringify(Object.keys(ROLES)).replace(/"/g, "'")} ? ${c}.name : ''))`;
}

/** CEL on a probe argument `a`: the fields after --probe=. */
const fields = (a: string) => `${a}.substring(${PROBE.length}).split(',')`;
/** A probe the sidecar parses (3..5 fields) whose type is not SRV: the webhook rewrites it. */
const needsSrv = (a: string) => `(${a}.startsWith(${lit(PROBE)}) && size(${fields(a)}) >= 3 && size(${fields(a)}) <= 5 && (size(${fields(a)}) < 5 || ${fields(a)}[4] != 'SRV'))`;
const srv = (a: string) => `${lit(PROBE)} + ${fields(a)}[0] + ',' + ${fields(a)}[1] + ',' + ${fields(a)}[2] + ',' + (size(${fields(a)}) > 3 ? ${fields(a)}[3] : '5') + ',SRV'`;

function variables(): Variable[] {
  const cs = v('containers');
  const idx = (role: string) => `${v('roles')}.indexOf(${lit(role)})`;
  const list = (c: string) => `${c}.?command.orValue([]) + ${c}.?args.orValue([])`;
  const tagOf = (c: string) => `(${c}.?image.orValue('').contains('@') ? '' : (${c}.?image.orValue('').split('/')[size(${c}.?image.orValue('').split('/')) - 1].contains(':') ? ${c}.image.split('/')[size(${c}.image.split('/')) - 1].split(':')[1] : ''))`;
  const below = (c: string) => `(${tagOf(c)}.matches(${lit(VERSION_RE)}) && ${celVersionOfParts(celVersionParts(tagOf(c)))} < ${v('minVersion')})`;
  return [
    { name: 'containers', expression: 'object.?spec.?template.?spec.?containers.orValue([])' },
    { name: 'roles', expression: `${cs}.map(c, ${roleCel('c')})` },
    { name: 'isKubeDns', expression: `${v('roles')}.exists(r, r != '')` },
    { name: 'si', expression: idx('sidecar') },
    { name: 'ki', expression: idx('kubedns') },
    { name: 'di', expression: idx('dnsmasq') },
    { name: 'sidecar', expression: `${cs}[${v('si')} >= 0 ? ${v('si')} : 0]` },
    { name: 'sidecarPath', expression: `'spec.template.spec.containers[' + (${v('sidecar')}.?name.hasValue() ? 'name=' + ${v('sidecar')}.name : string(${v('si')})) + ']'` },
    { name: 'sidecarArgs', expression: `${v('si')} >= 0 ? ${v('sidecar')}.?args.orValue([]) : []` },
    { name: 'probeAt', expression: `${v('sidecarArgs')}.map(a, ${needsSrv('a')}).indexOf(true)` },
    { name: 'syntaxAt', expression: `${v('sidecarArgs')}.map(a, a.startsWith(${lit(PROBE)}) && (size(${fields('a')}) < 3 || size(${fields('a')}) > 5)).indexOf(true)` },
    {
      name: 'serverAt',
      expression: `${v('sidecarArgs')}.map(a, a.startsWith(${lit(PROBE)}) && size(${fields('a')}) >= 3 && size(${fields('a')}) <= 5 && size(${fields('a')}[1].split(':')) > 2 && !${fields('a')}[1].startsWith('[')).indexOf(true)`,
    },
    // kubedns: pflag's last --dns-bind-address wins.
    { name: 'kubedns', expression: `${cs}[${v('ki')} >= 0 ? ${v('ki')} : 0]` },
    { name: 'kubednsAll', expression: `${v('ki')} >= 0 ? ${list(v('kubedns'))} : []` },
    { name: 'bindAt', expression: `${v('kubednsAll')}.map(a, a == ${lit(BIND)} || a.startsWith(${lit(`${BIND}=`)})).lastIndexOf(true)` },
    {
      name: 'bindOk',
      expression: `${v('bindAt')} >= 0 && (${v('kubednsAll')}[${v('bindAt')}] == ${lit(`${BIND}=[::]`)} || (${v('kubednsAll')}[${v('bindAt')}] == ${lit(BIND)} && ${v('bindAt')} + 1 < size(${v('kubednsAll')}) && ${v('kubednsAll')}[${v('bindAt')} + 1] == '[::]'))`,
    },
    { name: 'dnsmasq', expression: `${cs}[${v('di')} >= 0 ? ${v('di')} : 0]` },
    { name: 'dnsmasqAll', expression: `${v('di')} >= 0 ? ${list(v('dnsmasq'))} : []` },
    { name: 'negcacheOk', expression: `${v('dnsmasqAll')}.indexOf('--') >= 0 && ${v('dnsmasqAll')}.lastIndexOf('--no-negcache') > ${v('dnsmasqAll')}.indexOf('--')` },
    { name: 'minVersion', expression: celVersionOfParts(celVersionParts(param('minImageVersion'))) },
    { name: 'oldImage', expression: `${cs}.map(c, ${roleCel('c')} != '' && ${below('c')}).indexOf(true)` },
  ];
}

/** CEL: JSONPatch `add` (which replaces an existing member, RFC 6902 4.1) of a whole list of container `i`. */
const setList = (i: string, list: string, value: string) => `JSONPatch{op: 'add', path: '/spec/template/spec/containers/' + string(${i}) + '/' + ${list}, value: ${value}}`;
/** Where the webhook writes a new flag (ContainerArgs.flagList): the list that holds flags, args by default. */
const flagList = (c: string) => `(size(${c}.?args.orValue([])) > 0 || !${c}.?command.orValue([]).exists(a, a.startsWith('-')) ? 'args' : 'command')`;

/**
 * The webhook's edits of the first container of each role, as JSONPatches of whole (atomic) lists, giving the
 * lists the webhook gives: sidecar probes to SRV in place; kubedns' last --dns-bind-address replaced in place
 * (its value item removed when given apart), else --dns-bind-address=[::] appended to the flag list; dnsmasq's
 * --no-negcache items (all before the separator, or the check would pass) removed and one appended after --,
 * with -- added when there is none. The list functions slice() are k8s.io/apiserver pkg/cel/library/lists.go.
 */
function mutation(): string {
  const k = v('kubedns');
  const cmdSize = `size(${k}.?command.orValue([]))`;
  const bindList = `(${v('bindAt')} < ${cmdSize} ? 'command' : 'args')`;
  const bindIdx = `(${v('bindAt')} < ${cmdSize} ? ${v('bindAt')} : ${v('bindAt')} - ${cmdSize})`;
  const listOf = (c: string, list: string) => `(${list} == 'command' ? ${c}.?command.orValue([]) : ${c}.?args.orValue([]))`;
  const bl = listOf(k, bindList);
  const dropNext = `(${v('kubednsAll')}[${v('bindAt')}] == ${lit(BIND)} && ${bindIdx} + 1 < size(${bl}) && !${bl}[${bindIdx} + 1].startsWith('-'))`;
  const bindPatch = `${v('ki')} < 0 || ${v('bindOk')} ? [] : (${v('bindAt')} < 0
    ? [${setList(v('ki'), flagList(k), `${listOf(k, flagList(k))} + [${lit(`${BIND}=[::]`)}]`)}]
    : [${setList(v('ki'), bindList, `${bl}.slice(0, ${bindIdx}) + [${lit(`${BIND}=[::]`)}] + ${bl}.slice(${bindIdx} + (${dropNext} ? 2 : 1), size(${bl}))`)}])`;
  const d = v('dnsmasq');
  const sepIn = `(${d}.?command.orValue([]).exists(a, a == '--') ? 'command' : 'args')`;
  const hasSep = `${v('dnsmasqAll')}.exists(a, a == '--')`;
  const without = (list: string) => `${d}.?${list}.orValue([]).filter(a, a != '--no-negcache')`;
  const target = `(${hasSep} ? ${sepIn} : ${flagList(d)})`;
  const tail = `(${hasSep} ? ['--no-negcache'] : ['--', '--no-negcache'])`;
  const listPatch = (list: 'command' | 'args') =>
    `(${target} == '${list}' ? [${setList(v('di'), `'${list}'`, `${without(list)} + ${tail}`)}] : (${d}.?${list}.orValue([]).exists(a, a == '--no-negcache') ? [${setList(v('di'), `'${list}'`, without(list))}] : []))`;
  const negPatch = `${v('di')} < 0 || ${v('negcacheOk')} ? [] : ${listPatch('command')} + ${listPatch('args')}`;
  const probePatch = `${v('si')} >= 0 && ${v('probeAt')} >= 0 ? [JSONPatch{op: 'replace', path: '/spec/template/spec/containers/' + string(${v('si')}) + '/args', value: ${v('sidecarArgs')}.map(a, ${needsSrv('a')} ? ${srv('a')} : a)}] : []`;
  return `(${probePatch}) + (${bindPatch}) + (${negPatch})`.replace(/\n\s*/g, ' ');
}

export function kubeDnsPolicy(): TargetPolicy {
  const withProbe = deployment([KUBEDNS_OK, DNSMASQ_OK, { ...SIDECAR_OK, args: [SIDECAR_PROBE_A] }]);
  const probe = `${v('sidecarArgs')}[${v('probeAt')}]`;
  const kubednsPath = `'spec.template.spec.containers[' + (${v('kubedns')}.?name.hasValue() ? 'name=' + ${v('kubedns')}.name : string(${v('ki')})) + ']'`;
  const dnsmasqPath = `'spec.template.spec.containers[' + (${v('dnsmasq')}.?name.hasValue() ? 'name=' + ${v('dnsmasq')}.name : string(${v('di')})) + ']'`;
  const old = `${v('containers')}[${v('oldImage')}]`;
  const checks: (Omit<Validation, 'message'> & { path: string; found: string; witness: Witness; subs?: Substitution[]; mutable?: boolean })[] = [
    {
      rule: 'kube-dns/probe-type', violation: `${v('probeAt')} >= 0`, mutable: true,
      path: `${v('sidecarPath')} + '.args[' + string(${v('probeAt')}) + ']'`, found: shownCel(probe), witness: withProbe,
      subs: [
        { text: `"${SIDECAR_PROBE_A.replace(',A', ',SRV')}"`, cel: shownCel(srv(probe)) },
        { text: 'wrong probe type: A probes', cel: `'wrong probe type: ' + (size(${fields(probe)}) > 4 ? ${fields(probe)}[4] : 'the default ANY') + ' probes'` },
      ],
    },
    {
      rule: 'kube-dns/probe-syntax', violation: `${v('syntaxAt')} >= 0`,
      path: `${v('sidecarPath')} + '.args[' + string(${v('syntaxAt')}) + ']'`, found: shownCel(`${v('sidecarArgs')}[${v('syntaxAt')}]`),
      witness: deployment([KUBEDNS_OK, DNSMASQ_OK, { ...SIDECAR_OK, args: ['--probe=kubedns,127.0.0.1:10053'] }]),
    },
    {
      rule: 'kube-dns/probe-server', violation: `${v('serverAt')} >= 0`,
      path: `${v('sidecarPath')} + '.args[' + string(${v('serverAt')}) + ']'`, found: shownCel(`${fields(`${v('sidecarArgs')}[${v('serverAt')}]`)}[1]`),
      witness: deployment([KUBEDNS_OK, DNSMASQ_OK, { ...SIDECAR_OK, args: ['--probe=kubedns,::1:10053,kubernetes.default.svc.cluster.local,5,SRV'] }]),
    },
    {
      rule: 'kube-dns/bind-address', violation: `${v('ki')} >= 0 && ${v('bindAt')} < 0`, mutable: true,
      path: `${kubednsPath} + (size(${v('kubedns')}.?args.orValue([])) > 0 || !${v('kubedns')}.?command.orValue([]).exists(a, a.startsWith('-')) ? '.args' : '.command')`, found: "'absent'",
      witness: deployment([{ ...KUBEDNS_OK, args: ['--domain=cluster.local.'] }, DNSMASQ_OK, SIDECAR_OK]),
    },
    {
      rule: 'kube-dns/bind-address', violation: `${v('ki')} >= 0 && ${v('bindAt')} >= 0 && !${v('bindOk')}`, mutable: true,
      path: `${kubednsPath} + (${v('bindAt')} < size(${v('kubedns')}.?command.orValue([])) ? '.command[' + string(${v('bindAt')}) + ']' : '.args[' + string(${v('bindAt')} - size(${v('kubedns')}.?command.orValue([]))) + ']')`,
      found: shownCel(`${v('kubednsAll')}[${v('bindAt')}]`), witness: deployment([{ ...KUBEDNS_OK, args: [`${BIND}=0.0.0.0`] }, DNSMASQ_OK, SIDECAR_OK]),
    },
    {
      rule: 'kube-dns/no-negcache', violation: `${v('di')} >= 0 && !${v('negcacheOk')}`, mutable: true,
      path: `${dnsmasqPath} + '.args'`, found: `${v('dnsmasqAll')}.exists(a, a == '--no-negcache') ? '--no-negcache before the -- separator' : 'absent'`,
      witness: deployment([KUBEDNS_OK, { ...DNSMASQ_OK, args: ['-v=2', '--', '-k'] }, SIDECAR_OK]),
    },
    {
      rule: 'kube-dns/image-version', violation: `${v('oldImage')} >= 0`, mutable: true,
      path: `'spec.template.spec.containers[' + (${old}.?name.hasValue() ? 'name=' + ${old}.name : string(${v('oldImage')})) + '].image'`, found: shownCel(`${old}.image`),
      witness: deployment([{ ...KUBEDNS_OK, image: image('kubedns', '1.14.4') }, DNSMASQ_OK, SIDECAR_OK]),
      subs: [
        { text: `"${image('kubedns', '1.14.4')}"`, cel: shownCel(`${old}.image`) },
        { text: `"${image('kubedns', '7.7.7')}"`, cel: `'"' + ${old}.image.substring(0, ${old}.image.lastIndexOf(':') + 1) + (${old}.image.substring(${old}.image.lastIndexOf(':') + 1).startsWith('v') ? 'v' : '') + ${param('minImageVersion')} + '"'` },
      ],
    },
  ];
  return {
    target: kubeDnsDeploymentTarget,
    match: `object.metadata.?name.orValue('') == 'kube-dns'`,
    variables: variables(),
    mutatedRules: ['kube-dns/probe-type', 'kube-dns/bind-address', 'kube-dns/no-negcache'],
    mutation: mutation(),
    validations: checks.map(({ path, found, witness, subs, mutable, ...rest }) => ({ ...rest, violation: `${v('isKubeDns')} && (${rest.violation})`, message: message({ rule: rest.rule, path, found, witness, subs, mutable }) })),
    // Probes in `command`, or several containers of one role: the webhook edits each; the policy only the first sidecar's args.
    webhookOnly: `object.?spec.?template.?spec.?containers.orValue([]).exists(c, c.?command.orValue([]).exists(a, a.startsWith(${lit(PROBE)}))) || ${Object.keys(ROLES).map((r) => `object.?spec.?template.?spec.?containers.orValue([]).filter(c, ${roleCel('c')} == ${lit(r)}).size() > 1`).join(' || ')}`,
  };
}
