// Flags shared by the commands that talk to a cluster (doctor, audit): where it is and how to print.
import { existsSync } from 'node:fs';
import type { NamespaceScope } from '../cluster/reader.js';
import type { OutputFormat } from '../text/table.js';
import { numberFlag, stringFlag, UsageError, type ParsedValues } from './options.js';

export const CLUSTER_FLAGS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o' },
  'request-timeout': { type: 'string' },
} as const;

export const CLUSTER_HELP = `Cluster:
  --kubeconfig FILE             kubeconfig to use (default: as kubectl: $KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME                kubeconfig context to use (default: its current-context)
  -n, --namespace NS[,NS...]    look for target objects only there, reading them by name
                                (what a namespaced Role allows: use the chart's discovery namespaces when
                                running as the webhook's ServiceAccount); default: every namespace
  -o, --output table|json       output format (default table)
  --request-timeout SECONDS     per API request (default 10)`;

export function outputFormat(values: ParsedValues): OutputFormat {
  const value = stringFlag(values, 'output') ?? 'table';
  if (value !== 'table' && value !== 'json') throw new UsageError(`--output must be table or json, got ${JSON.stringify(value)}`);
  return value;
}

export function namespaceScope(values: ParsedValues): NamespaceScope {
  const value = stringFlag(values, 'namespace');
  if (value === undefined) return { all: true };
  const namespaces = value.split(',').map((n) => n.trim()).filter(Boolean);
  if (namespaces.length === 0) throw new UsageError('--namespace needs at least one namespace');
  return { all: false, namespaces };
}

export function kubeconfigPath(values: ParsedValues): string | undefined {
  const path = stringFlag(values, 'kubeconfig');
  if (path !== undefined && !existsSync(path)) throw new UsageError(`--kubeconfig ${path} does not exist`);
  return path;
}

/** Where the cluster is: --kubeconfig and --context, as kubectl takes them. */
export function kubeconfigFlags(values: ParsedValues): { path: string | undefined; context: string | undefined } {
  return { path: kubeconfigPath(values), context: stringFlag(values, 'context') };
}

export function requestTimeoutMs(values: ParsedValues): number {
  return numberFlag(values, 'request-timeout', 10, 0.1, 600) * 1000;
}
