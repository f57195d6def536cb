// `doctor`: the cluster (or, with --host, this machine) against the guide's prerequisites.
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { ClusterAccessError, loadKubeConfig } from '../cluster/client.js';
import { KubeClusterReader } from '../cluster/reader.js';
import { anyFailed, type Check } from '../doctor/check.js';
import { formatChecksJson, formatChecksTable } from '../doctor/format.js';
import { runClusterChecks } from '../doctor/run.js';
import { gatherSnapshot } from '../doctor/snapshot.js';
import { runHostChecks } from '../host/checks.js';
import { CLUSTER_FLAGS, CLUSTER_HELP, kubeconfigFlags, namespaceScope, outputFormat, requestTimeoutMs } from './cluster-flags.js';
import type { CliIo } from './io.js';
import { CONFIG_FLAGS, CONFIG_HELP, configSource, parse, stringFlag, UsageError } from './options.js';

export const DOCTOR_HELP = `Usage: calico-ipv6-webhook doctor [options]
       calico-ipv6-webhook doctor --host [--proc-root DIR] [-o table|json]

Checks a live cluster against the IPv6 guide: kube-apiserver, kube-controller-manager and
kube-scheduler flags (their mirror Pods in kube-system), the kubelet (each node's /configz through the
API server, else the kubelet-config ConfigMap), Nodes' InternalIP, kube-proxy (its ConfigMap), kubeadm's
ClusterConfiguration, and the Calico and kube-dns objects through the webhook's own rules.
Each check is pass, fail or unknown, with the evidence and the fix.

With --host, checks this machine instead: net.ipv6.conf.all.forwarding=1, a default IPv6 route, and a
global IPv6 address, read from /proc (or --proc-root DIR, e.g. the host's /proc mounted in a pod).

Exit codes: 0 nothing failed, 1 a check failed, 2 usage, configuration or cluster access error.

  --host                        check this machine, not the cluster
  --proc-root DIR               proc tree to read with --host (default /proc)

${CLUSTER_HELP}

${CONFIG_HELP}`;

const DOCTOR_FLAGS = {
  ...CONFIG_FLAGS,
  ...CLUSTER_FLAGS,
  host: { type: 'boolean' },
  'proc-root': { type: 'string' },
} as const;

function print(checks: Check[], format: 'table' | 'json', io: CliIo): number {
  if (format === 'json') io.stdout(formatChecksJson(checks));
  else for (const line of formatChecksTable(checks)) io.stdout(line);
  return anyFailed(checks) ? 1 : 0;
}

export async function runDoctor(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, DOCTOR_FLAGS, false);
  if (values.help) {
    io.stdout(DOCTOR_HELP);
    return 0;
  }
  const format = outputFormat(values);
  if (values.host) {
    const procRoot = stringFlag(values, 'proc-root') ?? '/proc';
    if (!existsSync(procRoot)) throw new UsageError(`--proc-root ${procRoot} does not exist`);
    return print(runHostChecks(procRoot), format, io);
  }
  if (stringFlag(values, 'proc-root') !== undefined) throw new UsageError('--proc-root goes with --host');
  const config = loadConfig(configSource(values, io.env));
  try {
    const where = kubeconfigFlags(values);
    const reader = new KubeClusterReader(loadKubeConfig(where.path, where.context), requestTimeoutMs(values));
    const snapshot = await gatherSnapshot(reader, { scope: namespaceScope(values) });
    return print(runClusterChecks(snapshot, config), format, io);
  } catch (error) {
    if (error instanceof ClusterAccessError) {
      io.stderr(`calico-ipv6-webhook doctor: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
