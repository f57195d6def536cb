// The Dockerfile, without a container engine: node --import tsx --test test/chart/dockerfile.test.ts
// 1. Its structure: stages, non-root user, production-only install, entrypoint, no secrets, .dockerignore.
// 2. A rehearsal of its runtime stage: the same files in a fresh folder, `npm ci --omit=dev` from the
//    lockfile, the built dist/, and the server started from there as the image would start it: once as
//    `serve` with no certificate (self-signed), once with the Helm chart's own container arguments.
// The image itself is never built here (no Docker engine in CI).
import { waitFor } from '../support/wait.js';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { writeSelfSignedServing } from '../../src/server/certificates.js';
import { copyParts, dockerignoreExcludes, execForm, parseDockerfile, type Stage } from './dockerfile.js';
import { findOne, render, type K8sObject } from './helm.js';
import { REPO_ROOT } from '../support/repo-root.js';

const DOCKERFILE_TEXT = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8');
const PKG = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  type: string; engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};
const CHART_VALUES = parseYaml(readFileSync(join(REPO_ROOT, 'charts/calico-ipv6-webhook/values.yaml'), 'utf8')) as {
  podSecurityContext: { runAsUser: number; runAsGroup: number };
};
// The project's npm settings, when it has any: npm ci must see them to accept the lockfile.
const NPM_CONFIG = existsSync(join(REPO_ROOT, '.npmrc')) ? ['.npmrc'] : [];
const SECRET_NAME = /SECRET|TOKEN|PASSW(OR)?D|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH|NPM_?RC/i;

const dockerfile = parseDockerfile(DOCKERFILE_TEXT);
const finalStage = () => dockerfile.stages.at(-1) as Stage;
const buildStage = () => {
  const stage = dockerfile.stages.find((s) => s.instructions.some((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args)));
  assert.ok(stage, 'a stage runs npm run build');
  return stage;
};
const workdir = (stage: Stage, beforeLine = Infinity) =>
  stage.instructions.filter((i) => i.keyword === 'WORKDIR' && i.line < beforeLine).at(-1)?.args ?? '/';

