// Settings the components write as YAML text inside a ConfigMap (kubeadm's ClusterConfiguration, kube-proxy's
// KubeProxyConfiguration, the kubelet's KubeletConfiguration): read once, with a reason when they cannot be.
import { parseYaml } from '../text/yaml-parse.js';
import { isRecord, type KubeObject } from './object.js';

/** A setting read, or why it could not be: `absent` (no such key), `yaml` (not YAML), `shape` (not a mapping). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; cause?: 'absent' | 'yaml' | 'shape' };

/** A string value of a ConfigMap's data. */
export function dataKey(object: KubeObject, key: string): string | undefined {
  const value = isRecord(object.data) ? object.data[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** YAML text that must be a mapping; `what` names it in the reason. */
export function yamlMapping(text: string, what: string): Parsed<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    return { ok: false, reason: `${what} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, cause: 'yaml' };
  }
  return isRecord(parsed) ? { ok: true, value: parsed } : { ok: false, reason: `${what} is not a mapping`, cause: 'shape' };
}

/** Comma-separated lists (`10.244.0.0/16,fd20::/112`) as kubeadm and the components write them. */
export function splitList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter(Boolean);
  return typeof value === 'string' ? value.split(',').map((p) => p.trim()).filter(Boolean) : [];
}
