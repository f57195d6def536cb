// Shared by the rule, property, CLI and real-world tests: fixture loading, configurations, and one
// call that runs the engine the way both front doors do (mutate a copy, diff, validate the result).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadConfig, type ConfigOverrides } from '../../src/config/load.js';
import type { WebhookConfig } from '../../src/config/types.js';
import { analyze, patchOf, type Analysis } from '../../src/engine/analyze.js';
import type { PatchOperation } from '../../src/patch/json-patch.js';
import type { KubeObject } from '../../src/k8s/object.js';
import type { RuleContext, Target } from '../../src/targets/target.js';
import { deepFrozen } from './frozen.js';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function fixturePath(relative: string): string {
  return `${FIXTURES_DIR}${relative}`;
}

export function fixtureText(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

/** Every document of a multi-document YAML text that is an object with a kind. */
export function objectsOf(text: string): KubeObject[] {
  return parseAllDocuments(text, { uniqueKeys: false })
    .map((doc) => doc.toJS() as unknown)
    .filter((value): value is KubeObject => typeof value === 'object' && value !== null && typeof (value as KubeObject).kind === 'string');
}

/** The single object of a fixture file (fails loudly if there is not exactly one). */
export function fixtureObject(relative: string): KubeObject {
  const objects = objectsOf(fixtureText(relative));
  if (objects.length !== 1) throw new Error(`${relative} holds ${objects.length} objects, expected 1`);
  return objects[0] as KubeObject;
}

/** The default configuration (the guide's example cluster) with flag-style overrides. */
/** dual-stack requires ipv4PodCIDR: tests that only name the mode get the usual 10.244.0.0/16. */
export function configWith(overrides: ConfigOverrides = {}): WebhookConfig {
  const ipv4 = overrides.mode === 'dual-stack' && !('ipv4PodCIDR' in overrides) ? { ipv4PodCIDR: '10.244.0.0/16' } : {};
  return loadConfig({ flags: { ...ipv4, ...overrides } });
}

export function contextWith(partial: Partial<RuleContext> & { overrides?: ConfigOverrides } = {}): RuleContext {
  const { overrides, ...rest } = partial;
  return { config: configWith(overrides), operation: 'CREATE', ...rest };
}

/** The context with its old object frozen too: rules read it, and must never write it. */
export function frozenContext(ctx: RuleContext): RuleContext {
  return ctx.oldObject ? { ...ctx, oldObject: deepFrozen(structuredClone(ctx.oldObject)) } : ctx;
}

export interface Run {
  analysis: Analysis;
  patch: PatchOperation[];
  mutated: KubeObject;
}

/** Runs the engine on a frozen copy of the object: the object passed in is never changed, nor the copy. */
export function run(object: KubeObject, ctx: RuleContext = contextWith()): Run {
  const analysis = analyze(deepFrozen(structuredClone(object)), frozenContext(ctx));
  return { analysis, patch: patchOf(analysis), mutated: analysis.mutated };
}

// ---- calico-node helpers -----------------------------------------------------------------------

export interface EnvEntry {
  name: string;
  value?: unknown;
  valueFrom?: unknown;
}

interface Container {
  name?: string;
  image?: string;
  env?: EnvEntry[];
  args?: string[];
  command?: string[];
}

export function containers(object: KubeObject): Container[] {
  const spec = object.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

export function containerNamed(object: KubeObject, name: string): Container {
  const found = containers(object).find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

/** The calico-node container's env list (the first container named calico-node, else calico/node by image). */
export function nodeEnv(object: KubeObject): EnvEntry[] {
  const list = containers(object);
  const container = list.find((c) => c.name === 'calico-node') ?? list.find((c) => typeof c.image === 'string' && /calico\/node[:@]/.test(c.image));
  if (!container) throw new Error('no calico-node container');
  container.env ??= [];
  return container.env;
}

/** The effective (last) value of an env variable, as the kubelet resolves it. */
export function envValue(object: KubeObject, name: string): unknown {
  const entries = nodeEnv(object).filter((e) => e.name === name);
  return entries[entries.length - 1]?.value;
}

/** A copy of the object with env entries set (replacing every entry of that name) or removed (undefined). */
export function withEnv(object: KubeObject, vars: Record<string, unknown>): KubeObject {
  const copy = structuredClone(object);
  const env = nodeEnv(copy);
  for (const [name, value] of Object.entries(vars)) {
    const kept = env.filter((e) => e.name !== name);
    env.length = 0;
    env.push(...kept);
    if (value !== undefined) env.push(typeof value === 'object' && value !== null ? { name, ...(value as object) } : { name, value });
  }
  return copy;
}

export function withImage(object: KubeObject, image: string): KubeObject {
  const copy = structuredClone(object);
  const container = containers(copy).find((c) => c.name === 'calico-node');
  if (!container) throw new Error('no calico-node container');
  container.image = image;
  return copy;
}

/** The JSON pointer of a calico-node env entry's index, for asserting exact patch paths. */
export function envPointer(object: KubeObject, index: number | '-'): string {
  const list = containers(object);
  const at = list.findIndex((c) => c.name === 'calico-node');
  return `/spec/template/spec/containers/${at}/env/${index}`;
}

export function indexOfEnv(object: KubeObject, name: string): number {
  const env = nodeEnv(structuredClone(object));
  let index = -1;
  env.forEach((e, i) => {
    if (e.name === name) index = i;
  });
  return index;
}

export const NODE_CONTAINER_PATH = 'spec.template.spec.containers[name=calico-node]';

/** Findings by rule id, for compact assertions. */
export function rulesOf(findings: readonly { rule: string }[]): string[] {
  return findings.map((f) => f.rule);
}

/** Runs one target as the engine does (mutate a copy, validate it), alone, whatever else the registry holds. */
export function runRule(target: Target, object: KubeObject, ctx: RuleContext = contextWith()): Run {
  const analysis = analyze(deepFrozen(structuredClone(object)), frozenContext(ctx), { targets: [target] });
  return { analysis, patch: patchOf(analysis), mutated: analysis.mutated };
}
