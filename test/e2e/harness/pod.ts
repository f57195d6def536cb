// The harness's kubelet for one pod of the chart's Deployment: there is no kubelet here, so this runs
// the webhook container's own command line (as the chart rendered it) from dist/, with the ConfigMap and
// Secret volumes projected the way the kubelet's AtomicWriter does (pkg/volume/util/atomic_writer.go:
// files are symlinks through `..data`, which is swapped atomically to a new timestamped directory), and
// kept in sync with the API server. A cert-manager renewal or a ConfigMap change thus reaches the
// running server exactly as in a pod: files change under it, nothing restarts it.
import { mkdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TestCluster } from './cluster.js';
import { startWebhook, type WebhookProcess } from './webhook.js';

interface Volume { name: string; configMap?: { name: string }; secret?: { secretName: string } }
interface Container { name: string; args?: string[]; volumeMounts?: { name: string; mountPath: string }[] }
interface Deployment { spec: { template: { spec: { containers: Container[]; volumes?: Volume[] } } } }

/** Writes data into dir as the kubelet does: dir/<key> -> ..data/<key>, ..data -> ..<stamp>/. */
export async function atomicWrite(dir: string, data: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const stamp = `..${new Date().toISOString().replaceAll(':', '_')}.${process.hrtime.bigint()}`;
  await mkdir(join(dir, stamp));
  for (const [key, value] of Object.entries(data)) await writeFile(join(dir, stamp, key), value, { mode: 0o600 });
  const old = await readlink(join(dir, '..data')).catch(() => undefined);
  await symlink(stamp, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const key of Object.keys(data)) await symlink(join('..data', key), join(dir, key)).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  if (old) await rm(join(dir, old), { recursive: true, force: true });
}

export interface ProjectedPod {
  /** The server process now running (replaced by start()). */
  webhook: WebhookProcess;
  /** Where each volume is projected on this machine. */
  volumeDirs: Map<string, string>;
  /** Starts the server again after webhook.stop(), with the same command line and volumes. */
  start(): Promise<void>;
  /** Stops the server (SIGTERM) and the volume sync. */
  close(): Promise<void>;
}

/** Runs the named container of a Deployment in the cluster, its volumes projected under dir. */
export async function runDeploymentPod(
  cluster: TestCluster, namespace: string, deploymentName: string, dir: string, opts: { container?: string; syncIntervalMs?: number; caKey?: string; servername?: string } = {},
): Promise<ProjectedPod> {
  const got = await cluster.kubectl(['get', 'deployment', deploymentName, '-n', namespace, '-o', 'json']);
  if (got.code !== 0) throw new Error(`deployment ${namespace}/${deploymentName}: ${got.stderr}`);
  const spec = (JSON.parse(got.stdout) as Deployment).spec.template.spec;
  const container = spec.containers.find((c) => c.name === (opts.container ?? 'webhook')) ?? spec.containers[0];
  if (!container) throw new Error(`deployment ${namespace}/${deploymentName} has no container`);

  const volumeDirs = new Map<string, string>();
  const sources = new Map<string, () => Promise<Record<string, string> | undefined>>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = spec.volumes?.find((v) => v.name === mount.name);
    if (!volume) continue;
    const local = join(dir, 'volumes', mount.name);
    volumeDirs.set(mount.mountPath, local);
    if (volume.configMap) sources.set(local, () => readData(cluster, namespace, 'configmap', volume.configMap!.name, false));
    else if (volume.secret) sources.set(local, () => readData(cluster, namespace, 'secret', volume.secret!.secretName, true));
  }
  const seen = new Map<string, string>();
  const sync = async () => {
    for (const [local, read] of sources) {
      const data = await read();
      if (!data) continue;
      const text = JSON.stringify(data);
      if (seen.get(local) === text) continue;
      await atomicWrite(local, data);
      seen.set(local, text);
    }
  };
  await sync();
  for (const local of sources.keys()) if (!seen.has(local)) throw new Error(`volume source for ${local} not found in ${namespace}`);
  let syncing = Promise.resolve();
  const timer = setInterval(() => { syncing = syncing.then(sync).catch(() => undefined); }, opts.syncIntervalMs ?? 1000);

  // The container's own arguments, mount paths replaced by where the volumes are projected here.
  const args = (container.args ?? []).map((arg) => {
    for (const [mountPath, local] of volumeDirs) if (arg.includes(`${mountPath}/`)) return arg.replace(`${mountPath}/`, `${local}/`);
    return arg;
  });
  // The CA that signed the serving certificate sits beside it in the Secret's volume (cert-manager's ca.crt).
  const certArg = args.find((a) => a.startsWith('--tls-cert='));
  const caPath = certArg ? join(dirname(certArg.slice('--tls-cert='.length)), opts.caKey ?? 'ca.crt') : undefined;
  const start = () => startWebhook({ args, caPath, servername: opts.servername });
  const pod: ProjectedPod = {
    webhook: await start(),
    volumeDirs,
    start: async () => {
      pod.webhook = await start();
    },
    close: async () => {
      clearInterval(timer);
      await syncing;
      await pod.webhook.stop();
    },
  };
  return pod;
}

async function readData(cluster: TestCluster, namespace: string, kind: 'configmap' | 'secret', name: string, base64: boolean): Promise<Record<string, string> | undefined> {
  const r = await cluster.kubectl(['get', kind, name, '-n', namespace, '-o', 'json']);
  if (r.code !== 0) return undefined;
  const data = (JSON.parse(r.stdout) as { data?: Record<string, string> }).data ?? {};
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, base64 ? Buffer.from(v, 'base64').toString('utf8') : v]));
}
