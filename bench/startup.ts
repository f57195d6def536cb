// `node --import tsx bench/startup.ts`: the bench's start-up and idle-RSS figures alone, for a build
// (BENCH_WEBHOOK, default dist/cli/main.js), without the load cells: exec to the first answered review
// (median of STARTUP_RUNS, default 5) and RSS 500 ms after the ready line.
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { writeSelfSignedServing } from '../src/server/certificates.js';
import { REVIEW_BODIES } from './bodies.js';
import { envNumber, REPO_ROOT, round, sampleProcess, sleep, startServerProcess, startupMs, workDir } from './harness.js';

async function main(): Promise<void> {
  const dir = workDir();
  try {
    const pki = await writeSelfSignedServing(join(dir, 'pki'));
    const args = [process.env.BENCH_WEBHOOK ?? join(REPO_ROOT, 'dist/cli/main.js'), 'serve', '--port', '0', '--tls-cert', pki.certPath, '--tls-key', pki.keyPath, '--shutdown-delay', '0'];
    const startup = await startupMs(args, 'calico-ipv6-webhook serving', '/mutate', REVIEW_BODIES['calico-node-create'] as string, {}, envNumber('STARTUP_RUNS', 5));
    const server = await startServerProcess('webhook', args, join(dir, 'webhook.log'), 'calico-ipv6-webhook serving');
    await sleep(500);
    const rss = sampleProcess(server.child.pid ?? 0).rssMb;
    await server.stop();
    process.stdout.write(`${JSON.stringify({ startup_ms: round(startup, 1), rss_idle_mb: round(rss, 1) })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`startup failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
