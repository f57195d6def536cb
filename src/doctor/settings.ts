// The guide's items that are a component's own settings (kube-proxy's), each judged by its target on the one
// ConfigMap the component keeps them in (`doctor.settings`), read where kubeadm writes it whatever the scope.
import type { WebhookConfig } from '../config/types.js';
import type { KubeObject } from '../k8s/object.js';
import { TARGETS } from '../targets/registry.js';
import type { RuleContext, Target } from '../targets/target.js';
import { pass, unknown, type Check } from './check.js';
import type { Fetched, SettingsObjects } from './snapshot.js';
import { itemsOf, judgedCheck } from './workloads.js';

const settingsTargets = (targets: readonly Target[]) => targets.filter((t) => t.doctor?.settings !== undefined);

/** Item ids (`<target>.<item>`) the settings answer in this mode, in registry order. */
export function settingsItems(mode: WebhookConfig['mode'], targets: readonly Target[] = TARGETS): string[] {
  return settingsTargets(targets).flatMap((t) => itemsOf(t, mode).map((i) => `${t.id}.${i.item}`));
}

function targetSettingsChecks(target: Target, read: Fetched<KubeObject | undefined>, config: WebhookConfig): Check[] {
  const doctor = target.doctor;
  const source = doctor?.settings;
  if (!doctor || !source) return [];
  const items = itemsOf(target, config.mode);
  const id = (item: string) => `${target.id}.${item}/${source.name}`;
  if (!read.ok || !read.value) {
    const evidence = !read.ok ? `cannot read ConfigMap ${source.namespace}/${source.name}: ${read.error}` : source.absent;
    return items.map((i) => unknown(id(i.item), i.title, evidence, source.fix));
  }
  const object = read.value;
  const blocked = doctor.unjudgeable?.(object);
  if (blocked) return items.map((i) => unknown(id(i.item), i.title, blocked.evidence, blocked.fix));
  const ctx: RuleContext = { config, operation: 'CREATE' };
  return items.map((i) => {
    const judged = doctor.judge?.(object, i, ctx);
    return judged ? judgedCheck(id(i.item), i.title, judged) : pass(id(i.item), i.title, `no finding on ConfigMap ${source.namespace}/${source.name}`);
  });
}

export function settingsChecks(settings: SettingsObjects, config: WebhookConfig, targets: readonly Target[] = TARGETS): Check[] {
  return settingsTargets(targets).flatMap((t) => targetSettingsChecks(t, settings[t.id] ?? { ok: true, value: undefined }, config));
}
