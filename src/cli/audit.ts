// `audit`: the target objects already in the cluster that the webhook would change or reject.
import { loadConfig } from '../config/load.js';
import { runAudit, type AuditResult } from '../cluster/audit.js';
import { ClusterAccessError, loadKubeConfig } from '../cluster/client.js';
import { KubeClusterReader } from '../cluster/reader.js';
import { CLUSTER_FLAGS, CLUSTER_HELP, kubeconfigFlags, namespaceScope, outputFormat, requestTimeoutMs } from './cluster-flags.js';
import type { CliIo } from './io.js';
import { CONFIG_FLAGS, CONFIG_HELP, configSource, parse } from './options.js';
import { renderTable } from '../text/table.js';
import { TARGETS } from '../targets/registry.js';
import { webhookScope } from '../targets/scope.js';

/** `calico-node / canal DaemonSets, ...`: the target objects, as the registry names them. */
const TARGET_OBJECTS = webhookScope(TARGETS).map((s) => `  ${s.names === 'any' ? 'all' : s.names.join(' / ')} ${s.kind}s`).join('\n');
const STORED_AS_UPDATE = TARGETS.filter((t) => t.storedAs === 'update').map((t) => t.id).join(', ');

export const AUDIT_HELP = `Usage: calico-ipv6-webhook audit [options]

Lists the target objects in the cluster that the webhook would change (CHANGE) or reject (REJECT)
if they were applied now, with the webhook's own messages. The target objects:
${TARGET_OBJECTS}
Objects are judged as new ones, except where a field the rules check is immutable (${STORED_AS_UPDATE}):
those are judged as an update of themselves, so a wrong value means recreating the object.

Exit codes: 0 every target object complies, 1 something would change or be rejected,
2 usage, configuration or cluster access error (including objects that could not be read).

${CLUSTER_HELP}

${CONFIG_HELP}`;

const AUDIT_FLAGS = { ...CONFIG_FLAGS, ...CLUSTER_FLAGS } as const;

function printTable(result: AuditResult, io: CliIo): void {
  const rows: string[][] = [];
  for (const e of result.entries) {
    const object = `${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${e.name}`;
    for (const text of e.problems) rows.push([object, 'REJECT', text]);
    for (const text of e.changes) rows.push([object, 'CHANGE', text]);
  }
  if (rows.length > 0) for (const line of renderTable(['OBJECT', 'ACTION', 'FINDING'], rows)) io.stdout(line);
  for (const f of result.failures) io.stderr(`calico-ipv6-webhook audit: cannot read ${f.what}: ${f.error}`);
  const n = result.entries.length;
  io.stdout(`${rows.length > 0 ? '\n' : ''}${result.checked} target object${result.checked === 1 ? '' : 's'} checked, ${n} would be changed or rejected`);
}

export async function runAuditCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, AUDIT_FLAGS, false);
  if (values.help) {
    io.stdout(AUDIT_HELP);
    return 0;
  }
  const format = outputFormat(values);
  const config = loadConfig(configSource(values, io.env));
  let result: AuditResult;
  try {
    const where = kubeconfigFlags(values);
    const reader = new KubeClusterReader(loadKubeConfig(where.path, where.context), requestTimeoutMs(values));
    result = await runAudit(reader, namespaceScope(values), config);
  } catch (error) {
    if (error instanceof ClusterAccessError) {
      io.stderr(`calico-ipv6-webhook audit: ${error.message}`);
      return 2;
    }
    throw error;
  }
  // Nothing was readable at all: saying "all compliant" would be wrong.
  if (result.checked === 0 && result.failures.length > 0 && result.failures.every((f) => f.code === 0)) {
    io.stderr(`calico-ipv6-webhook audit: cannot reach the API server: ${result.failures[0]?.error ?? ''}`);
    return 2;
  }
  if (format === 'json') io.stdout(JSON.stringify(result, null, 2));
  else printTable(result, io);
  if (result.entries.length > 0) return 1;
  // What could not be read may not comply either: not a clean bill of health.
  return result.failures.length > 0 ? 2 : 0;
}
