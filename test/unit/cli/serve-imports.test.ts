// `serve` loads only what serving needs (issue 21): no @kubernetes/client-node without --discovery, no
// X.509 library when the certificate is given, no express, no YAML parser before a YAML text comes, no
// manifest readers (fix's). Each of these cost start-up time and idle memory (client-node alone ~280 ms
// and ~80 MB in Node 26). The modules a process loads are recorded by an in-thread load hook.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSelfSignedServing } from '../../../src/server/certificates.js';
import { REPO_ROOT } from '../../support/repo-root.js';

/** Records every module URL loaded (import and require) and writes them to stderr as the process exits. */
const RECORDER = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
import { writeSync } from 'node:fs';
const loaded = [];
registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
process.on('exit', () => writeSync(2, '\\nLOADED ' + JSON.stringify(loaded) + '\\n'));
`)}`;

/** The module URLs a run of the CLI from source loads; a server is stopped by SIGTERM once it serves. */
function loadedBy(args: string[]): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', RECORDER, join(REPO_ROOT, 'src/cli/main.ts'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } });
  let stdout = '';
  let stderr = '';
  let stopped = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    // Once (a second SIGTERM ends the process at once), and at once: serve takes the signal from before it
    // listens, so it shuts down and exits normally.
    if (!stopped && stdout.includes('"msg":"calico-ipv6-webhook serving"')) {
      stopped = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve, reject) => {
    child.once('close', () => {
      clearTimeout(timer);
      const line = /^LOADED (.*)$/m.exec(stderr)?.[1];
      if (line === undefined) reject(new Error(`no module list; stdout ${stdout}\nstderr ${stderr}`));
      else resolve(JSON.parse(line) as string[]);
    });
  });
}

const pkg = (name: string) => (url: string) => url.includes(`/node_modules/${name}/`);

describe('serve loads only what it needs (issue 21)', () => {
  it('with a certificate and no cluster flags: no client-node, express, X.509 library, yaml or manifest readers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-imports-'));
    try {
      const pki = await writeSelfSignedServing(dir);
      const loaded = await loadedBy(['serve', '--port', '0', '--tls-cert', pki.certPath, '--tls-key', pki.keyPath, '--shutdown-delay', '0']);
      // What serving does need is seen: the recorder works.
      assert.ok(loaded.some(pkg('prom-client')) && loaded.some(pkg('pino')), 'the serving dependencies are recorded');
      assert.ok(loaded.some((url) => url.endsWith('/src/server/serve.ts')));
      for (const name of ['@kubernetes/client-node', 'express', '@peculiar/x509', 'yaml']) {
        assert.deepEqual(loaded.filter(pkg(name)), [], `${name} is not loaded`);
      }
      assert.deepEqual(loaded.filter((url) => /\/src\/(manifests\/(?!errors\.ts)|cluster\/(?!errors\.ts)|doctor\/|cli\/fix\.ts)/.test(url)), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the recorder sees client-node where a command does load it (doctor)', async () => {
    const loaded = await loadedBy(['doctor', '--help']);
    assert.ok(loaded.some(pkg('@kubernetes/client-node')));
  });
});
