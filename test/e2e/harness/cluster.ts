// A throwaway Kubernetes control plane (etcd + kube-apiserver, no controller-manager, scheduler or
// kubelet) for e2e tests, started the way controller-runtime's envtest does it, on the Kubernetes minor
// E2E_K8S selects (harness/kubernetes.ts). Binaries come from scripts/provision.sh. Everything listens
// on 127.0.0.1 and lives in one temp dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCertificateAuthority } from '../../../src/server/certificates.js';
import { generateKeyPairPem, issueCertificate } from '../../support/pki.js';
import { kubernetesTarget } from './kubernetes.js';
import { REPO_ROOT } from '../../support/repo-root.js';

const CACHE_BIN = join(REPO_ROOT, '.cache/bin');
const K8S = kubernetesTarget();
/** The IPv6 Service CIDR the webhook's tests assume. */
export const SERVICE_CIDR = 'fd00:10:96::/112';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string;
  /** Default 60 s; on expiry the command is killed and code is 124 (like timeout(1)). */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export interface TestCluster {
  /** Admin kubeconfig (client cert in O=system:masters, embedded). */
  kubeconfigPath: string;
  /** https://127.0.0.1:PORT */
  server: string;
  /** Temp dir holding kubeconfig, certs and etcd data; removed by stop(). */
  dir: string;
  /** CA bundle that verifies the apiserver's serving cert (from its --cert-dir). */
  caCertPem: string;
  /** Admin client credentials, for callers that talk HTTPS directly. */
  clientCertPem: string;
  clientKeyPem: string;
  pids: { etcd: number; apiserver: number };
  kubectl(args: string[], opts?: RunOptions): Promise<RunResult>;
  helm(version: 3 | 4, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Kills the processes (SIGTERM, SIGKILL after 5 s) and removes dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Keep etcd/apiserver logs here (they survive stop()); default: inside the temp dir. */
  logDir?: string;
  /** Appended to the kube-apiserver command line (later flags win). */
  apiserverArgs?: string[];
  /** How long to wait for /readyz. Default 60 s. */
  readyTimeoutMs?: number;
}

export interface ServingCert {
  caPem: string;
  caPath: string;
  certPem: string;
  certPath: string;
  keyPem: string;
  /** PKCS#8 PEM. */
  keyPath: string;
}

// ---- binaries ----------------------------------------------------------------------------------

function missing(what: string): Error {
  return new Error(`${what} not found: run \`E2E_K8S=${K8S.minor} bash scripts/provision.sh e2e\` (npm run test:e2e does)`);
}

function findBinary(envVar: string, candidates: (string | undefined)[], what: string): string {
  const override = process.env[envVar];
  if (override) {
    if (!existsSync(override)) throw new Error(`${envVar}=${override} does not exist`);
    return override;
  }
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) throw missing(what);
  return found;
}

// One kube-apiserver, etcd and kubectl per minor: etcd at the release that minor supports (Debian's 3.4
// is older than any supported Kubernetes accepts), kubectl at the same minor (kubectl's skew policy).
const apiserverBin = () => findBinary('E2E_APISERVER_BIN', [join(K8S.binDir, 'kube-apiserver')], `kube-apiserver ${K8S.minor}`);
const etcdBin = () => findBinary('E2E_ETCD_BIN', [join(K8S.binDir, 'etcd')], `etcd for Kubernetes ${K8S.minor}`);
export const kubectlBin = () => findBinary('E2E_KUBECTL', [join(K8S.binDir, 'kubectl')], `kubectl ${K8S.minor}`);
const helmBin = (v: 3 | 4) => findBinary(`E2E_HELM${v}`, [join(CACHE_BIN, `helm${v}`)], `helm${v} (.cache/bin/helm${v})`);

// ---- certificates (the project's own CA code, src/server/certificates.ts) ----------------------

/**
 * Writes a fresh CA and a serving certificate signed by it into dir (ca.crt, tls.crt, tls.key), for
 * the webhook server under test; caPem goes into the webhook configuration's caBundle.
 */
