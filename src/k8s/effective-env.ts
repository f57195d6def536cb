// One container's environment as the kubelet builds it (kubernetes pkg/kubelet/kubelet_pods.go,
// makeEnvironmentVariables): every envFrom source first, in order, later ones overriding earlier ones, keys
// prefixed; then env in order, each entry overriding what came before; an optional valueFrom whose ConfigMap
// or key is missing sets nothing; a `$(VAR)` in a value is expanded from what came before it (envFrom and
// earlier env entries, kubelet_pods.go's tmpEnv). What cannot be known here is reported as unknown, never guessed.
import type { ConfigMapSource } from './config-maps.js';
import { isRecord } from './object.js';
import { expandEnvValue, mayBeServiceLink } from './env-expansion.js';

/** What env resolution reads beyond the container: ConfigMaps, and what a ConfigMap that cannot be read may set. */
export interface EnvSources {
  configMaps?: ConfigMapSource | undefined;
  /**
   * For a ConfigMap that cannot be read: whether it may set this variable (default: it may set any). Lets a
   * caller narrow a ConfigMap whose purpose is documented, such as Calico's kubernetes-services-endpoint.
   */
  mayDefine?(configMap: string, variable: string): boolean;
}

export type ResolvedVar =
  | { kind: 'absent' }
  /** `index` is the env entry that sets it (undefined from envFrom); `raw` keeps a non-string literal value. */
  | { kind: 'known'; via: 'value' | 'valueFrom' | 'envFrom'; value: string; origin: string; index: number | undefined; raw?: unknown }
  | { kind: 'unknown'; origin: string; index: number | undefined; reason: string };

interface EnvVar {
  name: string;
  value?: unknown;
  valueFrom?: unknown;
}

interface EnvFromSource {
  prefix: string;
  configMap?: { name: string; optional: boolean };
  secret?: { name: string };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

const NO_SOURCES: EnvSources = {};

export class EffectiveEnv {
  private constructor(
    private readonly env: readonly EnvVar[],
    private readonly envFrom: readonly EnvFromSource[],
    private readonly namespace: string | undefined,
    private readonly sources: EnvSources,
  ) {}

  /** Entries without a string name are skipped: shape problems are the caller's to report. */
  static of(container: { env?: unknown; envFrom?: unknown }, namespace: string | undefined, sources: EnvSources = NO_SOURCES): EffectiveEnv {
    const env = Array.isArray(container.env)
      ? container.env.filter((e): e is EnvVar => typeof record(e)?.name === 'string')
      : [];
    const envFrom: EnvFromSource[] = [];
    for (const item of Array.isArray(container.envFrom) ? container.envFrom : []) {
      const entry = record(item);
      if (!entry) continue;
      const prefix = typeof entry.prefix === 'string' ? entry.prefix : '';
      const configMapRef = record(entry.configMapRef);
      const secretRef = record(entry.secretRef);
      if (configMapRef && typeof configMapRef.name === 'string') envFrom.push({ prefix, configMap: { name: configMapRef.name, optional: configMapRef.optional === true } });
      else if (secretRef && typeof secretRef.name === 'string') envFrom.push({ prefix, secret: { name: secretRef.name } });
    }
    return new EffectiveEnv(env, envFrom, namespace, sources);
  }

  /** The value calico-node (or any program) in this container sees for the variable. */
  get(name: string): ResolvedVar {
    return this.before(name, this.env.length);
  }

  /** The variable as an env entry at `end` sees it in a `$(VAR)`: set by envFrom or an earlier entry. */
  private before(name: string, end: number): ResolvedVar {
    for (let index = end - 1; index >= 0; index -= 1) {
      const entry = this.env[index] as EnvVar;
      if (entry.name !== name) continue;
      const resolved = this.fromEnvEntry(entry, index);
      if (resolved) return resolved;
    }
    return this.fromEnvFrom(name);
  }

  /** The envFrom sources that cannot be read here and may set this variable, named for messages. */
  unreadableSourcesFor(name: string): string[] {
    return this.envFrom.flatMap((source, index) => {
      const origin = this.envFromOrigin(source, index);
      if (!name.startsWith(source.prefix)) return [];
      if (source.secret) return [origin];
      const data = this.configMap(source.configMap?.name ?? '');
      if (data !== undefined) return [];
      return this.sources.mayDefine?.(source.configMap?.name ?? '', name) === false ? [] : [origin];
    });
  }

