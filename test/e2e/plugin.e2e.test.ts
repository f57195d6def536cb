// The kubectl plugin: dist/cli/main.js installed on PATH as kubectl-calico_ipv6 (what `npm install -g`
// links from package.json's bin) and run through the real kubectl against a real kube-apiserver, with
// kubectl's flags --kubeconfig, --context and -n. Needs `npm run build` (npm test builds first).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { kubectlBin, run, startCluster, type RunResult, type TestCluster } from './harness/cluster.js';
import { REPO_ROOT } from '../support/repo-root.js';

const PKG = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const NAMESPACE = 'plugin-target';

let cluster: TestCluster;
let dir: string;
let kubeconfig: string;
let binDir: string;

/** kubectl ARGS with the plugin on PATH, the project's Node first, and no kubeconfig unless given. */
function kubectl(args: string[], env: Record<string, string> = {}, input?: string): Promise<RunResult> {
  const PATH = [binDir, dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
  return run(kubectlBin(), args, { PATH, HOME: dir, KUBECONFIG: join(dir, 'no-such-kubeconfig'), ...env }, input === undefined ? {} : { input });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'calico-ipv6-webhook-plugin-e2e-'));
  cluster = await startCluster();
  const main = join(REPO_ROOT, PKG.bin['kubectl-calico_ipv6'] ?? '');
  assert.ok(existsSync(main), `${main} is built (npm run build)`);
  binDir = join(dir, 'bin');
  await mkdir(binDir);
  await symlink(main, join(binDir, 'kubectl-calico_ipv6'));
  // Two contexts: the current one points nowhere, `e2e` at the test cluster.
  const admin = JSON.parse(readFileSync(cluster.kubeconfigPath, 'utf8')) as {
    clusters: { name: string; cluster: Record<string, string> }[]; contexts: { name: string; context: Record<string, string> }[];
  };
  admin.clusters.push({ name: 'nowhere', cluster: { server: 'https://127.0.0.1:1' } });
  admin.contexts.push({ name: 'nowhere', context: { cluster: 'nowhere', user: 'admin' } });
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, JSON.stringify({ ...admin, 'current-context': 'nowhere' }), { mode: 0o600 });
  // A calico-config the webhook would change, in a namespace of its own.
  const created = await cluster.kubectl(['create', 'namespace', NAMESPACE]);
  assert.equal(created.code, 0, created.stderr);
  const calicoConfig = readFileSync(join(REPO_ROOT, 'test/fixtures/calico-config/calico-config-conflist.yaml'), 'utf8');
  const applied = await cluster.kubectl(['apply', '-n', NAMESPACE, '-f', '-'], { input: calicoConfig.replace(/namespace: kube-system/g, `namespace: ${NAMESPACE}`) });
  assert.equal(applied.code, 0, applied.stderr);
});

after(async () => {
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl calico-ipv6', () => {
  test('kubectl finds the plugin, and its help shows the plugin form', async () => {
    const list = await kubectl(['plugin', 'list']);
    assert.match(list.stdout, /kubectl-calico_ipv6/, list.stderr);
    const help = await kubectl(['calico-ipv6', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: kubectl calico-ipv6 \[serve\|fix\|check\|doctor\|audit\|policy\|help \[COMMAND\]\]/m);
    assert.match(help.stdout, /Run 'kubectl calico-ipv6 help COMMAND' or 'kubectl calico-ipv6 COMMAND --help'/);
    const doctorHelp = await kubectl(['calico-ipv6', 'doctor', '--help']);
    assert.match(doctorHelp.stdout, /^Usage: kubectl calico-ipv6 doctor \[options\]$/m);
    assert.match(doctorHelp.stdout, /--context NAME/);
    assert.doesNotMatch(doctorHelp.stdout, /Usage: calico-ipv6-webhook/);
  });

  test('audit with --kubeconfig and --context, limited by -n: the calico-config there, with the webhook\'s message', async () => {
    const r = await kubectl(['calico-ipv6', 'audit', '--kubeconfig', kubeconfig, '--context', 'e2e', '-n', NAMESPACE, '-o', 'json']);
    assert.equal(r.code, 1, `exit 1: something would change\n${r.stdout}\n${r.stderr}`);
    const result = JSON.parse(r.stdout) as { checked: number; entries: { kind: string; namespace: string; name: string; changes: string[] }[] };
    assert.deepEqual(result.entries.map((e) => `${e.kind} ${e.namespace}/${e.name}`), [`ConfigMap ${NAMESPACE}/calico-config`]);
    assert.ok(result.entries[0]?.changes.some((c) => /assign_ipv6/.test(c)), JSON.stringify(result.entries[0]));
    // Another namespace holds nothing to report.
    const elsewhere = await kubectl(['calico-ipv6', 'audit', '--kubeconfig', kubeconfig, '--context', 'e2e', '-n', 'default']);
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
  });

  test('without --context the kubeconfig\'s current context is used (here: unreachable, exit 2); a missing context is named', async () => {
    const r = await kubectl(['calico-ipv6', 'audit', '--kubeconfig', kubeconfig, '-n', NAMESPACE]);
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /cannot reach the API server|127\.0\.0\.1:1/);
    const missing = await kubectl(['calico-ipv6', 'doctor', '--kubeconfig', kubeconfig, '--context', 'absent']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no context "absent" in the kubeconfig .*\(it has: .*e2e.*\)/);
  });

  test('doctor through KUBECONFIG, as kubectl passes it to plugins, with --context', async () => {
    const r = await kubectl(['calico-ipv6', 'doctor', '--context', 'e2e', '-o', 'json'], { KUBECONFIG: kubeconfig });
    assert.ok(r.code === 0 || r.code === 1, `a verdict, not an access error: exit ${r.code}\n${r.stderr}`);
    const checks = JSON.parse(r.stdout) as { id?: string; status: string }[] | { checks: { status: string }[] };
    const list = Array.isArray(checks) ? checks : checks.checks;
    assert.ok(list.length > 5, 'checks were run');
    for (const c of list) assert.match(c.status, /^(pass|fail|unknown)$/);
  });

  test('fix -f FILE prints the corrected manifest', async () => {
    const file = join(REPO_ROOT, 'examples/calico.yaml');
    const r = await kubectl(['calico-ipv6', 'fix', '-f', file]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.match(r.stdout, /CALICO_IPV6POOL_CIDR/);
    assert.match(r.stderr, /fixed:/);
    // The corrected manifest is accepted by the real API server as it stands (server-side dry run).
    const dry = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: r.stdout });
    assert.equal(dry.code, 0, dry.stderr);
  });
});
