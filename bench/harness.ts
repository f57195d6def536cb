// What bench.ts and soak.ts share: servers as child processes (so their CPU and memory are their own,
// read from /proc), and an autocannon run that keeps every response time at full resolution.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function envNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(text)}`);
  return value;
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'ciw-bench-'));
}

export interface Server {
  name: string;
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a server process whose stdout goes to a file (a server in a pod writes its log to a pipe or a
 * file as well; the load generator must not pay for reading it) and waits for the JSON line with `url`.
 */
export interface SpawnOptions {
  /** The program (default: this Node); args are its arguments. */
  command?: string;
  /** Added to this process's environment (with NODE_ENV=production). */
  env?: Record<string, string>;
}

export async function startServerProcess(name: string, args: string[], logPath: string, readyMsg: string, options: SpawnOptions = {}): Promise<Server> {
  const out = openSync(logPath, 'w');
  const child = spawn(options.command ?? process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', out, 'inherit'], env: { ...process.env, NODE_ENV: 'production', ...options.env } });
  closeSync(out);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before serving`);
    const text = readFileSync(logPath, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.includes(readyMsg)) continue;
      const entry = JSON.parse(line) as { url?: string };
      if (entry.url) {
        return {
          name,
          child,
          url: entry.url,
          stop: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            const exited = new Promise((done) => child.once('exit', done));
            child.kill('SIGTERM');
            await Promise.race([exited, sleep(5000)]);
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          },
        };
      }
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start within 30 s`);
    await sleep(50);
  }
}

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

export interface ProcSample {
  /** User + system CPU time so far, ms (10 ms resolution). */
  cpuMs: number;
  rssMb: number;
  /** Peak RSS so far (VmHWM). */
  peakRssMb: number;
}

export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { cpuMs: (ticks * 1000) / CLOCK_TICKS, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Busy and total CPU time of the whole machine so far, ms (from /proc/stat). */
export function machineCpu(): { busyMs: number; totalMs: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busyMs: (busy * 1000) / CLOCK_TICKS, totalMs: ((busy + idle + iowait) * 1000) / CLOCK_TICKS };
}

export interface LoadOptions {
  url: string;
  path: string;
  body: string;
  /** Closed loop (as fast as the server answers) when undefined. */
  rate?: number;
  seconds?: number;
  /** Stop after this many responses instead of after `seconds`. */
  amount?: number;
  connections?: number;
  /** Several bodies, cycled by each connection (overrides path/body). */
  requests?: { path: string; body: string }[];
  /** Called about every second with the responses so far. */
  onTick?: (responses: number) => void;
}

export interface LoadResult {
  responses: number;
  rps: number;
  seconds: number;
  errors: number;
  non2xx: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** One autocannon run on keep-alive HTTPS connections; latencies in ms from every response. */
export function load(options: LoadOptions): Promise<LoadResult> {
  const capacity = options.amount ?? Math.ceil((options.rate ?? 20_000) * (options.seconds ?? 5) * 1.5);
  let latencies = new Float64Array(Math.max(1024, capacity));
  let count = 0;
  let non2xx = 0;
  const headers = { 'content-type': 'application/json' };
  const requests = (options.requests ?? [{ path: options.path, body: options.body }]).map((r) => ({ method: 'POST' as const, path: r.path, body: r.body, headers }));
  const started = process.hrtime.bigint();
  return new Promise((resolveLoad, reject) => {
    const instance = autocannon({
      url: options.url,
      connections: options.connections ?? 10,
      pipelining: 1,
      ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 5 }),
      ...(options.rate ? { overallRate: options.rate } : {}),
      requests,
      timeout: 10,
    }, (error, result) => {
      clearInterval(ticker);
      if (error) return reject(error);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const sorted = latencies.subarray(0, count).sort();
      resolveLoad({
        responses: count,
        rps: count / seconds,
        seconds,
        errors: result.errors + result.timeouts,
        non2xx: non2xx,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        p999: percentile(sorted, 99.9),
        max: sorted[sorted.length - 1] ?? NaN,
      });
    });
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode !== 200) non2xx++;
      if (count === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[count++] = responseTime;
    });
    const ticker = setInterval(() => options.onTick?.(count), 1000);
  });
}

/**
 * Open-loop load at a steady rate: request i is sent at start + i/rate whether or not earlier ones
 * were answered (so a slow server cannot slow the generator down and hide its own latency), on
 * keep-alive HTTPS connections. autocannon's overallRate is not this: each connection sends its
 * per-second quota back to back and then waits for the next second, so its latencies are those of
 * bursts. Latency is from sending the request to the last byte of the answer.
 */
export function pacedAgent(connections = 16): Agent {
  return new Agent({ keepAlive: true, maxSockets: connections, rejectUnauthorized: false });
}

/** `agent`: keep-alive connections to reuse (opened by a warm-up run), so the run pays no handshakes. */
export function paced(options: { url: string; path: string; body: string; rate: number; seconds: number; agent?: Agent; bodies?: string[] }): Promise<LoadResult> {
  const agent = options.agent ?? pacedAgent();
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const latencies = new Float64Array(total);
  const bodies = (options.bodies ?? [options.body]).map((b) => Buffer.from(b));
  const target = new URL(options.path, options.url);
  let sent = 0;
  let finished = 0;
  let answered = 0;
  let errors = 0;
  let non2xx = 0;
  const start = performance.now();
  return new Promise((resolveLoad) => {
    const finish = () => {
      if (++finished < total) return;
      if (!options.agent) agent.destroy();
      const seconds = (performance.now() - start) / 1000;
      const sorted = latencies.subarray(0, answered).sort();
      resolveLoad({ responses: answered, rps: answered / seconds, seconds, errors, non2xx, p50: percentile(sorted, 50), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9), max: sorted[sorted.length - 1] ?? NaN });
    };
    const fire = () => {
      const body = bodies[sent % bodies.length] as Buffer;
      const t0 = performance.now();
      const req = httpsRequest(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          latencies[answered++] = performance.now() - t0;
          if (res.statusCode !== 200) non2xx++;
          finish();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        finish();
      });
      req.end(body);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * options.rate) / 1000) + 1);
      while (sent < due) {
        sent++;
        fire();
      }
      if (sent < total) setTimeout(tick, Math.max(0, (sent * 1000) / options.rate - (performance.now() - start)));
    };
    tick();
  });
}

export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i] ?? 0) : String(c).padStart(widths[i] ?? 0))).join('  ');
  return [line(cells[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Start-up time: from exec to the first answered review (the ready line on a pipe, then one POST of
 * `body` to `path` on a fresh connection), ms; the process is stopped after. Median of `runs`.
 */
export async function startupMs(args: string[], readyMsg: string, path: string, body: string, options: SpawnOptions = {}, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const child = spawn(options.command ?? process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, NODE_ENV: 'production', ...options.env } });
    try {
      const url = await new Promise<string>((done, reject) => {
        let text = '';
        child.once('exit', (code) => reject(new Error(`exited with ${code} before serving`)));
        child.stdout?.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const line = text.split('\n').find((l) => l.includes(readyMsg) && l.endsWith('}'));
          if (line) done((JSON.parse(line) as { url: string }).url);
        });
      });
      const status = await new Promise<number>((done, reject) => {
        const req = httpsRequest(new URL(path, url), { method: 'POST', rejectUnauthorized: false, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => done(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
      if (status !== 200) throw new Error(`first review answered ${status}`);
      times.push(performance.now() - started);
    } finally {
      child.stdout?.resume();
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    }
  }
  const sorted = times.sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
