// Builds the Go peer (bench/peer, controller-runtime) to .cache/bin/peer once: the build is stamped with
// the sha256 of its sources and skipped while the stamp matches, so `npm run bench` pays for it (and
// prints about it) only on a fresh clone or after bench/peer changes. Needs Go (the module cache or the
// Go module proxy for its modules).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness.js';

const SOURCES = ['main.go', 'go.mod', 'go.sum'];

/** The peer binary's path, built if missing or stale. */
export function buildPeer(log: (text: string) => void): string {
  const dir = join(REPO_ROOT, 'bench/peer');
  const bin = join(REPO_ROOT, '.cache/bin');
  const target = join(bin, 'peer');
  const stampPath = `${target}.stamp`;
  const hash = createHash('sha256');
  for (const file of SOURCES) hash.update(file).update('\0').update(readFileSync(join(dir, file))).update('\0');
  const stamp = hash.digest('hex');
  if (existsSync(target) && existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === stamp) return target;
  log('building the controller-runtime peer (bench/peer) to .cache/bin/peer');
  mkdirSync(bin, { recursive: true });
  execFileSync('go', ['build', '-trimpath', '-o', `${target}.tmp`, '.'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CGO_ENABLED: '0' } });
  renameSync(`${target}.tmp`, target);
  writeFileSync(stampPath, `${stamp}\n`);
  return target;
}
