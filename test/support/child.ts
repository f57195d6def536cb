// The webhook as a separate process (`calico-ipv6-webhook serve`), run from source through tsx so that
// tests never exercise a stale build; its JSON log lines are collected, and it is killed when the test ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  let pending = '';
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
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`webhook did not start within ${options.startTimeoutMs ?? 20_000} ms; stderr: ${stderr}`)), options.startTimeoutMs ?? 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
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
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`webhook exited (${code ?? signal}) before serving; stderr: ${stderr}`));
    });
  });
  const ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
  return { child, url, ca, dir, logs, stderr: () => stderr, exited };
}