  /** undefined when the entry sets nothing (an optional reference to something missing). */
  private fromEnvEntry(entry: EnvVar, index: number): ResolvedVar | undefined {
    const origin = `env[${index}]`;
    const literal = entry.value;
    // The kubelet reads valueFrom only when value is empty.
    if ((literal !== undefined && literal !== null && literal !== '') || entry.valueFrom === undefined || entry.valueFrom === null) {
      const value = literal === undefined || literal === null ? '' : String(literal);
      if (!value.includes('$')) return { kind: 'known', via: 'value', value, origin, index, raw: literal };
      const expanded = expandEnvValue(value, (ref) => {
        const seen = this.before(ref, index);
        if (seen.kind === 'known') return { value: seen.value };
        // Not defined in the container: the kubelet may still find it among the service links.
        if (seen.kind === 'absent') return mayBeServiceLink(ref) ? 'unknown' : undefined;
        return 'unknown';
      });
      if ('unknown' in expanded) return { kind: 'unknown', origin, index, reason: `its value ${JSON.stringify(value)} refers to $(${expanded.unknown}), which cannot be known here` };
      return { kind: 'known', via: 'value', value: expanded.value, origin, index, raw: value === expanded.value ? literal : value };
    }
    const from = record(entry.valueFrom);
    const ref = record(from?.configMapKeyRef);
    if (!ref || typeof ref.name !== 'string' || typeof ref.key !== 'string') {
      const what = from?.secretKeyRef ? 'a Secret' : from?.fieldRef ? 'a pod field' : from?.resourceFieldRef ? 'a resource field' : 'a valueFrom';
      return { kind: 'unknown', origin: `${origin} (${what})`, index, reason: `it comes from ${what}, which the webhook does not read` };
    }
    const refOrigin = `${origin} (ConfigMap ${ref.name} key ${ref.key})`;
    const optional = ref.optional === true;
    const data = this.configMap(ref.name);
    if (data === undefined) {
      const value = (this.namespace === undefined ? undefined : this.sources.configMaps?.lookupConfigMapKey?.(this.namespace, ref.name, ref.key));
      if (value !== undefined) return { kind: 'known', via: 'valueFrom', value, origin: refOrigin, index };
      return { kind: 'unknown', origin: refOrigin, index, reason: `ConfigMap ${ref.name} cannot be read here` };
    }
    if (data === null || !Object.hasOwn(data, ref.key)) {
      if (optional) return undefined;
      const missing = data === null ? `ConfigMap ${ref.name} does not exist` : `ConfigMap ${ref.name} has no key ${ref.key}`;
      return { kind: 'unknown', origin: refOrigin, index, reason: `${missing}, so the container would not start` };
    }
    return { kind: 'known', via: 'valueFrom', value: data[ref.key] as string, origin: refOrigin, index };
  }

  private fromEnvFrom(name: string): ResolvedVar {
    for (let index = this.envFrom.length - 1; index >= 0; index -= 1) {
      const source = this.envFrom[index] as EnvFromSource;
      if (!name.startsWith(source.prefix)) continue;
      const origin = this.envFromOrigin(source, index);
      if (source.secret) return { kind: 'unknown', origin, index: undefined, reason: `Secret ${source.secret.name} may set it, and the webhook does not read Secrets` };
      const configMap = source.configMap as { name: string; optional: boolean };
      const data = this.configMap(configMap.name);
      if (data === undefined) {
        if (this.sources.mayDefine?.(configMap.name, name) === false) continue;
        return { kind: 'unknown', origin, index: undefined, reason: `ConfigMap ${configMap.name} may set it and cannot be read here` };
      }
      const key = name.slice(source.prefix.length);
      if (data !== null && Object.hasOwn(data, key)) return { kind: 'known', via: 'envFrom', value: data[key] as string, origin, index: undefined };
    }
    return { kind: 'absent' };
  }

  /** A ConfigMap of the container's namespace; a container without one (a bare manifest) reads none. */
  private configMap(name: string): Readonly<Record<string, string>> | null | undefined {
    return this.namespace === undefined ? undefined : this.sources.configMaps?.lookupConfigMap?.(this.namespace, name);
  }

  private envFromOrigin(source: EnvFromSource, index: number): string {
    const what = source.secret ? `Secret ${source.secret.name}` : `ConfigMap ${source.configMap?.name ?? ''}`;
    return `envFrom[${index}] (${what}${source.prefix ? `, prefix ${source.prefix}` : ''})`;
  }
}
