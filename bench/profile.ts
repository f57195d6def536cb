// `npm run profile`: where the webhook's CPU goes. Starts the built webhook under `node --cpu-prof`,
// drives it with a bounded closed-loop load (autocannon, PROFILE_SECONDS per body, default 10) of one
// review body or several (PROFILE_BODIES, default calico-node-create,non-target), stops it gracefully (the
// profile is written on exit), and prints the top functions by self time and by package.
// The .cpuprofile is kept (its path is printed) for Chrome DevTools or speedscope.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REVIEW_BODIES } from './bodies.js';
import { writeSelfSignedServing } from '../src/server/certificates.js';
import { envNumber, load, REPO_ROOT, startServerProcess, workDir } from './harness.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const BODIES: Record<string, string> = REVIEW_BODIES;
const DEFAULT_BODIES = 'calico-node-create,non-target';

/** Where a frame's code comes from: a package, the project's own file, or the runtime. */
function origin(url: string): string {
  if (url === '') return '(runtime)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return 'node';
  return relative(REPO_ROOT, url.replace(/^file:\/\//, ''));
}

export function summarize(profile: CpuProfile, top = 20): string {
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i] as number, (self.get(profile.samples[i] as number) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = origin(url);
    const key = `${functionName || '(anonymous)'}  ${where}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byOrigin.set(where, (byOrigin.get(where) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`total sampled ${(total / 1000).toFixed(0)} ms`, `top ${top} functions by self time:`];
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${key}`);
  lines.push('by origin (self time):');
  for (const [key, us] of [...byOrigin].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(us)}  ${key}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const seconds = envNumber('PROFILE_SECONDS', 10);
  const names = (process.env.PROFILE_BODIES ?? DEFAULT_BODIES).split(',').map((s) => s.trim());
  const dir = workDir();
  const pki = await writeSelfSignedServing(join(dir, 'pki'));
  const profDir = join(dir, 'profile');
  const webhook = await startServerProcess('webhook', ['--cpu-prof', '--cpu-prof-dir', profDir, process.env.BENCH_WEBHOOK ?? join(REPO_ROOT, 'dist/cli/main.js'), 'serve', '--port', '0', '--tls-cert', pki.certPath, '--tls-key', pki.keyPath, '--shutdown-delay', '0'], join(dir, 'webhook.log'), 'calico-ipv6-webhook serving');
  try {
    for (const name of names) {
      const body = BODIES[name];
      if (!body) throw new Error(`unknown body ${name}; one of ${Object.keys(BODIES).join(', ')}`);
      const result = await load({ url: webhook.url, path: '/mutate', body, seconds, connections: 10 });
      process.stderr.write(`${name}: ${result.responses} reviews, ${result.rps.toFixed(0)} rps, ${result.errors + result.non2xx} errors\n`);
    }
  } finally {
    await webhook.stop();
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${profDir}`);
  const path = join(profDir, file);
  process.stdout.write(`profile of ${names.join(' + ')}, ${seconds} s each, 10 connections: ${path}\n${summarize(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile)}\n`);
}

if (process.argv[1]?.endsWith("profile.ts")) main().catch((error: unknown) => {
  process.stderr.write(`profile failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
