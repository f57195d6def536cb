// The target contract: each target module describes itself once (what it matches, mutate, validate,
// what doctor asks of it, what discovery keeps watching), and everything else is derived from the
// registry's list of targets: the webhook scoping, discovery's watches, doctor's items, audit's reads
// and the read access (RBAC) they need.
import type { Mode, WebhookConfig } from '../config/types.js';
import { groupOf, nameOf, type KubeObject, type Operation } from '../k8s/object.js';
import type { ConfigMapSource } from '../k8s/config-maps.js';
import type { ApiResource } from '../k8s/resource.js';
import type { Version } from '../k8s/versions.js';
import type { Report } from './report.js';
import { compileWritePath, type WritePath } from '../patch/copy-on-write.js';

/** What a rule sees besides the object. */
export interface RuleContext {
  config: WebhookConfig;
  operation: Operation;
  oldObject?: KubeObject | undefined;
  /** The ConfigMaps an env `valueFrom` or `envFrom` points at, where they can be known. */
  configMaps?: ConfigMapSource | undefined;
  /** A Calico version known from elsewhere: the calico/node image in the same file, or in the cluster. */
  calicoVersionHint?: Version | undefined;
  /**
   * true only when the cluster's FelixConfigurations are known to make Felix program the cluster routes on
   * every node (programClusterRoutes: Enabled in "default", and no node or selector one saying otherwise);
   * undefined or false when unknown. The env FELIX_PROGRAMCLUSTERROUTES, when set, overrides it.
   */
  felixConfigurationClusterRoutes?: boolean | undefined;
  /** What this analysis already worked out (a parse of the same text); the engine gives each analysis its own. */
  memo?: AnalysisMemo | undefined;
}

/**
 * Results remembered for one analysis, so that mutate and validate (and several targets) do not redo
 * the same work on one object. It lives and dies with the analysis: nothing is shared between reviews.
 */
export class AnalysisMemo {
  readonly #values = new Map<string, unknown>();

