// The guide's items that the targets answer (calico-node, calico-config, kube-dns, ...), judged by the
// webhook's own rule engine on the stored objects, one verdict per item and object, with the engine's
// messages as evidence. The items, and what a target needs beyond its findings, come from the targets.
import type { WebhookConfig } from '../config/types.js';
import { analyzeExisting, storedFindings, type ExistingAnalysis } from '../cluster/existing.js';
import { readWhat } from '../cluster/targets.js';
import { formatFinding } from '../engine/verdict.js';
import { namespaceOf, nameOf, type KubeObject } from '../k8s/object.js';
import { TARGETS } from '../targets/registry.js';
import type { Finding } from '../targets/report.js';
import type { DoctorItem, Judgement, RuleContext, Target } from '../targets/target.js';
import { fail, pass, unknown, type Check } from './check.js';
import { describeScope, type ClusterSnapshot } from './snapshot.js';

const where = (object: KubeObject) => `${namespaceOf(object) ?? ''}/${nameOf(object) ?? '?'}`;

/** The items of a target that apply in this mode. */
export function itemsOf(target: Target, mode: WebhookConfig['mode']): DoctorItem[] {
  return (target.doctor?.items ?? []).filter((i) => !i.modes || i.modes.includes(mode));
}

/** Item ids (`<target>.<item>`) the targets' stored objects answer in this mode, in registry order. */
export function targetItems(mode: WebhookConfig['mode'], targets: readonly Target[] = TARGETS): string[] {
  return targets.filter((t) => !t.doctor?.whenPresent && !t.doctor?.settings).flatMap((t) => itemsOf(t, mode).map((i) => `${t.id}.${i.item}`));
}

/** A target's own verdict on an item as a check. */
export function judgedCheck(id: string, title: string, judged: Judgement): Check {
  if (judged.ok === 'unknown') return unknown(id, title, judged.evidence, judged.fix);
  return judged.ok ? pass(id, title, judged.evidence) : fail(id, title, judged.evidence, judged.fix);
}

/** Whether a finding fails this item: one of its rules, and one of its paths when it names them. */
function belongsTo(finding: Finding, item: DoctorItem): boolean {
  return item.rules.includes(finding.rule) && (!item.paths || item.paths.includes(finding.path));
}

function fixFor(findings: Finding[], changes: Set<Finding>): string {
  const needsChange = findings.some((f) => changes.has(f));
  const fixes = [...new Set(findings.filter((f) => !changes.has(f)).map((f) => f.fix))];
  return [needsChange ? 'apply the object again with the webhook running (its mutation makes the change), or edit it as the evidence says' : '', ...fixes].filter(Boolean).join('; ');
}

function objectChecks(target: Target, result: ExistingAnalysis, config: WebhookConfig, ctx: RuleContext): Check[] {
  const doctor = target.doctor;
  if (!doctor) return [];
  const object = result.object;
  const subject = where(object);
  const items = itemsOf(target, config.mode).filter((i) => !i.kinds || i.kinds.includes(object.kind ?? ''));
  const blocked = doctor.unjudgeable?.(object);
  if (blocked) return items.map((i) => unknown(`${target.id}.${i.item}/${subject}`, i.title, blocked.evidence, blocked.fix));

  // Only this target's findings: another target matching the same object answers its own items.
  const own = result.analysis.results.find((r) => r.target === target);
  const mine = own ? storedFindings(own) : { changes: [], problems: [] };
  const changes = new Set(mine.changes);
  const findings = [...mine.changes, ...mine.problems];
  const out: Check[] = [];
  for (const item of items) {
    const id = `${target.id}.${item.item}/${subject}`;
    const failing = findings.filter((f) => belongsTo(f, item));
    const values = doctor.evidence?.(object, item, ctx);
    const judged = failing.length === 0 && !(values && values.unreadable.length > 0) ? doctor.judge?.(object, item, ctx) : undefined;
    if (failing.length > 0) {
      out.push(fail(id, item.title, failing.map((f) => `${changes.has(f) ? 'the webhook would change' : 'the webhook would reject'}: ${formatFinding(f)}`).join(' | '), fixFor(failing, changes)));
    } else if (values && values.unreadable.length > 0) {
      out.push(unknown(id, item.title, values.unreadable.join('; '), 'grant the webhook\'s ServiceAccount get on the ConfigMap the variable refers to, or set the value literally'));
    } else if (judged) {
      out.push(judgedCheck(id, item.title, judged));
    } else {
      out.push(pass(id, item.title, values ? values.text : `no finding on ${object.kind ?? 'object'} ${subject}`));
    }
  }
  const other = findings.filter((f) => !doctor.items.some((i) => belongsTo(f, i)));
  if (other.length > 0) {
    out.push(fail(`${target.id}.other/${subject}`, `${object.kind ?? 'object'} ${subject} has nothing else the webhook would change or reject`,
      other.map((f) => formatFinding(f)).join(' | '), fixFor(other, changes)));
  }
  return out;
}

export function workloadChecks(snapshot: ClusterSnapshot, config: WebhookConfig, targets: readonly Target[] = TARGETS): Check[] {
  const out: Check[] = [];
  const { configMaps, calicoVersionHint } = snapshot.context;
  const ctx: RuleContext = { config, operation: 'CREATE', configMaps, calicoVersionHint };
  for (const target of targets) {
    // A component's settings are judged on their one object (settings.ts).
    if (!target.doctor || target.doctor.settings) continue;
    const objects = snapshot.targets.objects.filter((o) => target.matches(o));
    const owned = target.resources.flatMap((r) => (r.names === 'any' ? [readWhat(r.kind, undefined)] : r.names.map((n) => readWhat(r.kind, n))));
    const failures = snapshot.targets.failures.filter((f) => owned.includes(f.what));
    if (objects.length === 0) {
      if (target.doctor.whenPresent && failures.length === 0) continue;
      const evidence = failures.length > 0
        ? `cannot read: ${failures.map((f) => `${f.what}: ${f.error}`).join('; ')}`
        : `no ${describeOwned(target)} in ${describeScope(snapshot.scope)}`;
      for (const item of itemsOf(target, config.mode)) out.push(unknown(`${target.id}.${item.item}`, item.title, evidence, failures.length > 0 ? 'grant get on it, or run doctor with more access' : 'nothing to check until it is installed'));
      continue;
    }
    for (const object of objects) out.push(...objectChecks(target, analyzeExisting(object, config, snapshot.context, targets), config, ctx));
  }
  return out;
}

/** `DaemonSet named calico-node or canal`, `IPPool` (any name). */
function describeOwned(target: Target): string {
  return target.resources.map((r) => (r.names === 'any' ? r.kind : `${r.kind} named ${r.names.join(' or ')}`)).join(' or ');
}
