// flannel in a Canal install (issue 14): net-conf.json in canal-config (and flannel's own kube-flannel-cfg)
// must carry the IPv6 pod network, or the IPv6 addresses host-local hands out are never routed between
// nodes; and the flannel image must be one that has IPv6. The calico-config target owns the other keys of
// canal-config, the calico-node target the calico-node container of the canal DaemonSet.
import { isRecord, type KubeObject } from '../../k8s/object.js';
import { CniTemplate } from '../shared/cni-template.js';
import { flannelTooOld, isFlannelImage, planNetConf, type NetConfIntent } from '../../flannel/net-conf.js';
import { containerPath, workloadContainers } from '../shared/workload.js';
import { shown, type Report } from '../report.js';
import { defineTarget, type RuleContext } from '../target.js';
import { FLANNEL_DOCTOR } from './doctor.js';

const RULE = 'flannel';
const KEY = 'net-conf.json';
const PATH = `data.${KEY}`;
/** Canal mounts canal-config as flannel's config; flannel's own manifest names it kube-flannel-cfg. */
const FLANNEL_CONFIG_NAMES = ['canal-config', 'kube-flannel-cfg'] as const;
const FLANNEL_DAEMONSETS = ['canal', 'kube-flannel-ds'] as const;

function intent(ctx: RuleContext): NetConfIntent {
  return { mode: ctx.config.mode, ipv6Network: ctx.config.podCIDR, ipv4Network: ctx.config.ipv4PodCIDR };
}

/** The parsed net-conf.json, or undefined when there is none (nothing to do) or it is unusable (reported). */
function readNetConf(object: KubeObject, ctx: RuleContext, report: Report): { template: CniTemplate; value: Record<string, unknown> } | undefined {
  const text = isRecord(object.data) ? object.data[KEY] : undefined;
  if (text === undefined) return undefined;
  if (typeof text !== 'string') {
    report.malform({ rule: `${RULE}/shape`, path: PATH, found: typeof text, expected: 'a string holding flannel\'s JSON configuration', fix: `write ${KEY} as a block string (${KEY}: |)` });
    return undefined;
  }
  const parsed = CniTemplate.parse(text, ctx.memo);
  if (!parsed.ok) {
    const { line, column } = parsed.position;
    report.malform({ rule: `${RULE}/shape`, path: PATH, found: `unparseable JSON at line ${line}, column ${column} (${parsed.reason})`, expected: 'a JSON object', fix: `correct ${KEY} at line ${line}, column ${column}` });
    return undefined;
  }
  return { template: parsed.template, value: parsed.template.valueAt([]) as Record<string, unknown> };
}

function mutateConfig(object: KubeObject, ctx: RuleContext, report: Report): void {
  const conf = readNetConf(object, ctx, report);
  if (!conf) return;
  const { edits } = planNetConf(conf.value, intent(ctx));
  if (edits.length === 0) return;
  // One in-place edit of the JSON text: every other byte (the Backend, the layout) stays.
  const edited = conf.template.withProperties([], edits.map((e) => [e.key, e.expected] as const));
  (object.data as Record<string, unknown>)[KEY] = edited.text;
  for (const e of edits) report.change({ rule: `${RULE}/net-conf`, path: `${PATH} ${e.key}`, found: shown(e.found), expected: shown(e.expected), fix: e.why });
}

function validateConfig(object: KubeObject, ctx: RuleContext, report: Report): void {
  const conf = readNetConf(object, ctx, report);
  if (!conf) return;
  for (const p of planNetConf(conf.value, intent(ctx)).problems) {
    report.problem({ rule: `${RULE}/net-conf`, path: `${PATH} ${p.key}`, found: shown(p.found), expected: p.expected, fix: p.fix });
  }
}

/** A flannel image older than the first release with this mode's IPv6: refused, naming both versions. */
function validateImage(object: KubeObject, ctx: RuleContext, report: Report): void {
  workloadContainers(object, RULE, report).forEach((container, index) => {
    if (!isFlannelImage(container.image)) return;
    // The backend lives in net-conf.json, another object: vxlan, what Canal ships, is assumed.
    const tooOld = flannelTooOld(container.image, ctx.config.mode, 'vxlan');
    if (tooOld) {
      report.problem({ rule: `${RULE}/version`, path: `${containerPath(container, index)}.image`, found: shown(container.image), expected: 'a flannel release with IPv6',
        fix: `${tooOld}; raise the image tag` });
    }
  });
}

function isConfigMap(object: KubeObject): boolean {
  return object.kind === 'ConfigMap';
}

export const flannelTarget = defineTarget({
  id: RULE,
  description: 'flannel (Canal): net-conf.json carries the IPv6 pod network (EnableIPv6, IPv6Network; EnableIPv4 false in IPv6-only), and the flannel image has IPv6',
  resources: [
    { group: '', versions: ['v1'], resource: 'configmaps', kind: 'ConfigMap', namespaced: true, names: [...FLANNEL_CONFIG_NAMES] },
    { group: 'apps', versions: ['v1'], resource: 'daemonsets', kind: 'DaemonSet', namespaced: true, names: [...FLANNEL_DAEMONSETS], legacyGroups: ['extensions'] },
  ],
  writes: ['data'],
  mutate: (object, ctx, report) => {
    if (isConfigMap(object)) mutateConfig(object, ctx, report);
  },
  validate: (object, ctx, report) => {
    if (isConfigMap(object)) validateConfig(object, ctx, report);
    else validateImage(object, ctx, report);
  },
  doctor: FLANNEL_DOCTOR,
});

