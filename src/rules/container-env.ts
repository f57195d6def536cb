// Reading and writing one container's env the way the kubelet resolves it: the last entry of a name wins.
import { containerPath, type Container } from './workload.js';
import { isRecord } from '../k8s/object.js';
import type { Report } from './report.js';
import type { RuleContext } from './target.js';

export interface EnvEntry {
  name: string;
  value?: unknown;
  valueFrom?: unknown;
}

export type EnvRead =
  | { kind: 'absent' }
  /** A literal value; `raw` keeps a non-string (a YAML boolean) so it can be corrected. */
  | { kind: 'literal'; value: string; raw: unknown; index: number }
  /** valueFrom resolved through a ConfigMap lookup. */
  | { kind: 'resolved'; value: string; index: number; source: string }
  | { kind: 'unreadable'; index: number; source: string };

export class ContainerEnv {
  private constructor(
    readonly container: Container,
    readonly path: string,
  ) {}

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

  read(name: string, ctx?: RuleContext, namespace?: string): EnvRead {
    const indices = this.indicesOf(name);
    const index = indices[indices.length - 1];
    if (index === undefined) return { kind: 'absent' };
    const entry = this.entries[index] as EnvEntry;
    if (entry.valueFrom !== undefined) {
      const ref = isRecord(entry.valueFrom) && isRecord(entry.valueFrom.configMapKeyRef) ? entry.valueFrom.configMapKeyRef : undefined;
      if (ref && typeof ref.name === 'string' && typeof ref.key === 'string') {
        const source = `ConfigMap ${ref.name} key ${ref.key}`;
        const value = namespace !== undefined ? ctx?.lookupConfigMapKey?.(namespace, ref.name, ref.key) : undefined;
        return value === undefined ? { kind: 'unreadable', index, source } : { kind: 'resolved', value, index, source };
      }
      return { kind: 'unreadable', index, source: 'a valueFrom other than a ConfigMap key' };
    }
    const raw = entry.value;
    return { kind: 'literal', value: raw === undefined || raw === null ? '' : String(raw), raw, index };
  }

  /** The value when it can be known from the manifest (or a lookup), else undefined. */
  valueOf(name: string, ctx?: RuleContext, namespace?: string): string | undefined {
    const read = this.read(name, ctx, namespace);
    return read.kind === 'literal' || read.kind === 'resolved' ? read.value : undefined;
  }

  /** Sets the effective (last) entry's value, or appends a new entry; values are always strings. */
  set(name: string, value: string): void {
    const indices = this.indicesOf(name);
    const index = indices[indices.length - 1];
    if (index === undefined) {
      if (!Array.isArray(this.container.env)) this.container.env = [];
      (this.container.env as EnvEntry[]).push({ name, value });
      return;
    }
    const entry = this.entries[index] as EnvEntry;
    entry.value = value;
  }
}