void describe('Dockerfile structure', () => {
  void test('multi-stage, every stage on the Node major that package.json engines asks for and the tests run on', () => {
    assert.ok(dockerfile.stages.length >= 2, 'at least two FROM stages');
    const engineMajor = /(\d+)/.exec(PKG.engines.node)?.[1];
    // One version everywhere: the runtime npm ci brings (the `node` devDependency) is the one running this test.
    assert.equal(process.versions.node.split('.')[0], engineMajor, `tests run on Node ${process.version}`);
    assert.equal(PKG.devDependencies.node?.split('.')[0], engineMajor, 'the node devDependency is the same major');
    for (const stage of dockerfile.stages) {
      assert.match(stage.image, new RegExp(`^node:${engineMajor}[-.]`), stage.image);
    }
    assert.notEqual(buildStage(), finalStage(), 'the build happens in an earlier stage than the runtime');
  });

  void test('the build stage installs with npm ci from the lockfile and compiles, with the files the build reads', () => {
    const stage = buildStage();
    const runs = stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    assert.ok(runs.some((r) => /\bnpm ci\b/.test(r)), 'npm ci');
    assert.ok(!runs.some((r) => /\bnpm (install|i)\b/.test(r)), 'no npm install: it may rewrite the lockfile');
    const copied = stage.instructions.filter((i) => i.keyword === 'COPY').flatMap((i) => copyParts(i).sources);
    // tsconfig.build.json extends tsconfig.json: both are needed.
    for (const needed of ['package.json', 'package-lock.json', ...NPM_CONFIG, 'tsconfig.json', 'tsconfig.build.json', 'src']) {
      assert.ok(copied.includes(needed), `the build stage copies ${needed}`);
    }
  });

  void test('the runtime stage: production dependencies only, the built dist, non-root, node dist/cli/main.js serve', () => {
    const stage = finalStage();
    const ins = stage.instructions;
    const runs = ins.filter((i) => i.keyword === 'RUN');
    const install = runs.find((r) => /\bnpm ci\b/.test(r.args));
    assert.ok(install, 'the runtime stage runs npm ci');
    assert.match(install.args, /--omit=dev\b/);
    for (const r of runs) {
      assert.doesNotMatch(r.args, /\bnpm (install|i|run)\b|\btsc\b|\btsx\b|\bnpx\b/, `no dev tooling in the runtime stage: ${r.args}`);
    }
    // Only the manifests come in before npm ci, so the dependency layer is cached across source changes.
    const copies = ins.filter((i) => i.keyword === 'COPY');
    const beforeInstall = copies.filter((c) => c.line < install.line);
    const manifests = ['package.json', 'package-lock.json', ...NPM_CONFIG].sort();
    assert.deepEqual(beforeInstall.flatMap((c) => copyParts(c).sources).sort(), manifests);
    for (const copy of copies) {
      const { from, sources } = copyParts(copy);
      if (from === undefined) {
        for (const s of sources) assert.ok(manifests.includes(s), `the runtime stage copies ${s} from the context`);
      }
    }
    // dist comes from the build stage's output folder (tsconfig.build.json outDir).
    const outDir = (JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { outDir: string } }).compilerOptions.outDir;
    const build = buildStage();
    const distCopy = copies.find((c) => copyParts(c).from !== undefined);
    assert.ok(distCopy, 'COPY --from the build stage');
    const { from, sources, dest } = copyParts(distCopy);
    assert.equal(from, build.name);
    const buildRun = build.instructions.find((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args));
    assert.deepEqual(sources, [posix.join(workdir(build, buildRun?.line), outDir)]);
    const appDir = workdir(stage, distCopy.line);
    assert.equal(posix.resolve(appDir, dest), posix.join(appDir, 'dist'));
    // package.json sits beside dist: it says "type": "module", without which Node cannot load dist/.
    assert.equal(PKG.type, 'module');
    // Non-root, and the same uid/gid the chart's securityContext runs it as.
    const user = ins.filter((i) => i.keyword === 'USER').at(-1);
    assert.ok(user, 'the runtime stage sets USER');
    assert.doesNotMatch(user.args, /^(root|0)(:|$)/);
    const [uid, gid] = user.args.split(':');
    assert.equal(Number(uid), CHART_VALUES.podSecurityContext.runAsUser);
    assert.equal(Number(gid), CHART_VALUES.podSecurityContext.runAsGroup);
    assert.ok(ins.indexOf(user) > ins.indexOf(install), 'USER after the install (npm ci runs as root)');
    // Exec form, so SIGTERM reaches node itself and the graceful shutdown runs.
    assert.deepEqual(execForm(ins.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)), ['node', 'dist/cli/main.js']);
    const cmd = execForm(ins.filter((i) => i.keyword === 'CMD').at(-1));
    assert.ok(cmd, 'CMD in exec form');
    assert.equal(cmd[0], 'serve');
    assert.ok(cmd.includes('--host=::'), 'listens on all addresses, IPv6 included');
    assert.ok(ins.some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args)));
    assert.ok(PKG.dependencies && Object.keys(PKG.dependencies).length > 0);
  });

  void test('no secrets: no secret-looking ARG or ENV, no remote ADD, no credentials copied', () => {
    for (const i of dockerfile.all) {
      if (i.keyword === 'ARG' || i.keyword === 'ENV') {
        const names = i.args.split(/\s+/).map((pair) => pair.split('=')[0] ?? '');
        for (const name of names) assert.doesNotMatch(name, SECRET_NAME, `line ${i.line}: ${i.keyword} ${name}`);
      }
      assert.notEqual(i.keyword, 'ADD', `line ${i.line}: use COPY; ADD fetches URLs and unpacks archives`);
      if (i.keyword === 'COPY') {
        for (const s of copyParts(i).sources) assert.doesNotMatch(s, /\.env|kubeconfig|\.pem$|\.key$|\.crt$/i, `line ${i.line} copies ${s}`);
      }
    }
    // The project's .npmrc goes into the image build: settings only, no registry credentials.
    for (const file of NPM_CONFIG) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      const settings = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith(';'));
      for (const line of settings) assert.doesNotMatch(line, /_auth|_password|authToken|username|certfile|keyfile|^\/\//i, `${file}: ${line}`);
    }
  });

  void test('.dockerignore keeps everything but the build inputs out of the context', () => {
    for (const path of ['node_modules', '.git', '.cache', 'test', 'dist', 'coverage', '.scratch', 'charts', 'bench', '.env', '.env.local', 'kubeconfig', '.ci', 'tls.key',
      'node_modules/node/bin/node', 'test/unit/engine/analyze.test.ts', '.cache/bin/kube-apiserver', 'dist/cli/main.js']) {
      assert.ok(dockerignoreExcludes(DOCKERIGNORE, path), `${path} is excluded`);
    }
    // Files inside a let-in folder are in the context too (Docker matches every path, not just the top).
    for (const path of ['src/cli/main.ts', 'src/server/app.ts']) assert.ok(!dockerignoreExcludes(DOCKERIGNORE, path), `${path} is in the context`);
    const contextSources = dockerfile.stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'COPY'))
      .map(copyParts).filter((c) => c.from === undefined).flatMap((c) => c.sources);
    for (const source of contextSources) {
      assert.ok(!dockerignoreExcludes(DOCKERIGNORE, posix.normalize(source)), `${source} is copied, so it must be in the context`);
      assert.ok(existsSync(join(REPO_ROOT, source)), `${source} exists in the repository`);
    }
  });
});

