// The webhook as a separate process (`calico-ipv6-webhook serve`), run from source through tsx so that
// tests never exercise a stale build; its JSON log lines are collected, and it is killed when the test ends.
// servingUrl is how both this and the e2e harness (dist/, test/e2e/harness/webhook.ts) see it come up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from './repo-root.js';

export interface WebhookProcess {
  child: ChildProcess;
  url: string;
  ca: string;
  dir: string;
  /** Parsed JSON log lines from stdout, in order. */
  logs: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnWebhook(t: TestContext, args: string[] = [], options: { env?: NodeJS.ProcessEnv; startTimeoutMs?: number } = {}): Promise<WebhookProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'ciw-child-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'serve', '--port', '0', '--cert-dir', join(dir, 'pki'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await servingUrl(child, logs, options.startTimeoutMs ?? 20_000, () => `; stderr: ${stderr}`);
  const ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
  return { child, url, ca, dir, logs, stderr: () => stderr, exited };
}

/**
 * Reads a `serve` process's stdout as JSON log lines into `logs` (a line that is not JSON is kept as
 * `{unparsed}`), and resolves with the URL it logs once it serves; rejects when it exits first or does not
 * serve in time. `why` adds what helps to see the cause (its stderr).
 */
export function servingUrl(child: ChildProcess, logs: Record<string, unknown>[], timeoutMs: number, why: () => string = () => ''): Promise<string> {
  return new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the webhook did not start within ${timeoutMs} ms${why()}`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the webhook exited (${code ?? signal}) before serving${why()}`));
    });
    if (!child.stdout) throw new Error('the webhook\'s stdout is not piped');
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.trim() === '') return;
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { unparsed: line };
      }
      logs.push(entry);
      if (entry.msg === 'calico-ipv6-webhook serving' && typeof entry.url === 'string') {
        clearTimeout(timer);
        resolveUrl(entry.url);
      }
    });
  });
}
