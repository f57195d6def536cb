// `npm run bench:budget`: what issue 13's throughput goals allow a review to cost. The goals are ratios
// of req/s to two floors (the bare https server, the express app), so they fix a CPU budget per
// review: the https-spin floor answers the same bytes as the webhook after a busy loop of a known
// number of microseconds, and its req/s at each loop length, next to the floors in the same run,
// says the longest review (everything from body bytes to answer bytes, log line included) that still
// meets each goal. Beside it, what the webhook's own path costs in this process for the same body
// (answerBody: scan, parse, decode, rules, patch, encode, with the metrics and the review log line;
// best of several batches, warm). The server pays more for the same path than this warm loop does
// (its caches hold the TLS and HTTP code too), so the comparison flatters the webhook.
//
// Environment: BUDGET_SECONDS (per cell, default 3), BUDGET_SPINS (comma-separated microseconds,
// default 0,5,10,20,30,40,60,80,120), BENCH_BODIES (subset of the bodies). Last line: one JSON object.
import { join } from 'node:path';
import { REVIEW_BODIES } from './bodies.js';
import { ownPath } from './own-path.js';
import { writeSelfSignedServing } from '../src/server/certificates.js';
import { envNumber, formatTable, load, REPO_ROOT, round, startServerProcess, workDir, type Server } from './harness.js';

const SECONDS = envNumber('BUDGET_SECONDS', 3);
const SPINS = (process.env.BUDGET_SPINS ?? '0,5,10,20,30,40,60,80,120').split(',').map(Number);

/** Each body with the goals the issue sets for it: a ratio to the https floor and/or to the express floor. */
const BODIES: Record<string, { body: string; https?: number; express?: number }> = {
  'calico-node-create': { body: REVIEW_BODIES['calico-node-create'], https: 0.3, express: 0.8 },
  'calico-config': { body: REVIEW_BODIES['calico-config'], express: 0.8 },
  'kube-dns': { body: REVIEW_BODIES['kube-dns'], express: 0.8 },
  'non-target': { body: REVIEW_BODIES['non-target'], https: 0.5 },
};
const selected = process.env.BENCH_BODIES ? process.env.BENCH_BODIES.split(',').map((s) => s.trim()) : Object.keys(BODIES);

const log = (text: string): void => void process.stderr.write(`${text}\n`);

async function rps(server: Server, path: string, body: string): Promise<number> {
  await load({ url: server.url, path, body, seconds: 1, connections: 10 });
  return (await load({ url: server.url, path, body, seconds: SECONDS, connections: 10 })).rps;
}

/**
 * The longest loop at which ratio(spin) >= goal, interpolated between measured points: 0 when even no
 * loop misses it, and `atLeast` when the longest loop measured still meets it.
 */
function budget(points: { spin: number; ratio: number }[], goal: number): { micros: number; atLeast: boolean } {
  let last: { spin: number; ratio: number } | undefined;
  for (const point of points) {
    if (point.ratio < goal) {
      if (!last) return { micros: 0, atLeast: false };
      return { micros: last.spin + ((last.ratio - goal) / (last.ratio - point.ratio)) * (point.spin - last.spin), atLeast: false };
    }
    last = point;
  }
  return { micros: last?.spin ?? 0, atLeast: true };
}

const shownBudget = (goal: number | undefined, b: { micros: number; atLeast: boolean } | undefined) =>
  goal === undefined || !b ? '-' : `${goal} -> ${b.atLeast ? '>= ' : ''}${round(b.micros, 1)}`;

async function main(): Promise<void> {
  const reviewMicros = await ownPath();
  const dir = workDir();
  const pki = await writeSelfSignedServing(join(dir, 'pki'));
  const floor = (kind: string) => startServerProcess(`${kind} floor`, ['--import', 'tsx', join(REPO_ROOT, 'bench/floor-server.ts'), kind, pki.certPath, pki.keyPath], join(dir, `${kind}.log`), 'floor serving');
  const servers = [await floor('https'), await floor('express'), await floor('https-spin')];
  const [https, expressFloor, spin] = servers as [Server, Server, Server];
  const rows: (string | number)[][] = [];
  const json: Record<string, unknown> = {};
  try {
    for (const name of selected) {
      const spec = BODIES[name];
      if (!spec) throw new Error(`unknown body ${name}; one of ${Object.keys(BODIES).join(', ')}`);
      const own = reviewMicros(spec.body);
      const path = `/floor/${own.answerBytes}`;
      const httpsRps = await rps(https, path, spec.body);
      const expressRps = await rps(expressFloor, path, spec.body);
      const points: { spin: number; rps: number }[] = [];
      for (const micros of SPINS) points.push({ spin: micros, rps: await rps(spin, `${path}/${micros}`, spec.body) });
      log(`${name}: https ${httpsRps.toFixed(0)}, express ${expressRps.toFixed(0)}, spin ${points.map((p) => `${p.spin}us ${p.rps.toFixed(0)}`).join(', ')}; own path ${own.micros.toFixed(1)} us`);
      const vsHttps = spec.https === undefined ? undefined : budget(points.map((p) => ({ spin: p.spin, ratio: p.rps / httpsRps })), spec.https);
      const vsExpress = spec.express === undefined ? undefined : budget(points.map((p) => ({ spin: p.spin, ratio: p.rps / expressRps })), spec.express);
      rows.push([name, httpsRps, expressRps, ...points.map((p) => p.rps / httpsRps), shownBudget(spec.https, vsHttps), shownBudget(spec.express, vsExpress), own.micros]);
      json[name] = {
        https_rps: round(httpsRps, 0), express_rps: round(expressRps, 0), spin_rps: Object.fromEntries(points.map((p) => [p.spin, round(p.rps, 0)])),
        ...(vsHttps && { budget_us_https: round(vsHttps.micros, 1), ...(vsHttps.atLeast && { budget_https_at_least: true }) }),
        ...(vsExpress && { budget_us_express: round(vsExpress.micros, 1), ...(vsExpress.atLeast && { budget_express_at_least: true }) }),
        own_path_us: round(own.micros, 1),
      };
    }
  } finally {
    for (const server of servers) await server.stop();
  }
  process.stdout.write(`${formatTable(['body', 'https rps', 'express rps', ...SPINS.map((s) => `${s}us x https`), 'goal x https -> budget us', 'goal x express -> budget us', 'own path us'], rows)}\n`);
  process.stdout.write('budget: the longest review (busy loop on the https floor) whose req/s still meets the goal (>=: still met at the longest loop measured); own path: answerBody with metrics and log line in this process, warm\n');
  process.stdout.write(`${JSON.stringify(json)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:budget failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