// ---- the runtime stage, rehearsed -------------------------------------------------------------

interface Running {
  child: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function get(port: number, path: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, method: 'GET', timeout: 2000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}


let appDir = '';
let scratch = '';
const children: ChildProcess[] = [];

/** Starts the server from the rehearsal folder as the image's ENTRYPOINT would: node dist/cli/main.js ... */
function startFromImageLayout(args: string[]): Running {
  const entrypoint = execForm(finalStage().instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)) ?? [];
  const [program, ...entryArgs] = entrypoint;
  assert.equal(program, 'node');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOME: join(scratch, 'home'), TMPDIR: join(scratch, 'tmp') };
  mkdirSync(env.TMPDIR as string, { recursive: true });
  const child = spawn(process.execPath, [...entryArgs, ...args], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim() !== ''));
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      if (buffered.trim()) lines.push(buffered);
      if (stderr.trim()) lines.push(`(stderr) ${stderr.trim()}`);
      resolve({ code, signal });
    });
  });
  return { child, lines, exited };
}

function jsonLines(running: Running): Record<string, unknown>[] {
  return running.lines.filter((l) => !l.startsWith('(stderr)')).map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      assert.fail(`a log line that is not JSON: ${line}`);
    }
  });
}

async function stopGracefully(running: Running, withinMs: number): Promise<void> {
  const started = Date.now();
  running.child.kill('SIGTERM');
  const result = await Promise.race([
    running.exited,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), withinMs)),
  ]);
  assert.ok(result, `exited within ${withinMs} ms of SIGTERM; output:\n${running.lines.join('\n')}`);
  assert.deepEqual(result, { code: 0, signal: null }, `exit status after SIGTERM; output:\n${running.lines.join('\n')}`);
  assert.ok(Date.now() - started < withinMs);
}

