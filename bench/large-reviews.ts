// The large-review run of `npm run bench`: a fresh webhook process under many concurrent reviews of
// megabytes each (what a cluster sends when someone applies a DaemonSet with 70,000 env entries, or a
// deeply nested object), while a normal 6 KB review arrives at a steady rate. Reported: the process's
// peak RSS (against the chart's 256 MiB limit) and the normal review's latency and correctness meanwhile.
import { Agent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { calicoNodeDaemonSet, review } from '../test/support/reviews.js';
import type { KubeObject } from '../src/k8s/object.js';
import { sampleProcess, sleep, type Server } from './harness.js';

export interface LargeReviewResult {
  /** Peak RSS of the webhook process over the whole run (VmHWM), MB. */
  peakRssMb: number;
  normal: { sent: number; correct: number; wrong: number; p50: number; p99: number; max: number };
  /** Large reviews by answer: 200, 429 (over the memory budget, retried after Retry-After), other. */
  large: Record<string, number>;
}

/** A calico-node DaemonSet whose container carries `entries` extra env entries (~33 bytes each). */
export function wideDaemonSetReview(entries: number): string {
  const object = calicoNodeDaemonSet() as KubeObject & { spec: { template: { spec: { containers: { env: unknown[] }[] } } } };
  const env = object.spec.template.spec.containers[0]?.env ?? [];
  for (let i = 0; i < entries; i++) env.push({ name: `E${i}`, value: `v${i}` });
  return JSON.stringify(review(object, { uid: 'large-wide' }));
}

/** A calico-node DaemonSet with `depth` nested levels of ~`levelBytes` each under its pod spec. */
export function nestedDaemonSetReview(depth: number, levelBytes: number): string {
  const object = calicoNodeDaemonSet() as KubeObject & { spec: { template: { spec: Record<string, unknown> } } };
  const words = Array.from({ length: Math.ceil(levelBytes / 24) }, (_, i) => `item-${i}-of-the-level`);
  let level: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) level = { level: i, words, next: level };
  object.spec.template.spec['x-nested'] = level;
  return JSON.stringify(review(object, { uid: 'large-nested' }));
}

function post(agent: Agent, url: string, ca: string, body: Buffer): Promise<{ status: number; text: string; retryAfter: number }> {
  return new Promise((done) => {
    const req = httpsRequest(new URL('/mutate', url), { method: 'POST', agent, ca, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), retryAfter: Number(res.headers['retry-after'] ?? 1) }));
      res.on('error', () => done({ status: -1, text: '', retryAfter: 1 }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => done({ status: -1, text: '', retryAfter: 1 }));
    req.end(body);
  });
}

/** `clients` connections each sending `body` back to back (after Retry-After on a 429) until `until`. */
async function flood(url: string, ca: string, body: Buffer, clients: number, until: number, counts: Record<string, number>): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < until) {
      const answer = await post(agent, url, ca, body);
      const key = answer.status === 200 || answer.status === 429 ? String(answer.status) : 'other';
      counts[key] = (counts[key] ?? 0) + 1;
      if (answer.status === 429) await sleep(Math.min(1000, Math.max(50, answer.retryAfter * 1000 * Math.random())));
      else if (answer.status !== 200) await sleep(100);
    }
  }));
  agent.destroy();
}

export interface LargeReviewOptions {
  seconds: number;
  /** The normal review, and what a correct answer to it contains. */
  normalBody: string;
  isCorrect: (status: number, text: string) => boolean;
  normalRate?: number;
}

/** Wide reviews (30 clients) for `seconds`, then nested ones (8 clients), a normal review at a steady rate throughout. */
export async function largeReviewRun(server: Server, ca: string, options: LargeReviewOptions): Promise<LargeReviewResult> {
  const wide = Buffer.from(wideDaemonSetReview(70_000));
  const nested = Buffer.from(nestedDaemonSetReview(480, 4300));
  const normal = Buffer.from(options.normalBody);
  const rate = options.normalRate ?? 20;
  const large: Record<string, number> = {};
  const latencies: number[] = [];
  let sent = 0;
  let correct = 0;
  let wrong = 0;
  const normalAgent = new Agent({ keepAlive: true, maxSockets: 4 });
  const start = performance.now();
  const end = start + options.seconds * 2 * 1000;
  const pending: Promise<void>[] = [];
  const normalLoop = (async () => {
    while (performance.now() < end) {
      sent++;
      const t0 = performance.now();
      pending.push(post(normalAgent, server.url, ca, normal).then((answer) => {
        latencies.push(performance.now() - t0);
        if (options.isCorrect(answer.status, answer.text)) correct++;
        else wrong++;
      }));
      await sleep(Math.max(0, start + (sent * 1000) / rate - performance.now()));
    }
  })();
  await flood(server.url, ca, wide, 30, start + options.seconds * 1000, large);
  await flood(server.url, ca, nested, 8, end, large);
  await normalLoop;
  await Promise.all(pending);
  normalAgent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return {
    peakRssMb: sampleProcess(server.child.pid ?? 0).peakRssMb,
    normal: { sent, correct, wrong, p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? NaN },
    large,
  };
}
