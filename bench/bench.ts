// `npm run bench`: the webhook (built, as its own process) under autocannon on loopback keep-alive HTTPS,
// with real review bodies, against two floors in the same run (a bare node:https server and a bare
// express app with the same JSON parsing, each answering fixed bytes of the webhook's answer size).
// Per body: closed-loop throughput, fixed-rate latency at 200 and 1000 req/s, CPU per review (from
// /proc), peak RSS, and the ratio to each floor; then non-target server time and RSS flatness over
// BENCH_REVIEWS reviews. A table, and as the last line one JSON object.
//
// Environment: BENCH_SECONDS (per cell, default 5), BENCH_REVIEWS (RSS flatness run, default 200000),
// BENCH_CONNECTIONS (closed loop, default 10), BENCH_BODIES (comma-separated subset of body names),
// BENCH_WEBHOOK (the webhook's main.js, default dist/cli/main.js: to compare two builds),
// BENCH_LARGE_SECONDS (each half of the large-review run, default 10; 0 skips it).
// Then the large-review run (large-reviews.ts) on a fresh webhook process: peak RSS and the latency of a
// normal review while 30 clients send 2.3 MB reviews and then 8 send 2 MB deeply nested ones.
// The peer (bench/peer: a controller-runtime v0.25.3 webhook setting only calico-node's five IPv6 env
// vars, built once to .cache/bin/peer by peer-build.ts) runs with GOMAXPROCS=1 (one core, as Node's one
// JS thread) on the same certificate and gets the same bodies and load in the same run: ratio_peer =
// webhook rps / peer rps. Also per server: start-up (exec to the first answered review, median of 5),
// RSS idle (after start, before any load) and after the body cells; per body the in-process cost of the
// webhook's path (own_path_us, as bench:budget measures it).
import { join } from 'node:path';
import { cpus } from 'node:os';
import { request as httpsRequest } from 'node:https';
import { readFileSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { writeSelfSignedServing } from '../src/server/certificates.js';
import { reviewRequest, type Reviewer } from '../src/admission/handler.js';
import { decodeReview } from '../src/admission/review.js';
import { answerBody } from '../src/admission/body.js';
import { loadConfig } from '../src/config/load.js';
import { REVIEW_BODIES } from './bodies.js';
import { largeReviewRun, type LargeReviewResult } from './large-reviews.js';
import { envNumber, formatTable, load, machineCpu, paced, pacedAgent, REPO_ROOT, round, sampleProcess, sleep, startServerProcess, startupMs, workDir, type LoadResult, type Server } from './harness.js';
import { buildPeer } from './peer-build.js';
import { ownPath } from './own-path.js';

const SECONDS = envNumber('BENCH_SECONDS', 5);
const REVIEWS = envNumber('BENCH_REVIEWS', 200_000);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 10);
const LARGE_SECONDS = process.env.BENCH_LARGE_SECONDS === '0' ? 0 : envNumber('BENCH_LARGE_SECONDS', 10);
const WARMUP_SECONDS = 1;

const log = (text: string): void => void process.stderr.write(`${text}\n`);

/** The review bodies: what a `kubectl apply` of Calico and kube-dns sends, plus an unrelated ConfigMap. */
const ALL_BODIES: Record<string, string> = REVIEW_BODIES;
const TARGETS = new Set(['calico-node-create', 'calico-node-update', 'calico-config', 'kube-dns']);
const selected = process.env.BENCH_BODIES ? process.env.BENCH_BODIES.split(',').map((s) => s.trim()) : Object.keys(ALL_BODIES);
const BODIES = Object.fromEntries(Object.entries(ALL_BODIES).filter(([name]) => selected.includes(name)));

