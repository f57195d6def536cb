// A CNI configuration given inline to install-cni (its CNI_NETWORK_CONFIG env, instead of a valueFrom to
// calico-config's cni_network_config) is the same configuration: its ipam sections are judged as the
// ConfigMap's are (cni-ipam.ts). install-cni writes the variable's value as the node's CNI config
// (projectcalico/calico cni-plugin/pkg/install/install.go:60 and 383-388: CNI_NETWORK_CONFIG, else CNI_NETWORK_CONFIG_FILE).
import { CniTemplate } from '../shared/cni-template.js';
import { mutateIpam, validateIpam, type IpamPlace } from '../shared/cni-ipam.js';
import { imageNamed, POD_SPEC_PATH, type Container } from '../shared/workload.js';
import { isRecord, type KubeObject } from '../../k8s/object.js';
import type { Version } from '../../k8s/versions.js';
import { Report } from '../report.js';
import type { RuleContext } from '../target.js';

const KEY = 'CNI_NETWORK_CONFIG';

interface InlineConfig {
  entry: { name: string; value: string };
  /** The env list holding the entry, and where: a new value is a new entry in that list (TargetSpec.writes). */
  env: unknown[];
  index: number;
  place: IpamPlace;
}

/** install-cni, by name or by its calico/cni image, among the init containers and (Calico v2) the containers. */
function inlineConfig(object: KubeObject): InlineConfig | undefined {
  const podSpec = isRecord(object.spec) && isRecord(object.spec.template) && isRecord(object.spec.template.spec) ? object.spec.template.spec : undefined;
  for (const field of ['initContainers', 'containers'] as const) {
    const list = podSpec?.[field];
    if (!Array.isArray(list)) continue;
    for (const container of list.filter(isRecord) as Container[]) {
      if (container.name !== 'install-cni' && !imageNamed(container.image, ['calico/cni'])) continue;
      const env: unknown[] = Array.isArray(container.env) ? container.env : [];
      // The last entry of a name is the one the kubelet gives; only a literal can be read and edited here.
      const index = env.findLastIndex((e) => isRecord(e) && e.name === KEY);
      const entry = env[index] as Record<string, unknown> | undefined;
      if (!entry || typeof entry.value !== 'string' || entry.value === '') continue;
      const name = typeof container.name === 'string' ? `name=${container.name}` : String(list.indexOf(container));
      return { entry: entry as InlineConfig['entry'], env, index, place: { rule: 'calico-node/cni', path: `${POD_SPEC_PATH}.${field}[${name}].env[name=${KEY}]`, name: 'calico-node', key: KEY } };
    }
  }
  return undefined;
}

function templateOf(found: InlineConfig, ctx: RuleContext, report: Report): CniTemplate | undefined {
  const parsed = CniTemplate.parse(found.entry.value, ctx.memo);
  if (parsed.ok) return parsed.template;
  const { line, column } = parsed.position;
  report.malform({ rule: `${found.place.rule}/template`, path: found.place.path, found: `unparseable JSON at line ${line}, column ${column} (${parsed.reason})`,
    expected: 'a JSON CNI configuration (placeholders such as __CNI_MTU__ allowed)', fix: `correct ${KEY} at line ${line}, column ${column}` });
  return undefined;
}

export function mutateInlineCni(object: KubeObject, version: Version, ctx: RuleContext, report: Report): void {
  const found = inlineConfig(object);
  const template = found && templateOf(found, ctx, report);
  if (!found || !template) return;
  const edited = mutateIpam(template, found.place, version, ctx, report);
  if (edited.text !== template.text) found.env[found.index] = { ...found.entry, value: edited.text };
}

export function validateInlineCni(object: KubeObject, version: Version, ctx: RuleContext, report: Report): void {
  const found = inlineConfig(object);
  const template = found && templateOf(found, ctx, new Report());
  if (found && template) validateIpam(template, found.place, version, ctx, report);
}
