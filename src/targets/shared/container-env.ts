// Reading and writing one container's env the way the kubelet resolves it: envFrom, then env over it, the
// last entry of a name winning; valueFrom and envFrom ConfigMaps through the context's lookups.
import { containerPath, type Container } from './workload.js';
import { isRecord } from '../../k8s/object.js';
import { EffectiveEnv, type EnvSources } from '../../k8s/effective-env.js';
import type { Report } from '../report.js';
import type { RuleContext } from '../target.js';

export interface EnvEntry {
  name: string;
  value?: unknown;
  valueFrom?: unknown;
}

export type EnvRead =
  | { kind: 'absent' }
  /** A literal value; `raw` keeps a non-string (a YAML boolean) so it can be corrected. */
  | { kind: 'literal'; value: string; raw: unknown; index: number }
  /** valueFrom or envFrom resolved through a ConfigMap lookup; no index when it comes from envFrom. */
  | { kind: 'resolved'; value: string; index: number | undefined; source: string }
  /** `source` says where it comes from and why that cannot be read. */
  | { kind: 'unreadable'; index: number | undefined; source: string };

/**
 * ConfigMaps whose purpose Calico documents: kubernetes-services-endpoint only overrides the API server address
 * ("Allow KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT to be overridden for eBPF mode", the envFrom
 * comment in Calico's calico.yaml and canal.yaml), so it is not read as possibly setting anything else.
 */
export const KUBERNETES_SERVICES_ENDPOINT = 'kubernetes-services-endpoint';
const DOCUMENTED_ENV_FROM: Readonly<Record<string, readonly string[]>> = {
  [KUBERNETES_SERVICES_ENDPOINT]: ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'],
};

const mayDefine = (configMap: string, variable: string) => DOCUMENTED_ENV_FROM[configMap]?.includes(variable) ?? true;

function sourcesOf(ctx: RuleContext | undefined): EnvSources {
  return { configMaps: ctx?.configMaps, mayDefine };
}

export class ContainerEnv {
  /** The effective env last built, for the context and namespace it was built with; set() drops it. */
  #effective: { ctx: RuleContext | undefined; namespace: string | undefined; env: EffectiveEnv } | undefined;

  private constructor(
    readonly container: Container,
    readonly path: string,
  ) {}

  /** Built once per context between writes: the rules read a dozen variables of one env in a row. */
  private effective(ctx: RuleContext | undefined, namespace: string | undefined): EffectiveEnv {
    const cached = this.#effective;
    if (cached && cached.ctx === ctx && cached.namespace === namespace) return cached.env;
    const env = EffectiveEnv.of(this.container, namespace, sourcesOf(ctx));
    this.#effective = { ctx, namespace, env };
    return env;
  }

  /** Undefined (and a malformed finding) when env is not a list of named entries. */
  static of(container: Container, index: number, rule: string, report: Report): ContainerEnv | undefined {
    const path = containerPath(container, index);
    const env = container.env;
    if (env !== undefined && (!Array.isArray(env) || !env.every((e) => isRecord(e) && typeof e.name === 'string'))) {
      report.malform({
        rule: `${rule}/shape`,
        path: `${path}.env`,
        found: Array.isArray(env) ? 'a list with an entry that has no name' : typeof env,
        expected: 'a list of {name, value} entries',
        fix: 'write env as a list of mappings, each with a name',
      });
      return undefined;
    }
    return new ContainerEnv(container, path);
  }

  private get entries(): EnvEntry[] {
    return (this.container.env as EnvEntry[] | undefined) ?? [];
  }

  entryPath(name: string): string {
    return `${this.path}.env[name=${name}]`;
  }

  /** Indices of every entry with this name; more than one means only the last takes effect. */
  indicesOf(name: string): number[] {
    const out: number[] = [];
    this.entries.forEach((entry, index) => {
      if (entry.name === name) out.push(index);
    });
    return out;
  }

  /** The effective value as the kubelet builds it; without a context nothing outside the manifest is read. */
  read(name: string, ctx?: RuleContext, namespace?: string): EnvRead {
    const resolved = this.effective(ctx, namespace).get(name);
    if (resolved.kind === 'absent') return resolved;
    if (resolved.kind === 'unknown') return { kind: 'unreadable', index: resolved.index, source: this.describeSource(resolved.index) ?? resolved.origin };
    if (resolved.via === 'value' && resolved.index !== undefined) {
      return { kind: 'literal', value: resolved.value, raw: resolved.raw, index: resolved.index };
    }
    return { kind: 'resolved', value: resolved.value, index: resolved.index, source: this.describeSource(resolved.index) ?? resolved.origin };
  }

  /** How a message names where an env entry's value comes from: `ConfigMap calico-config key calico_backend`. */
  private describeSource(index: number | undefined): string | undefined {
    const entry = index === undefined ? undefined : this.entries[index];
    if (!entry) return undefined;
    const ref = isRecord(entry.valueFrom) && isRecord(entry.valueFrom.configMapKeyRef) ? entry.valueFrom.configMapKeyRef : undefined;
    if (ref && typeof ref.name === 'string' && typeof ref.key === 'string') return `ConfigMap ${ref.name} key ${ref.key}`;
    return entry.valueFrom !== undefined && entry.valueFrom !== null ? 'a valueFrom other than a ConfigMap key' : `the value ${JSON.stringify(entry.value)}, which refers to another variable`;
  }

  /** envFrom sources that cannot be read here and may set this variable. */
  unreadableSourcesFor(name: string, ctx?: RuleContext, namespace?: string): string[] {
    return this.effective(ctx, namespace).unreadableSourcesFor(name);
  }

  /** The value when it can be known from the manifest (or a lookup), else undefined. */
  valueOf(name: string, ctx?: RuleContext, namespace?: string): string | undefined {
    const read = this.read(name, ctx, namespace);
    return read.kind === 'literal' || read.kind === 'resolved' ? read.value : undefined;
  }

  /**
   * Sets the effective (last) entry's value, or appends a new entry; values are always strings. The entry
   * is replaced, not changed: only the env list is the engine's copy (TargetSpec.writes).
   */
  set(name: string, value: string): void {
    this.#effective = undefined;
    const indices = this.indicesOf(name);
    const index = indices[indices.length - 1];
    if (index === undefined) {
      if (!Array.isArray(this.container.env)) this.container.env = [];
      (this.container.env as EnvEntry[]).push({ name, value });
      return;
    }
    this.entries[index] = { ...(this.entries[index] as EnvEntry), value };
  }
}