/** One request outside the load, to know the answer's size and that it is right. */
function probe(url: string, path: string, body: string, ca: string): Promise<{ status: number; text: string }> {
  return new Promise((done, reject) => {
    const req = httpsRequest(new URL(path, url), { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(url: string, path: string, ca: string): Promise<string> {
  return new Promise((done, reject) => {
    const req = httpsRequest(new URL(path, url), { ca, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done(text));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Cell extends LoadResult {
  cpuMsPerReview: number;
  peakRssMb: number;
}

type Mode = 'closed' | 'paced' | 'autocannon-rate';

/**
 * A warm-up, then the measured run, with the server's CPU and memory read around it. closed: autocannon
 * as fast as answers come; paced: a steady open-loop rate; autocannon-rate: autocannon's overallRate.
 */
async function cell(server: Server, path: string, body: string, mode: Mode = 'closed', rate = 0): Promise<Cell> {
  const agent = mode === 'paced' ? pacedAgent() : undefined;
  const run = (seconds: number) => agent
    ? paced({ url: server.url, path, body, rate, seconds, agent })
    : load({ url: server.url, path, body, seconds, connections: CONNECTIONS, ...(mode === 'autocannon-rate' ? { rate } : {}) });
  await run(WARMUP_SECONDS);
  const pid = server.child.pid ?? 0;
  const before = sampleProcess(pid);
  const result = await run(SECONDS);
  const after = sampleProcess(pid);
  agent?.destroy();
  return { ...result, cpuMsPerReview: (after.cpuMs - before.cpuMs) / Math.max(1, result.responses), peakRssMb: after.peakRssMb };
}

async function histogramMean(url: string, ca: string): Promise<{ sum: number; count: number }> {
  const text = await get(url, '/metrics', ca);
  const value = (name: string) => Number(new RegExp(`^calico_ipv6_webhook_review_duration_seconds_${name}\\{endpoint="mutate"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { sum: value('sum'), count: value('count') };
}

async function heapUsedMb(url: string, ca: string): Promise<number> {
  const text = await get(url, '/metrics', ca);
  return Number(/^calico_ipv6_webhook_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN) / 1024 / 1024;
}

/** reviewRequest alone, and the whole per-request path without HTTP, in this process. */
function microBenchmark(body: string, iterations = 20_000): { reviewMs: number; fullMs: number } {
  const config = loadConfig({});
  const raw = Buffer.from(body);
  const request = decodeReview(JSON.parse(body));
  for (let i = 0; i < 2000; i++) reviewRequest('mutate', request, config);
  let start = performance.now();
  for (let i = 0; i < iterations; i++) reviewRequest('mutate', request, config);
  const reviewMs = (performance.now() - start) / iterations;
  // The server's own path from body bytes to answer bytes, without HTTP, metrics and the log.
  const review: Reviewer = (endpoint, decoded) => reviewRequest(endpoint, decoded, config);
  start = performance.now();
  for (let i = 0; i < iterations; i++) {
    if (answerBody('mutate', raw, review).status !== 200) throw new Error('not answered');
  }
  const fullMs = (performance.now() - start) / iterations;
  return { reviewMs, fullMs };
}

async function main(): Promise<void> {
  const reviewMicros = await ownPath();
  const dir = workDir();
  const pki = await writeSelfSignedServing(join(dir, 'pki'));
  const machine = `${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}`;
  log(`calico-ipv6-webhook benchmark on ${machine}`);
  log(`cells of ${SECONDS} s after ${WARMUP_SECONDS} s warm-up; closed loop with ${CONNECTIONS} connections; RSS run of ${REVIEWS} reviews`);

  const peerBin = buildPeer(log);
  const peerOptions = { command: peerBin, env: { GOMAXPROCS: '1' } };
  const peerArgs = [pki.certPath, pki.keyPath];
  const webhookArgs = [process.env.BENCH_WEBHOOK ?? join(REPO_ROOT, 'dist/cli/main.js'), 'serve', '--port', '0', '--tls-cert', pki.certPath, '--tls-key', pki.keyPath, '--shutdown-delay', '0'];
  const firstBody = ALL_BODIES['calico-node-create'] as string;
  const startup = {
    webhook: round(await startupMs(webhookArgs, 'calico-ipv6-webhook serving', '/mutate', firstBody), 1),
    peer: round(await startupMs(peerArgs, 'peer serving', '/mutate', firstBody, peerOptions), 1),
  };
  log(`start-up: webhook ${startup.webhook} ms, peer ${startup.peer} ms`);
  const webhook = await startServerProcess('webhook', webhookArgs, join(dir, 'webhook.log'), 'calico-ipv6-webhook serving');
  const httpsFloor = await startServerProcess('https floor', ['--import', 'tsx', join(REPO_ROOT, 'bench/floor-server.ts'), 'https', pki.certPath, pki.keyPath], join(dir, 'https-floor.log'), 'floor serving');
  const expressFloor = await startServerProcess('express floor', ['--import', 'tsx', join(REPO_ROOT, 'bench/floor-server.ts'), 'express', pki.certPath, pki.keyPath], join(dir, 'express-floor.log'), 'floor serving');
  const peer = await startServerProcess('peer', peerArgs, join(dir, 'peer.log'), 'peer serving', peerOptions);
  const servers = [webhook, httpsFloor, expressFloor, peer];
  await sleep(500);
  const rssIdle = { webhook: round(sampleProcess(webhook.child.pid ?? 0).rssMb, 1), peer: round(sampleProcess(peer.child.pid ?? 0).rssMb, 1) };
  /** Servers started later (the large-review run), stopped with the others; their CPU counts as ours. */
  const later: Server[] = [];
  let laterCpuMs = 0;
  const stopAll = async () => {
    for (const server of [...servers, ...later]) await server.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

  // What other processes take from the machine during the run: the numbers are only as quiet as it is.
  const cpuOf = () => laterCpuMs + servers.reduce((sum, s) => sum + sampleProcess(s.child.pid ?? 0).cpuMs, 0) + (process.cpuUsage().user + process.cpuUsage().system) / 1000;
  const machineBefore = machineCpu();
  const oursBefore = cpuOf();
  try {
    const rows: (string | number)[][] = [];
    const json: Record<string, { rps: number; p99_ms: number; ratio_express: number; ratio_https: number; ratio_peer: number; peer_rps: number; peer_p99_ms: number; own_path_us: number; cpu_ms: { webhook: number; https: number; express: number; peer: number } }> = {};
    let nonTargetServerMs = NaN;
    for (const [name, body] of Object.entries(BODIES)) {
      const answer = await probe(webhook.url, '/mutate', body, pki.caPem);
      const response = (JSON.parse(answer.text) as { response: { allowed: boolean; patch?: string } }).response;
      if (answer.status !== 200 || !response.allowed || (TARGETS.has(name) && !response.patch)) throw new Error(`${name}: unexpected answer ${answer.status} ${answer.text.slice(0, 300)}`);
      const answerBytes = Buffer.byteLength(answer.text);
      const peerAnswer = await probe(peer.url, '/mutate', body, pki.caPem);
      const peerResponse = (JSON.parse(peerAnswer.text) as { response: { allowed: boolean; patch?: string } }).response;
      if (peerAnswer.status !== 200 || !peerResponse.allowed || (name.startsWith('calico-node') && !peerResponse.patch)) throw new Error(`${name}: unexpected peer answer ${peerAnswer.status} ${peerAnswer.text.slice(0, 300)}`);
      const floorPath = `/floor/${answerBytes}`;
      log(`${name}: request ${Buffer.byteLength(body)} B, answer ${answerBytes} B`);

      const histBefore = await histogramMean(webhook.url, pki.caPem);
      const closed = await cell(webhook, '/mutate', body);
      const histAfter = await histogramMean(webhook.url, pki.caPem);
      const serverMs = ((histAfter.sum - histBefore.sum) / Math.max(1, histAfter.count - histBefore.count)) * 1000;
      if (name === 'non-target') nonTargetServerMs = serverMs;
      const atRate200 = await cell(webhook, '/mutate', body, 'paced', 200);
      const atRate1000 = await cell(webhook, '/mutate', body, 'paced', 1000);
      const bursts1000 = await cell(webhook, '/mutate', body, 'autocannon-rate', 1000);
      const https = await cell(httpsFloor, floorPath, body);
      const expressCell = await cell(expressFloor, floorPath, body);
      const https1000 = await cell(httpsFloor, floorPath, body, 'paced', 1000);
      const express1000 = await cell(expressFloor, floorPath, body, 'paced', 1000);
      const peerCell = await cell(peer, '/mutate', body);
      const peer1000 = await cell(peer, '/mutate', body, 'paced', 1000);
      const own = reviewMicros(body);
      for (const [what, c] of [['https floor 1000/s', https1000], ['express floor 1000/s', express1000], ['closed', closed], ['200/s', atRate200], ['1000/s', atRate1000], ['autocannon 1000/s', bursts1000], ['https floor', https], ['express floor', expressCell], ['peer', peerCell], ['peer 1000/s', peer1000]] as const) {
        if (c.errors > 0 || c.non2xx > 0) log(`  ${name} ${what}: ${c.errors} errors, ${c.non2xx} non-200 answers`);
      }
      rows.push([
        name, Buffer.byteLength(body), answerBytes,
        closed.rps, closed.p50, closed.p99, closed.p999,
        atRate200.p50, atRate200.p99, atRate200.p999,
        atRate1000.rps, atRate1000.p50, atRate1000.p99, atRate1000.p999, bursts1000.p99,
        closed.cpuMsPerReview, serverMs, closed.peakRssMb,
        https.rps, expressCell.rps, closed.rps / https.rps, closed.rps / expressCell.rps,
        https.cpuMsPerReview, expressCell.cpuMsPerReview, https1000.p99, express1000.p99,
        peerCell.rps, closed.rps / peerCell.rps, peerCell.cpuMsPerReview, peer1000.p99, own.micros,
        closed.errors + closed.non2xx + atRate200.errors + atRate200.non2xx + atRate1000.errors + atRate1000.non2xx + bursts1000.errors + bursts1000.non2xx,
      ]);
      json[name] = {
        rps: round(closed.rps, 0), p99_ms: round(atRate1000.p99, 3), ratio_express: round(closed.rps / expressCell.rps, 3), ratio_https: round(closed.rps / https.rps, 3),
        ratio_peer: round(closed.rps / peerCell.rps, 3), peer_rps: round(peerCell.rps, 0), peer_p99_ms: round(peer1000.p99, 3), own_path_us: round(own.micros, 1),
        cpu_ms: { webhook: round(closed.cpuMsPerReview, 4), https: round(https.cpuMsPerReview, 4), express: round(expressCell.cpuMsPerReview, 4), peer: round(peerCell.cpuMsPerReview, 4) },
      };
      log(`  closed ${closed.rps.toFixed(0)} rps (https floor ${https.rps.toFixed(0)}, express floor ${expressCell.rps.toFixed(0)}, peer ${peerCell.rps.toFixed(0)}); p99 at 1000/s ${atRate1000.p99.toFixed(3)} ms (peer ${peer1000.p99.toFixed(3)})`);
    }
    const rssAfter = { webhook: round(sampleProcess(webhook.child.pid ?? 0).rssMb, 1), peer: round(sampleProcess(peer.child.pid ?? 0).rssMb, 1) };

    // Non-target server time, in this process (the histogram above measures it in the server).
    const micro = BODIES['non-target'] ? microBenchmark(BODIES['non-target']) : undefined;
    const microTarget = BODIES['calico-node-create'] ? microBenchmark(BODIES['calico-node-create'], 5000) : undefined;

    // RSS flatness: BENCH_REVIEWS reviews cycling through every body.
    const pid = webhook.child.pid ?? 0;
    const samples: number[] = [];
    const requests = Object.values(BODIES).map((body) => ({ path: '/mutate', body }));
    let firstRss = NaN;
    let firstHeap: Promise<number> | undefined;
    const flat = await load({
      url: webhook.url, path: '/mutate', body: '', requests, amount: REVIEWS, connections: CONNECTIONS,
      onTick: (responses) => {
        const rss = sampleProcess(pid).rssMb;
        samples.push(rss);
        if (Number.isNaN(firstRss) && responses >= REVIEWS * 0.1) {
          firstRss = rss;
          firstHeap = heapUsedMb(webhook.url, pki.caPem);
        }
      },
    });
    await sleep(200);
    const end = sampleProcess(pid);
    const heapFirst = (await firstHeap) ?? NaN;
    const heapLast = await heapUsedMb(webhook.url, pki.caPem);
    const lastRss = end.rssMb;

    // Large reviews on a fresh process (its peak RSS is then this run's alone), the other servers idle.
    let large: LargeReviewResult | undefined;
    if (LARGE_SECONDS > 0) {
      const fresh = await startServerProcess('webhook (large reviews)', webhookArgs, join(dir, 'webhook-large.log'), 'calico-ipv6-webhook serving');
      later.push(fresh);
      const normalBody = ALL_BODIES['calico-node-create'] as string;
      large = await largeReviewRun(fresh, pki.caPem, {
        seconds: LARGE_SECONDS,
        normalBody,
        isCorrect: (status, text) => status === 200 && /"allowed":true/.test(text) && /"patch":"/.test(text),
      });
      laterCpuMs += sampleProcess(fresh.child.pid ?? 0).cpuMs;
      await fresh.stop();
    }
    const machineAfter = machineCpu();
    const others = machineAfter.busyMs - machineBefore.busyMs - (cpuOf() - oursBefore);
    const otherShare = Math.max(0, others) / (machineAfter.totalMs - machineBefore.totalMs);

    const header = [
      'body', 'req B', 'ans B',
      'rps', 'p50', 'p99', 'p99.9',
      '200/s p50', 'p99', 'p99.9',
      '1000/s rps', 'p50', 'p99', 'p99.9', 'ac1000 p99',
      'cpu ms/rev', 'srv ms', 'peak MB',
      'https rps', 'express rps', 'x https', 'x express',
      'https cpu', 'express cpu', 'https 1000/s p99', 'express 1000/s p99',
      'peer rps', 'x peer', 'peer cpu', 'peer 1000/s p99', 'own us',
      'errors',
    ];
    const out: string[] = [];
    out.push(`calico-ipv6-webhook benchmark: ${machine}`);
    out.push(`latencies in ms, measured by the client; rps/p50/p99/p99.9: closed loop (autocannon, ${CONNECTIONS} connections); 200/s and 1000/s: steady open-loop rate; ac1000: autocannon overallRate 1000 (sends each second's quota in a burst); ${SECONDS} s per cell`);
    out.push('cpu ms/rev = server CPU (user+system, /proc) per review in the closed loop; srv ms = mean of calico_ipv6_webhook_review_duration_seconds (parsed request to answer); x https / x express = webhook rps / floor rps; the floors answer fixed bytes of the webhook\'s answer size (ans B)');
    out.push('peer = the controller-runtime webhook (bench/peer, GOMAXPROCS=1); x peer = webhook rps / peer rps; own us = the webhook\'s path in this process (answerBody with metrics and log line, warm, as bench:budget)');
    out.push(formatTable(header, rows));
    out.push(`start-up (exec to the first answered review, median of 5): webhook ${startup.webhook} ms, peer ${startup.peer} ms; RSS idle: webhook ${rssIdle.webhook} MB, peer ${rssIdle.peer} MB; RSS after the body cells: webhook ${rssAfter.webhook} MB, peer ${rssAfter.peer} MB`);
    out.push('');
    if (micro) out.push(`non-target server time: ${nonTargetServerMs.toFixed(4)} ms (histogram mean in the server), ${micro.reviewMs.toFixed(4)} ms reviewRequest alone, ${micro.fullMs.toFixed(4)} ms scan+parse+decode+review+encode (in-process)`);
    if (microTarget) out.push(`calico-node CREATE in-process: ${microTarget.reviewMs.toFixed(4)} ms reviewRequest, ${microTarget.fullMs.toFixed(4)} ms scan+parse+decode+review+encode`);
    out.push(`RSS over ${flat.responses} reviews (${flat.rps.toFixed(0)} rps, ${flat.errors + flat.non2xx} errors): ${firstRss.toFixed(1)} MB at 10% -> ${lastRss.toFixed(1)} MB at the end (${(((lastRss - firstRss) / firstRss) * 100).toFixed(1)}%), min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)}, peak ${end.peakRssMb.toFixed(1)} MB; JS heap used ${heapFirst.toFixed(1)} -> ${heapLast.toFixed(1)} MB`);
    const logBytes = readFileSync(join(dir, 'webhook.log')).length;
    out.push(`webhook log written: ${(logBytes / 1024 / 1024).toFixed(1)} MB; other processes used ${(otherShare * 100).toFixed(0)}% of the machine's CPU during the run${otherShare > 0.05 ? ' (numbers are noisy: rerun on a quiet machine)' : ''}`);
    if (large) {
      out.push(`large reviews (${LARGE_SECONDS} s of 30 clients sending a 2.3 MB DaemonSet with 70,000 env entries, then ${LARGE_SECONDS} s of 8 sending a 2 MB one nested 480 deep; a fresh webhook): peak RSS ${large.peakRssMb.toFixed(1)} MiB (the chart's limit: 256 MiB); large answers ${JSON.stringify(large.large)}`);
      out.push(`  normal calico-node CREATE at 20/s meanwhile: ${large.normal.sent} sent, ${large.normal.correct} answered correctly, ${large.normal.wrong} not; p50 ${large.normal.p50.toFixed(1)} ms, p99 ${large.normal.p99.toFixed(1)} ms, max ${large.normal.max.toFixed(1)} ms`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    const largeJson = large ? { peak_rss_mb: round(large.peakRssMb, 1), normal_p99_ms: round(large.normal.p99, 1), normal_wrong: large.normal.wrong, answers: large.large } : undefined;
    process.stdout.write(`${JSON.stringify({ bodies: json, startup_ms: startup, rss_idle_mb: rssIdle, rss_after_mb: rssAfter, rss_mb: round(end.peakRssMb, 1), large_reviews: largeJson })}\n`);
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
