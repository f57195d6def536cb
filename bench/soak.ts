// A soak run (not in CI): the built webhook, as its own process, at a steady rate of real reviews for
// SOAK_SECONDS (default 600), cycling through the benchmark's bodies; every SOAK_SAMPLE_SECONDS
// (default 10) its RSS, CPU and that window's latency are printed. Memory that grows window after
// window is a leak; the last line is a JSON summary.
// Usage: npm run build && node --import tsx bench/soak.ts   (SOAK_RATE, default 200 reviews/s)
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { writeSelfSignedServing } from '../src/server/certificates.js';
import { calicoConfigMap, calicoNodeDaemonSet, kubeDnsDeployment, nonTargetConfigMap, review } from '../test/support/reviews.js';
import { envNumber, formatTable, paced, pacedAgent, REPO_ROOT, round, sampleProcess, startServerProcess, workDir } from './harness.js';

const SECONDS = envNumber('SOAK_SECONDS', 600);
const SAMPLE_SECONDS = envNumber('SOAK_SAMPLE_SECONDS', 10);
const RATE = envNumber('SOAK_RATE', 200);

async function main(): Promise<void> {
  const dir = workDir();
  const pki = await writeSelfSignedServing(join(dir, 'pki'));
  const webhook = await startServerProcess('webhook', [join(REPO_ROOT, 'dist/cli/main.js'), 'serve', '--port', '0', '--tls-cert', pki.certPath, '--tls-key', pki.keyPath, '--shutdown-delay', '0'], join(dir, 'webhook.log'), 'calico-ipv6-webhook serving');
  const bodies = [
    review(calicoNodeDaemonSet()),
    review(calicoNodeDaemonSet(), { operation: 'UPDATE', oldObject: calicoNodeDaemonSet({ stored: true }) }),
    review(calicoConfigMap()),
    review(kubeDnsDeployment()),
    review(nonTargetConfigMap()),
  ].map((b) => JSON.stringify(b));
  const pid = webhook.child.pid ?? 0;
  const agent = pacedAgent();
  const rows: (string | number)[][] = [];
  let errors = 0;
  let reviews = 0;
  let worstP99 = 0;
  const rss: number[] = [];
  try {
    process.stderr.write(`soak: ${RATE} reviews/s for ${SECONDS} s, sampling every ${SAMPLE_SECONDS} s\n`);
    let cpuBefore = sampleProcess(pid).cpuMs;
    for (let t = 0; t < SECONDS; t += SAMPLE_SECONDS) {
      const window = await paced({ url: webhook.url, path: '/mutate', body: '', bodies, rate: RATE, seconds: Math.min(SAMPLE_SECONDS, SECONDS - t), agent });
      const sample = sampleProcess(pid);
      errors += window.errors + window.non2xx;
      reviews += window.responses;
      worstP99 = Math.max(worstP99, window.p99);
      rss.push(sample.rssMb);
      const cpuShare = (sample.cpuMs - cpuBefore) / (window.seconds * 1000);
      cpuBefore = sample.cpuMs;
      rows.push([t + Math.min(SAMPLE_SECONDS, SECONDS - t), sample.rssMb, sample.peakRssMb, cpuShare * 100, window.rps, window.p50, window.p99, window.max, window.errors + window.non2xx]);
      process.stderr.write(`${rows.length}: ${sample.rssMb.toFixed(1)} MB, p99 ${window.p99.toFixed(2)} ms\n`);
    }
  } finally {
    agent.destroy();
    await webhook.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const first = rss[0] ?? NaN;
  const last = rss[rss.length - 1] ?? NaN;
  process.stdout.write(`${formatTable(['t s', 'RSS MB', 'peak MB', 'cpu %', 'rps', 'p50 ms', 'p99 ms', 'max ms', 'errors'], rows)}\n`);
  process.stdout.write(`RSS ${first.toFixed(1)} MB after the first window -> ${last.toFixed(1)} MB at the end (${(((last - first) / first) * 100).toFixed(1)}%), min ${Math.min(...rss).toFixed(1)}, max ${Math.max(...rss).toFixed(1)}; ${reviews} reviews, ${errors} errors\n`);
  process.stdout.write(`${JSON.stringify({ seconds: SECONDS, rate: RATE, reviews, errors, rss_first_mb: round(first, 1), rss_last_mb: round(last, 1), rss_max_mb: round(Math.max(...rss), 1), worst_window_p99_ms: round(worstP99, 3) })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
