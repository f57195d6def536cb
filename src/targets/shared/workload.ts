// Reading the parts of workload objects the rules care about, without trusting their shape.
import { isRecord, type KubeObject } from '../../k8s/object.js';
import type { Report } from '../report.js';

export interface Container {
  name?: string;
  image?: string;
  command?: unknown;
  args?: unknown;
  env?: unknown;
  envFrom?: unknown;
  [key: string]: unknown;
}

export const POD_SPEC_PATH = 'spec.template.spec';

/**
 * The containers of a workload's pod template. A list that is not a list is reported as malformed;
 * a missing one yields none (the API server will refuse the object on its own terms).
 */
export function workloadContainers(object: KubeObject, rule: string, report: Report): Container[] {
  const spec = isRecord(object.spec) ? object.spec : undefined;
  const template = spec && isRecord(spec.template) ? spec.template : undefined;
  const podSpec = template && isRecord(template.spec) ? template.spec : undefined;
  const containers = podSpec?.containers;
  if (containers === undefined) return [];
  if (!Array.isArray(containers) || !containers.every(isRecord)) {
    report.malform({
      rule: `${rule}/shape`,
      path: `${POD_SPEC_PATH}.containers`,
      found: Array.isArray(containers) ? 'a list with an item that is not an object' : typeof containers,
      expected: 'a list of container objects',
      fix: 'write containers as a YAML list of mappings',
    });
    return [];
  }
  return containers as Container[];
}

export function containerPath(container: Container, index: number): string {
  return `${POD_SPEC_PATH}.containers[${typeof container.name === 'string' ? `name=${container.name}` : index}]`;
}

/** Image path without tag or digest ends in `/<name>` or is `<name>`, so any registry matches. */
export function imageNamed(image: unknown, names: readonly string[]): boolean {
  if (typeof image !== 'string') return false;
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const path = colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
  return names.some((name) => path === name || path.endsWith(`/${name}`));
}