export async function makeServingCert(
  dir: string,
  sans: { ipSans?: string[]; dnsSans?: string[] } = { ipSans: ['127.0.0.1'], dnsSans: ['localhost'] },
): Promise<ServingCert> {
  await mkdir(dir, { recursive: true });
  const ca = await createCertificateAuthority('calico-ipv6-webhook-e2e-ca');
  const { certPem, keyPem } = await issueCertificate(ca, {
    commonName: sans.dnsSans?.[0] ?? sans.ipSans?.[0] ?? 'webhook', dnsNames: sans.dnsSans, ipAddresses: sans.ipSans, days: 7,
  });
  const caPath = join(dir, 'ca.crt');
  const certPath = join(dir, 'tls.crt');
  const keyPath = join(dir, 'tls.key');
  await writeFile(caPath, ca.certPem);
  await writeFile(certPath, certPem);
  await writeFile(keyPath, keyPem, { mode: 0o600 });
  return { caPem: ca.certPem, caPath, certPem, certPath, keyPem, keyPath };
}

// ---- processes ---------------------------------------------------------------------------------

/** Reserves n distinct free ports on 127.0.0.1 (holding all of them at once so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((ok, fail) => {
        s.once('error', fail);
        s.listen(0, '127.0.0.1', ok);
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  }
}

// Live children of every cluster in this process, killed synchronously if the process exits
// (test failure, uncaught exception) or is signalled before stop() ran.
const live = new Map<ChildProcess, string | undefined>(); // child -> temp dir to remove
let safetyNetInstalled = false;

function emergencyCleanup(): void {
  for (const [child, dir] of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

function installSafetyNet(): void {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  process.on('exit', emergencyCleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Listening to a signal disables Node's default "exit"; restore it after cleaning up.
    process.once(sig, () => {
      emergencyCleanup();
      process.kill(process.pid, sig);
    });
  }
}

function startProcess(bin: string, args: string[], logFile: string, tempDir: string): Promise<ChildProcess> {
  return new Promise((ok, fail) => {
    // Logs go to a file through an fd the child inherits, so no pipe ties up our event loop.
    const fd = openSync(logFile, 'a');
    const child = spawn(bin, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.once('error', fail);
    child.once('spawn', () => {
      // A forgotten stop() must not keep the test process alive; the exit hook kills the child.
      child.unref();
      live.set(child, tempDir);
      child.once('exit', () => live.delete(child));
      ok(child);
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => child.once('exit', () => ok()));
}

async function terminate(child: ChildProcess | undefined): Promise<void> {
  if (!child) return;
  child.ref(); // keep the loop alive until we have seen it exit
  const done = exited(child);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((ok) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      ok();
    }, 5000);
  });
  await Promise.race([done, killed]);
  clearTimeout(timer);
  await done;
}

function tail(file: string, lines = 40): string {
  try {
    // The apiserver's flag dump (--v=1) is long and rarely the interesting part.
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.filter((l) => !l.includes('] FLAG: --')).slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

export function run(bin: string, args: string[], env: NodeJS.ProcessEnv, opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((ok, fail) => {
    const child = spawn(bin, args, { env: { ...env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      let stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) stderr += `\n[harness] ${bin} ${args.join(' ')} timed out after ${opts.timeoutMs ?? 60_000} ms`;
      ok({ code: timedOut ? 124 : (code ?? (signal ? 128 : 1)), stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
    child.stdin.on('error', () => {}); // a command that exits without reading stdin must not crash us
    child.stdin.end(opts.input ?? '');
  });
}

/** GET https://127.0.0.1:port/path with client TLS; resolves the status code and body. */
function get(url: string, tls: { ca: string; cert: string; key: string }): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request(url, { ...tls, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    req.end();
  });
}

async function waitForEtcd(port: number, child: ChildProcess, logFile: string, deadline: number): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode}:\n${tail(logFile)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      last = await res.text();
      if (res.ok && /"health"\s*:\s*"true"/.test(last)) return;
    } catch (e) {
      last = String(e);
    }
    await sleep(100);
  }
  throw new Error(`etcd not healthy in time (last: ${last}):\n${tail(logFile)}`);
}