void describe('runtime stage rehearsal (npm ci --omit=dev, dist/, node dist/cli/main.js)', () => {
  before(() => {
    if (!existsSync(join(REPO_ROOT, 'dist/cli/main.js'))) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });
      assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
    }
    scratch = mkdtempSync(join(tmpdir(), 'civ6-image-'));
    appDir = join(scratch, 'app');
    mkdirSync(appDir);
    // What the runtime stage copies from the context, then installs (its own npm ci flags, plus
    // --prefer-offline for the local cache), then copies from the build stage.
    const stage = finalStage();
    const install = stage.instructions.find((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    assert.ok(install, 'the runtime stage runs npm ci');
    const contextFiles = stage.instructions.filter((i) => i.keyword === 'COPY' && i.line < install.line).map(copyParts)
      .filter((c) => c.from === undefined).flatMap((c) => c.sources);
    for (const file of contextFiles) cpSync(join(REPO_ROOT, file), join(appDir, file));
    const npmCi = /\bnpm ci((?:\s+--[\w-]+(?:=\S+)?)*)/.exec(install.args)?.[1]?.trim().split(/\s+/) ?? [];
    assert.ok(npmCi.includes('--omit=dev'));
    // Run under `npm test`, npm exports the repository's own settings (npm_config_local_prefix,
    // npm_config_legacy_peer_deps, ...): they would point npm at the repository and hide a missing
    // .npmrc in the image. Only the download cache is kept.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
    const result = spawnSync('npm', ['ci', ...npmCi, '--prefer-offline'], {
      cwd: appDir, encoding: 'utf8', timeout: 300_000, env: { ...env, NODE_ENV: 'production' },
    });
    assert.equal(result.status, 0, `npm ci ${npmCi.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
    cpSync(join(REPO_ROOT, 'dist'), join(appDir, 'dist'), { recursive: true });
  }, { timeout: 600_000 });

  after(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  void test('only production dependencies are installed', () => {
    const installed = (name: string) => existsSync(join(appDir, 'node_modules', name, 'package.json'));
    for (const name of Object.keys(PKG.dependencies)) assert.ok(installed(name), `${name} (dependency) is installed`);
    // The lockfile marks what only development needs; a devDependency that a production dependency also
    // needs (e.g. @types/node) is not marked and is rightly installed.
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, entry]) => entry.dev && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path));
    assert.ok(devOnly.length > 0);
    for (const [path] of devOnly) assert.ok(!existsSync(join(appDir, path)), `${path} (development only) is not installed`);
    for (const name of ['typescript', 'tsx', 'eslint']) assert.ok(!installed(name), `${name} is not installed`);
    // The image's Node runs the server: the Node runtime the `node` devDependency brings for the tests is not in it.
    for (const tool of ['tsc', 'tsx', 'eslint', 'node']) assert.ok(!existsSync(join(appDir, 'node_modules/.bin', tool)), `no ${tool}`);
  });

  void test('`serve` with no certificate: self-signed, says where the CA is, /healthz 200, exits 0 on SIGTERM', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const running = startFromImageLayout(['serve', '--port', String(port), '--host', '127.0.0.1', '--shutdown-delay', '1']);
    // One JSON log line names the CA file it wrote.
    const caPath = await waitFor('a log line naming the CA file', async () => {
      for (const line of jsonLines(running)) {
        const text = JSON.stringify(line);
        if (!/\bCA\b/.test(text)) continue;
        const path = Object.values(line).find((v): v is string => typeof v === 'string' && v.startsWith('/') && existsSync(v) && /ca/i.test(v));
        if (path) return path;
      }
      if (running.child.exitCode !== null) throw new Error(`exited early:\n${running.lines.join('\n')}`);
      return undefined;
    }, 20_000);
    const ca = readFileSync(caPath, 'utf8');
    assert.match(ca, /-----BEGIN CERTIFICATE-----/);
    // Verified against that CA (not rejectUnauthorized: false): the certificate is valid for 127.0.0.1.
    const health = await waitFor('GET /healthz 200', async () => {
      const r = await get(port, '/healthz', ca);
      return r.status === 200 ? r : undefined;
    }, 20_000);
    assert.equal(health.status, 200);
    assert.equal((await get(port, '/readyz', ca)).status, 200);
    await stopGracefully(running, 15_000);
    for (const line of jsonLines(running)) assert.equal(typeof line.level, 'string', 'structured JSON logs');
  });

  void test("the chart's container arguments, config file and TLS files start it; SIGTERM turns it unready, then exit 0", { timeout: 90_000 }, async () => {
    const objects = render(3);
    const deployment = findOne<K8sObject & { spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: { args: string[] }[] } } } }>(objects, 'Deployment');
    const pod = deployment.spec.template.spec;
    const chartArgs = pod.containers[0]?.args ?? [];
    const configMap = findOne<K8sObject & { data: Record<string, string> }>(objects, 'ConfigMap');
    // Lay out the container's mounts under a scratch root.
    const root = join(scratch, 'root');
    const local = (path: string) => join(root, path);
    const configFile = chartArgs.find((a) => a.startsWith('--config='))?.slice('--config='.length) ?? '';
    mkdirSync(dirname(local(configFile)), { recursive: true });
    writeFileSync(local(configFile), configMap.data['config.yaml'] ?? '');
    const certFile = chartArgs.find((a) => a.startsWith('--tls-cert='))?.slice('--tls-cert='.length) ?? '';
    const keyFile = chartArgs.find((a) => a.startsWith('--tls-key='))?.slice('--tls-key='.length) ?? '';
    const written = await writeSelfSignedServing(join(scratch, 'pki'));
    mkdirSync(dirname(local(certFile)), { recursive: true });
    cpSync(written.certPath, local(certFile));
    cpSync(written.keyPath, local(keyFile));
    // The only changes: files under the scratch root, a free port, and 127.0.0.1 for "::" (CI may lack IPv6).
    const port = await freePort();
    assert.ok(chartArgs.includes('--host=::'));
    const args = chartArgs.map((a) => {
      if (a === '--host=::') return '--host=127.0.0.1';
      if (a.startsWith('--port=')) return `--port=${port}`;
      const m = /^(--(?:config|tls-cert|tls-key))=(.*)$/.exec(a);
      return m ? `${m[1]}=${local(m[2] as string)}` : a;
    });
    const running = startFromImageLayout(args);
    await waitFor('GET /readyz 200', async () => {
      if (running.child.exitCode !== null) throw new Error(`exited early:\n${running.lines.join('\n')}`);
      const r = await get(port, '/readyz', written.caPem);
      return r.status === 200 ? r : undefined;
    }, 20_000);
    const logs = jsonLines(running);
    assert.ok(logs.some((l) => JSON.stringify(l).includes(local(configFile))), 'it logs the config file it serves');
    // SIGTERM: unready first (endpoints drop the pod), still answering, then a clean exit within the grace period.
    const shutdownDelay = Number(chartArgs.find((a) => a.startsWith('--shutdown-delay='))?.split('=')[1]);
    assert.ok(shutdownDelay >= 1, 'the chart gives the server a shutdown delay');
    const stopping = stopGracefully(running, pod.terminationGracePeriodSeconds * 1000);
    await waitFor('GET /readyz 503 after SIGTERM', async () => {
      const r = await get(port, '/readyz', written.caPem);
      return r.status === 503 ? r : undefined;
    }, shutdownDelay * 1000);
    assert.equal((await get(port, '/healthz', written.caPem)).status, 200, 'still live while draining');
    await stopping;
  });
});
