// The calico-node container's env as the calico-node rules read and write it: every read goes through the
// review's context (valueFrom and envFrom resolved), so mutation and validation see the same values.
import type { ContainerEnv, EnvRead } from '../shared/container-env.js';
import { supports, type ResolvedVersion } from '../shared/calico-version.js';
import { felixProgramsClusterRoutes, networkingBackend, noDefaultPools, runsBird, type NetworkingBackend } from '../../calico/node-env.js';
import { shown, type Report } from '../report.js';
import type { RuleContext } from '../target.js';

export const RULE = 'calico-node';

export interface NodeEnv {
  env: ContainerEnv;
  image: unknown;
  calico: ResolvedVersion;
  namespace: string | undefined;
  ctx: RuleContext;
}

export function readVar(t: NodeEnv, name: string): EnvRead {
  return t.env.read(name, t.ctx, t.namespace);
}

/** The value calico-node sees, when it can be known here. */
export function valueOf(t: NodeEnv, name: string): string | undefined {
  return t.env.valueOf(name, t.ctx, t.namespace);
}

/**
 * A variable the webhook may write: absent (from env and from every envFrom), or a literal env value.
 * One set through valueFrom or envFrom is checked, never rewritten; one that cannot be known is left alone.
 */
export function writable(t: NodeEnv, name: string): { kind: 'absent' } | { kind: 'literal'; value: string; raw: unknown } | undefined {
  const read = readVar(t, name);
  return read.kind === 'absent' || read.kind === 'literal' ? read : undefined;
}

/** Absent or empty: calico-node treats both as unset. */
export function unset(read: { kind: 'absent' } | { kind: 'literal'; value: string } | undefined): boolean {
  return read !== undefined && (read.kind === 'absent' || read.value.trim() === '');
}

export function setVar(t: NodeEnv, report: Report, name: string, value: string, found: unknown, fix: string, check: string): void {
  t.env.set(name, value);
  report.change({ rule: `${RULE}/${check}`, path: t.env.entryPath(name), found: shown(found), expected: shown(value), fix });
}

/** The value the change replaces, for the finding: absent, or the literal as written. */
export function foundOf(read: { kind: 'absent' } | { kind: 'literal'; raw: unknown }): unknown {
  return read.kind === 'absent' ? undefined : read.raw;
}

/**
 * Whether calico-node creates its default pools: NO_DEFAULT_POOLS is true only for "true" in any case
 * (startup.go:910). Unknown when an envFrom or valueFrom that cannot be read may set it.
 */
export function createsPools(t: NodeEnv): boolean | 'unknown' {
  const read = readVar(t, 'NO_DEFAULT_POOLS');
  if (read.kind === 'unreadable') return 'unknown';
  return !noDefaultPools(read.kind === 'absent' ? undefined : read.value);
}

/**
 * The backend as the image's start script reads it; undefined when it cannot be known here. A set legacy
 * CALICO_NETWORKING decides alone (rc.local:2-9), whatever CALICO_NETWORKING_BACKEND says.
 */
export function backendOf(t: NodeEnv): NetworkingBackend | undefined {
  const legacy = readVar(t, 'CALICO_NETWORKING');
  if (legacy.kind === 'unreadable') return undefined;
  if (legacy.kind !== 'absent' && legacy.value !== '') return networkingBackend(undefined, legacy.value);
  const backend = readVar(t, 'CALICO_NETWORKING_BACKEND');
  if (backend.kind === 'unreadable') return undefined;
  return networkingBackend(backend.kind === 'absent' ? undefined : backend.value);
}

/** Whether BIRD may run on this node: yes for bird, and for a backend that cannot be read (it may be bird). */
export function mayRunBird(t: NodeEnv): boolean {
  const backend = backendOf(t);
  return backend === undefined || runsBird(backend);
}

/**
 * Whether Felix programs the unencapsulated IPv6 routes itself (programClusterRoutes Enabled, v3.31+); false
 * when unknown. The env outranks the FelixConfiguration resources (SourcesInDescendingOrder,
 * felix/config/config_params.go v3.31.0:81), so only an absent env defers to them, and only to what the
 * cluster view positively knows; an env that cannot be read may say Disabled.
 */
export function felixRoutesUnencapsulated(t: NodeEnv): boolean {
  if (!supports(t.calico.version, 'felixClusterRoutes')) return false;
  const read = readVar(t, 'FELIX_PROGRAMCLUSTERROUTES');
  if (read.kind === 'absent') return t.ctx.felixConfigurationClusterRoutes === true;
  if (read.kind !== 'literal' && read.kind !== 'resolved') return false;
  return felixProgramsClusterRoutes(read.value);
}