async function waitForReadyz(
  server: string,
  certDir: string,
  client: { cert: string; key: string },
  child: ChildProcess,
  logFile: string,
  deadline: number,
): Promise<string> {
  let last = 'apiserver.crt not written yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`kube-apiserver exited with code ${child.exitCode}:\n${tail(logFile)}`);
    const caFile = join(certDir, 'apiserver.crt');
    if (existsSync(caFile)) {
      const ca = await readFile(caFile, 'utf8');
      try {
        const res = await get(`${server}/readyz`, { ca, ...client });
        if (res.status === 200) return ca;
        last = `HTTP ${res.status}: ${res.body.trim()}`;
      } catch (e) {
        last = String(e);
      }
    }
    await sleep(250);
  }
  throw new Error(`kube-apiserver not ready in time (last /readyz: ${last})\n--- apiserver log tail ---\n${tail(logFile)}`);
}

async function waitForNamespace(
  server: string,
  name: string,
  tls: { ca: string; cert: string; key: string },
  deadline: number,
  logFile: string,
): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await get(`${server}/api/v1/namespaces/${name}`, tls);
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    await sleep(100);
  }
  throw new Error(`namespace ${name} not created in time (last: ${last})\n--- apiserver log tail ---\n${tail(logFile)}`);
}

function kubeconfig(server: string, caPem: string, certPem: string, keyPem: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  // JSON is valid YAML, and avoids quoting concerns.
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e2e', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
      users: [{ name: 'admin', user: { 'client-certificate-data': b64(certPem), 'client-key-data': b64(keyPem) } }],
      contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'admin', namespace: 'default' } }],
      'current-context': 'e2e',
      preferences: {},
    },
    null,
    2,
  );
}

let announced = false;

/** Prints, once per test process, which Kubernetes the suite runs on, as the server reports it. */
async function announceVersion(server: string, tls: { ca: string; cert: string; key: string }): Promise<void> {
  if (announced) return;
  announced = true;
  const res = await get(`${server}/version`, tls);
  const { gitVersion } = JSON.parse(res.body) as { gitVersion: string };
  console.log(`kube-apiserver: Kubernetes ${gitVersion}`);
}

