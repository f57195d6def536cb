// `npm run bench:load`: a load test shaped like Kyverno's published one (kyverno.io/docs/installation/scaling,
// "Scale Testing / Admission Controller": k6's shared-iterations executor, 100/1,000, 200/5,000 and
// 500/10,000 virtual users/iterations, one replica and three), run against the built webhook directly
// (Kyverno's goes through the API server of a KinD cluster creating Pods against 17 validate policies; here
// the body is a calico-node CREATE sent to /mutate, so the figures compare the shape, not the work).
//
// Shared iterations: `clients` concurrent clients, each on its own keep-alive TLS connection to every
// replica, take the next of `requests` iterations until none is left. Each client first sends one untimed
// review per replica, so no handshake is timed (k6's http_req_duration leaves the TLS handshake out too).
// Three replicas are three webhook processes; the load client sends each request to the next replica in
// turn (client-side round-robin, no proxy in between). The load client runs on the same machine as the
// replicas and takes CPU from them: on 2 cores, 3 replicas do not add cores, so they mostly add queues.
//
// Environment: LOAD_BODY (a bench body name, default calico-node-create), LOAD_REPLICAS (comma list,
// default 1,3), BENCH_WEBHOOK (the webhook's main.js, default dist/cli/main.js).
import { Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { writeSelfSignedServing } from '../src/server/certificates.js';
import { REVIEW_BODIES } from './bodies.js';
import { formatTable, REPO_ROOT, round, startServerProcess, workDir, type Server } from './harness.js';

/** Kyverno's published cells: virtual users / iterations, and its average and max latency (ms) per replica count. */
export const KYVERNO_CELLS = [
  { clients: 100, requests: 1_000, published: { 1: { avg: 42.67, max: 141.24 }, 3: { avg: 35.61, max: 92.61 } } },
  { clients: 200, requests: 5_000, published: { 1: { avg: 80.74, max: 409.35 }, 3: { avg: 67.37, max: 327.12 } } },
  { clients: 500, requests: 10_000, published: { 1: { avg: 203.86, max: 1500 }, 3: { avg: 163.08, max: 3020 } } },
] as const;

export interface CellResult {
  avgMs: number;
  p99Ms: number;
  maxMs: number;
  rps: number;
  errors: number;
}

function post(url: string, agent: Agent, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL('/mutate', url), { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Latency statistics of one sample, ms. */
export function latencyStats(samples: readonly number[]): { avg: number; p99: number; max: number } {
  if (samples.length === 0) return { avg: NaN, p99: NaN, max: NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { avg: sum / sorted.length, p99: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? NaN, max: sorted[sorted.length - 1] ?? NaN };
}

/** One cell: shared iterations over `clients` clients, round-robin over `urls`. */
export async function sharedIterations(urls: readonly string[], clients: number, requests: number, body: string, ca: string): Promise<CellResult> {
  const agents = Array.from({ length: clients }, () => urls.map(() => new Agent({ keepAlive: true, maxSockets: 1, ca })));
  let errors = 0;
  const ok = (status: number) => {
    if (status !== 200) errors++;
  };
  try {
    // Connections opened first (untimed), as k6's VUs have theirs before the iterations are timed.
    await Promise.all(agents.flatMap((perReplica) => perReplica.map((agent, r) => post(urls[r] as string, agent, body).then(ok, () => errors++))));
    const warmErrors = errors;
    const times: number[] = [];
    let next = 0;
    let turn = 0;
    const started = performance.now();
    await Promise.all(agents.map(async (perReplica) => {
      while (next < requests) {
        next++;
        const r = turn++ % urls.length;
        const sent = performance.now();
        try {
          ok(await post(urls[r] as string, perReplica[r] as Agent, body));
        } catch {
          errors++;
        }
        times.push(performance.now() - sent);
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const stats = latencyStats(times);
    return { avgMs: stats.avg, p99Ms: stats.p99, maxMs: stats.max, rps: times.length / seconds, errors: errors - warmErrors };
  } finally {
    for (const perReplica of agents) for (const agent of perReplica) agent.destroy();
  }
}

async function main(): Promise<void> {
  const bodyName = process.env.LOAD_BODY ?? 'calico-node-create';
  const body = (REVIEW_BODIES as Record<string, string>)[bodyName];
  if (!body) throw new Error(`unknown LOAD_BODY ${bodyName}; one of ${Object.keys(REVIEW_BODIES).join(', ')}`);
  const replicaCounts = (process.env.LOAD_REPLICAS ?? '1,3').split(',').map((s) => Number(s.trim()));
  const dir = workDir();
  const pki = await writeSelfSignedServing(join(dir, 'pki'));
  const args = [process.env.BENCH_WEBHOOK ?? join(REPO_ROOT, 'dist/cli/main.js'), 'serve', '--port', '0', '--tls-cert', pki.certPath, '--tls-key', pki.keyPath, '--shutdown-delay', '0'];
  const rows: (string | number)[][] = [];
  const json: Record<string, unknown>[] = [];
  try {
    for (const replicas of replicaCounts) {
      if (replicas !== 1 && replicas !== 3) throw new Error(`LOAD_REPLICAS takes 1 and 3 (Kyverno's), got ${replicas}`);
      const servers: Server[] = [];
      try {
        for (let i = 0; i < replicas; i++) servers.push(await startServerProcess(`webhook ${i + 1}`, args, join(dir, `webhook-${replicas}-${i}.log`), 'calico-ipv6-webhook serving'));
        for (const cell of KYVERNO_CELLS) {
          const result = await sharedIterations(servers.map((s) => s.url), cell.clients, cell.requests, body, pki.caPem);
          const kyverno = cell.published[replicas];
          process.stderr.write(`${replicas} replica(s), ${cell.clients}/${cell.requests}: avg ${result.avgMs.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, max ${result.maxMs.toFixed(2)} ms, ${result.rps.toFixed(0)} req/s, ${result.errors} errors\n`);
          rows.push([String(replicas), `${cell.clients}/${cell.requests.toLocaleString('en')}`, result.avgMs, result.p99Ms, result.maxMs, result.rps, String(result.errors), kyverno.avg, kyverno.max, kyverno.avg / result.avgMs]);
          json.push({ replicas, clients: cell.clients, requests: cell.requests, avg_ms: round(result.avgMs, 2), p99_ms: round(result.p99Ms, 2), max_ms: round(result.maxMs, 2), rps: round(result.rps, 0), errors: result.errors, kyverno_avg_ms: kyverno.avg, kyverno_max_ms: kyverno.max });
        }
      } finally {
        for (const server of servers) await server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const out = [
    `Kyverno-shaped load test (shared iterations; body ${bodyName} to /mutate; client-side round-robin over the replicas; latencies in ms, by the client)`,
    formatTable(['replicas', 'clients/requests', 'avg', 'p99', 'max', 'req/s', 'errors', 'Kyverno avg', 'Kyverno max', 'x faster (avg)'], rows),
    'Kyverno: kyverno.io/docs/installation/scaling, 17 validate policies on Pods through a KinD API server, k6 shared-iterations; it publishes avg and max, no p99.',
  ];
  process.stdout.write(`${out.join('\n')}\n${JSON.stringify({ load: json })}\n`);
}

if (process.argv[1]?.endsWith('load.ts')) main().catch((error: unknown) => {
  process.stderr.write(`bench:load failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
