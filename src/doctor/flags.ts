// Command-line flags of a control-plane container, as the component's own flag parser reads them.
import { isRecord } from '../k8s/object.js';
import type { KubeObject } from '../k8s/object.js';

/**
 * `--name=value`, `--name value` and bare boolean `--name` (true); the last occurrence wins, as with
 * pflag. Tokens that are not flags (the binary's name) are skipped.
 */
export function parseFlags(tokens: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (!token.startsWith('-') || token === '--' || token === '-') continue;
    const body = token.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) {
      flags.set(body.slice(0, eq), body.slice(eq + 1));
      continue;
    }
    const next = tokens[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      flags.set(body, next);
      i++;
    } else {
      flags.set(body, 'true');
    }
  }
  return flags;
}

/** The flags of a Pod's container (by name, else the first): its command and args together. */
export function podFlags(pod: KubeObject, containerName: string): Map<string, string> {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isRecord) : [];
  const container = containers.find((c) => c.name === containerName) ?? containers[0];
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  return parseFlags(container ? [...strings(container.command), ...strings(container.args)] : []);
}

/** How a flag reads in evidence: `--bind-address=::` or `--bind-address not set`. */
export function showFlag(flags: Map<string, string>, name: string): string {
  const value = flags.get(name);
  return value === undefined ? `--${name} not set` : `--${name}=${value}`;
}