/** Starts etcd and kube-apiserver on free 127.0.0.1 ports and waits until /readyz answers 200. */
export async function startCluster(opts: StartOptions = {}): Promise<TestCluster> {
  const apiserver = apiserverBin();
  const etcd = etcdBin();
  installSafetyNet();

  const dir = await mkdtemp(join(tmpdir(), 'calico-e2e-'));
  const logDir = opts.logDir ? resolve(opts.logDir) : join(dir, 'logs');
  const certDir = join(dir, 'apiserver-certs');
  const pkiDir = join(dir, 'pki');
  await Promise.all([mkdir(logDir, { recursive: true }), mkdir(certDir), mkdir(pkiDir)]);
  const etcdLog = join(logDir, 'etcd.log');
  const apiLog = join(logDir, 'kube-apiserver.log');

  let etcdProc: ChildProcess | undefined;
  let apiProc: ChildProcess | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      // apiserver first, so it doesn't spend its last seconds retrying a dead etcd.
      await terminate(apiProc);
      await terminate(etcdProc);
      await rm(dir, { recursive: true, force: true });
    })());

  try {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
    const [etcdClient, etcdPeer, securePort] = (await freePorts(3)) as [number, number, number];

    // Certificates: a client CA with an admin cert in system:masters (bypasses RBAC, like envtest's
    // admin user), and a key for signing and verifying service-account tokens.
    const clientCA = await createCertificateAuthority('calico-e2e-client-ca');
    const admin = await issueCertificate(clientCA, { commonName: 'admin', organization: 'system:masters', client: true, days: 7 });
    const saKey = await generateKeyPairPem();
    const clientCAPath = join(pkiDir, 'client-ca.crt');
    const saKeyPath = join(pkiDir, 'sa.key');
    // --service-account-key-file reads only public keys or PKCS#1/SEC1 private keys, not PKCS#8.
    const saPubPath = join(pkiDir, 'sa.pub');
    await writeFile(clientCAPath, clientCA.certPem);
    await writeFile(saKeyPath, saKey.privateKeyPem, { mode: 0o600 });
    await writeFile(saPubPath, saKey.publicKeyPem);

    const etcdURL = `http://127.0.0.1:${etcdClient}`;
    const peerURL = `http://127.0.0.1:${etcdPeer}`;
    etcdProc = await startProcess(
      etcd,
      [
        '--name=e2e',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdURL}`,
        `--advertise-client-urls=${etcdURL}`,
        `--listen-peer-urls=${peerURL}`,
        `--initial-advertise-peer-urls=${peerURL}`,
        `--initial-cluster=e2e=${peerURL}`,
        '--initial-cluster-state=new',
        '--logger=zap', // 3.4 defaults to the deprecated capnslog and says so
        '--log-level=warn',
      ],
      etcdLog,
      dir,
    );
    await waitForEtcd(etcdClient, etcdProc, etcdLog, deadline);

    const server = `https://127.0.0.1:${securePort}`;
    apiProc = await startProcess(
      apiserver,
      [
        `--etcd-servers=${etcdURL}`,
        `--cert-dir=${certDir}`,
        `--secure-port=${securePort}`,
        '--bind-address=127.0.0.1',
        // The apiserver insists that the advertised address and the primary Service CIDR share an IP
        // family, so advertise IPv6 loopback; nothing listens there (--bind-address decides that).
        // Endpoints validation rejects loopback IPs, so don't publish the address in the
        // "kubernetes" Service's Endpoints (it would log a sync error every 10 s); no test needs them.
        '--advertise-address=::1',
        '--endpoint-reconciler-type=none',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--service-account-issuer=${server}`,
        `--service-account-key-file=${saPubPath}`,
        `--service-account-signing-key-file=${saKeyPath}`,
        '--authorization-mode=RBAC',
        `--client-ca-file=${clientCAPath}`,
        '--allow-privileged=true',
        // Webhooks configured by Service are then called at the Service's endpoints (EndpointSlices)
        // rather than its clusterIP, which nothing routes here: how the Service route is tested.
        '--enable-aggregator-routing=true',
        '--v=1',
        ...K8S.apiserverArgs,
        ...(opts.apiserverArgs ?? []),
      ],
      apiLog,
      dir,
    );
    const tls = { cert: admin.certPem, key: admin.keyPem };
    const caCertPem = await waitForReadyz(server, certDir, tls, apiProc, apiLog, deadline);
    // /readyz does not cover the system-namespaces controller, and calico objects live in kube-system.
    await waitForNamespace(server, 'kube-system', { ca: caCertPem, ...tls }, deadline, apiLog);
    await announceVersion(server, { ca: caCertPem, ...tls });

    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig(server, caCertPem, admin.certPem, admin.keyPem), { mode: 0o600 });

    // Keep kubectl's discovery cache and helm's state inside the temp dir, away from $HOME and
    // from other clusters running in parallel.
    const toolEnv: NodeJS.ProcessEnv = {
      ...process.env,
      KUBECONFIG: kubeconfigPath,
      KUBECACHEDIR: join(dir, 'kube-cache'),
      HELM_CACHE_HOME: join(dir, 'helm/cache'),
      HELM_CONFIG_HOME: join(dir, 'helm/config'),
      HELM_DATA_HOME: join(dir, 'helm/data'),
    };

    return {
      kubeconfigPath,
      server,
      dir,
      caCertPem,
      clientCertPem: admin.certPem,
      clientKeyPem: admin.keyPem,
      pids: { etcd: etcdProc.pid!, apiserver: apiProc.pid! },
      kubectl: (args, o) => run(kubectlBin(), [`--kubeconfig=${kubeconfigPath}`, ...args], toolEnv, o),
      helm: (version, args, o) => run(helmBin(version), [`--kubeconfig=${kubeconfigPath}`, ...args], toolEnv, o),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