  /** The value remembered under key, computed once. Keys are namespaced by their user: `cni-template:<text>`. */
  remember<T>(key: string, compute: () => T): T {
    if (this.#values.has(key)) return this.#values.get(key) as T;
    const value = compute();
    this.#values.set(key, value);
    return value;
  }
}

/** One resource a target admits, and which of its objects. */
export interface TargetResource extends ApiResource {
  /** The object names this target owns; `any` when every object of the resource is a target (custom resources). */
  names: readonly string[] | 'any';
  /**
   * Older API groups whose manifests `fix` still reads (extensions/v1beta1 DaemonSets): matched
   * offline, never part of the webhook scoping, never read from a cluster.
   */
  legacyGroups?: readonly string[];
  /**
   * Discovery lists and watches these objects (in each discovery namespace): the webhook reads them
   * while admitting others (the Calico version, ConfigMaps that calico-node's env refers to).
   */
  watch?: boolean;
}

/** One item of the guide that doctor checks on each object of this target. */
export interface DoctorItem {
  /** Check id suffix: the check is `<target id>.<item>/<namespace>/<name>`. */
  item: string;
  /** The guide's requirement, in one line. */
  title: string;
  /** Finding.rule values that belong to this item: a finding fails it. */
  rules: readonly string[];
  /** Fields whose values are the evidence when the item passes (calico-node: env variable names). */
  reads?: readonly string[];
  /** Checked only in these modes; every mode when absent. */
  modes?: readonly Mode[];
  /** Asked only of objects of these kinds (flannel: net-conf.json items on its ConfigMaps, the image on its DaemonSets); every kind when absent. */
  kinds?: readonly string[];
  /**
   * Finding paths that belong to this item, when one rule covers several items (flannel/net-conf names the
   * net-conf.json key in its path); every path of `rules` when absent.
   */
  paths?: readonly string[];
}

/** Evidence of what was read, and what could not be read (which makes the item unknown). */
export interface Evidence {
  text: string;
  unreadable: string[];
}

/** A verdict the rules do not give on this object (it is one they leave alone) but the guide still asks for. */
export interface Judgement {
  /** 'unknown': the object does not say (kube-proxy's server given as a host name, which doctor does not resolve). */
  ok: boolean | 'unknown';
  evidence: string;
  /** What to change; used when not ok. */
  fix: string;
}

/**
 * The one ConfigMap a component keeps its settings in (kube-proxy's, which kubeadm writes to kube-system):
 * doctor reads it there whatever the namespace scope, and its items' ids are `<target>.<item>/<name>`, also
 * when it is absent or cannot be read.
 */
export interface SettingsSource {
  namespace: string;
  name: string;
  /** Why there may be none (kube-proxy configured by flags, or not run): every item's evidence then. */
  absent: string;
  /** What to check when it is absent or cannot be read. */
  fix: string;
}

/** How doctor judges the stored objects of a target with the target's own rules. */
export interface DoctorSpec {
  items: readonly DoctorItem[];
  /**
   * The items are the component's settings, judged on this one object by `unjudgeable` and `judge` alone
   * (they name no rules), among the guide's cluster items before the workloads'.
   */
  settings?: SettingsSource;
  /**
   * Items reported only on objects that exist, and not among the guide's items: an alternative route to
   * the same IPv6 settings (the operator's Installation exists only where the operator installed Calico).
   */
  whenPresent?: boolean;
  /** Why this object cannot be judged at all (every item unknown), or undefined. */
  unjudgeable?(object: KubeObject): { evidence: string; fix: string } | undefined;
  /** The values an item reads, for a passing item's evidence. */
  evidence?(object: KubeObject, item: DoctorItem, ctx: RuleContext): Evidence | undefined;
  /** For an item without findings: a judgement beyond the rules (undefined: the item passes). */
  judge?(object: KubeObject, item: DoctorItem, ctx: RuleContext): Judgement | undefined;
}

/** What a target module writes: its description, its resources, its rules and its doctor items. */
export interface TargetSpec {
  /** Stable id, also the first part of every Finding.rule it emits and doctor's component name. */
  readonly id: string;
  /** One line for documentation and `--help`. */
  readonly description: string;
  /** What it admits. One kind may be listed in several groups (IPPool in crd.projectcalico.org and projectcalico.org). */
  readonly resources: readonly TargetResource[];
  /**
   * Rewrites the object in place to the IPv6 settings, recording each change. Absent on a validate-only
   * target (IPPool): the mutating webhook is then not sent its objects.
   */
  mutate?(object: KubeObject, ctx: RuleContext, report: Report): void;
  /**
   * The objects and lists mutate writes into (`spec.template.spec.containers[*].env`: it sets, adds or
   * removes their keys or items, and those of the objects on the way down to them). The engine copies only
   * these for it and shares everything else with the original (patch/copy-on-write.ts), so a value beneath
   * them is replaced, never changed in place: a write elsewhere would change the request's own object, and
   * the suites run the rules on frozen input to catch one. Required with mutate.
   */
  readonly writes?: readonly string[];
  /** Records, on the final object, what mutation cannot fix (problems) and what is suspicious (warnings). */
  validate(object: KubeObject, ctx: RuleContext, report: Report): void;
  /**
   * How a stored object is judged by audit and doctor: `create` ("what would the webhook do to this
   * manifest"), or `update` of itself when a field the rules check is immutable.
   */
  readonly storedAs?: 'create' | 'update';
  /** The Calico version this object tells (the calico/node image), for the other targets' version gates. */
  calicoVersionOf?(object: KubeObject): Version | undefined;
  /** The guide's items doctor checks on this target's objects; none when absent. */
  readonly doctor?: DoctorSpec;
  /**
   * ConfigMaps besides its own objects that its rules read through the objects' env, known by name ahead
   * (calico-node's envFrom kubernetes-services-endpoint, in every Calico manifest). Discovery watches the
   * ConfigMaps a watched object's env refers to, so the read access grants get, list and watch on these in
   * each discovery namespace.
   */
  readonly readsConfigMaps?: readonly string[];
  /**
   * Objects of its resources that are targets under another name (a calico-node DaemonSet called
   * canal-node, known by its calico/node container). The chart's matchConditions select these by the
   * same mark (templates/_helpers.tpl), so the webhook is sent them.
   */
  recognizes?(object: KubeObject): boolean;
  /**
   * The same mark in CEL on `object`, for the chart's matchConditions (rendered into
   * templates/_targets.generated.tpl); each field it selects guarded by has(), since failurePolicy Fail
   * turns an evaluation error into a rejection. Required with `recognizes`.
   */
  readonly recognizesCel?: string;
}

/** A target as the registry holds it: the spec, and `matches` and `mutates` derived from it. */
export interface Target extends TargetSpec {
  /** Cheap test on apiVersion, kind and name only: anything else is admitted untouched. */
  matches(object: KubeObject): boolean;
  /** Whether it has a mutate step, so the mutating webhook's scope includes it. */
  readonly mutates: boolean;
  /** `writes`, compiled. */
  readonly writePaths: readonly WritePath[];
}

/** Whether an object is of this resource and one of its names. An object without apiVersion is matched by kind. */
export function matchesResource(resource: TargetResource, object: KubeObject): boolean {
  if (object.kind !== resource.kind) return false;
  const group = groupOf(object);
  if (group !== undefined && group !== resource.group && !(resource.legacyGroups ?? []).includes(group)) return false;
  if (resource.names === 'any') return true;
  const name = nameOf(object);
  return name !== undefined && resource.names.includes(name);
}

export function defineTarget(spec: TargetSpec): Target {
  if (spec.mutate !== undefined && !spec.writes?.length) throw new Error(`target ${spec.id}: a mutate step needs the paths it writes (writes)`);
  // The resources under any name, built once: recognizes() is asked on every other object of these kinds.
  const anyName = spec.resources.map((resource) => ({ ...resource, names: 'any' as const }));
  const ofResource = (object: KubeObject) => anyName.some((resource) => matchesResource(resource, object));
  const matches = (object: KubeObject) => spec.resources.some((resource) => matchesResource(resource, object)) || (spec.recognizes !== undefined && ofResource(object) && spec.recognizes(object));
  return { ...spec, matches, mutates: spec.mutate !== undefined, writePaths: (spec.writes ?? []).map(compileWritePath) };
}
