// `fix` and `check` through main(), with the process's streams replaced, and once as a real process.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { cli } from '../../support/cli.js';
import { fixturePath, fixtureText } from '../../support/fixtures.js';
import { REPO_ROOT } from '../../support/repo-root.js';


/** The text split into documents at `---` lines (each piece keeps its own bytes). */
function documents(text: string): string[] {
  return text.split(/^---$/m);
}

const BUNDLE = 'cli/calico-bundle.yaml';
const BUNDLE_TEXT = fixtureText(BUNDLE);

/** What fix must print for the bundle: surgical edits, nothing else (issue 14 adds NAT outgoing for the ULA pod CIDR). */
const BUNDLE_FIXED = BUNDLE_TEXT
  .replace('"subnet": "usePodCidr"', '"subnet": "usePodCidrIPv6"')
  .replace('- name: IP\n              value: "autodetect"', '- name: IP\n              value: "none"')
  .replace('value: "false"   # the guide turns this on', 'value: "true"   # the guide turns this on')
  .replace('- name: FELIX_HEALTHENABLED\n              value: "true"\n', [
    '- name: FELIX_HEALTHENABLED', '              value: "true"',
    '            - name: CALICO_IPV6POOL_CIDR', '              value: "fd20::/112"',
    '            - name: IP6', '              value: "autodetect"',
    '            - name: CALICO_IPV6POOL_NAT_OUTGOING', '              value: "true"',
    '            - name: CALICO_ROUTER_ID', '              value: "hash"', '',
  ].join('\n'));

describe('cli fix', () => {
  it('prints the whole file with only the target fields changed, comments and layout kept; exit 0', async () => {
    assert.notEqual(BUNDLE_FIXED, BUNDLE_TEXT, 'the expected output differs from the input');
    const { code, stdout, stderr } = await cli(['fix', fixturePath(BUNDLE)]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, BUNDLE_FIXED);
    assert.match(stderr, /calico-bundle\.yaml: 2 target objects, 7 changes made, 0 problems$/);
    assert.match(stderr, /DaemonSet kube-system\/calico-node \(document 4\): fixed: \[calico-node\/ip-none\]/);
  });

  it('non-target documents are byte-identical; target documents keep every comment', async () => {
    const { stdout } = await cli(['fix', fixturePath(BUNDLE)]);
    const before = documents(BUNDLE_TEXT);
    const after = documents(stdout);
    assert.equal(after.length, before.length);
    for (const i of [0, 2, 3, 5, 6]) assert.equal(after[i], before[i], `document piece ${i}`);
    for (const i of [1, 4]) {
      const comments = (before[i] ?? '').split('\n').filter((l) => l.includes('#')).map((l) => l.slice(l.indexOf('#')));
      for (const comment of comments) assert.ok(after[i]?.includes(comment), `comment kept: ${comment}`);
    }
  });

  it('the calico version for calico-config comes from the calico/node image in the same file', async () => {
    assert.ok((await cli(['fix', fixturePath(BUNDLE)])).stdout.includes('"subnet": "usePodCidrIPv6"'), 'v3.24.0 in the file: usePodCidrIPv6');
    const old = await cli(['fix', fixturePath('cli/calico-v3.1.3-bundle.yaml')]);
    assert.ok(old.stdout.includes('"subnet": "usePodCidr"\n'), 'v3.1.3 in the file: untouched');
    // Without a calico/node in the file the version is unknown: untouched, with a warning.
    const alone = (await cli(['fix', '-'], fixtureText('calico-config/calico-config-host-local.yaml')));
    assert.equal(alone.stdout, fixtureText('calico-config/calico-config-host-local.yaml'));
    assert.match(alone.stderr, /warning: calico-config: host-local uses usePodCidr; .*\(set calicoVersion\)/);
    // --calico-version settles it.
    assert.ok((await cli(['fix', '--calico-version', 'v3.22.0', '-'], fixtureText('calico-config/calico-config-host-local.yaml'))).stdout.includes('usePodCidrIPv6'));
  });

  it('exit 1 when anything is rejected (v3.1.3: IP=none needs v3.2), the corrected file still printed', async () => {
    const { code, stdout, stderr } = await cli(['fix', fixturePath('cli/calico-v3.1.3-bundle.yaml')]);
    assert.equal(code, 1);
    assert.match(stderr, /rejected: \[calico-node\/ip-none\] .*IP=none needs calico\/node >= v3\.2\.0/);
    assert.match(stderr, /2 target objects, 4 changes made, 1 problem$/);
    assert.ok(stdout.includes('value: "true"') && stdout.includes('CALICO_IPV6POOL_CIDR'));
  });

  it('takes the file as -f FILE too, as kubectl does; a FILE and -f together are a usage error', async () => {
    const positional = await cli(['fix', fixturePath(BUNDLE)]);
    const flagged = await cli(['fix', '-f', fixturePath(BUNDLE)]);
    assert.deepEqual(flagged, positional);
    const both = await cli(['check', '-f', fixturePath(BUNDLE), fixturePath(BUNDLE)]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /check takes exactly one FILE .* got 2/);
  });

  it('reads standard input with -', async () => {
    const text = fixtureText('cli/kube-dns-bundle.yaml');
    const fromFile = await cli(['fix', fixturePath('cli/kube-dns-bundle.yaml')]);
    const fromStdin = await cli(['fix', '-'], text);
    assert.equal(fromStdin.code, 0);
    assert.equal(fromStdin.stdout, fromFile.stdout);
    assert.match(fromStdin.stderr, /^<stdin>: Service kube-system\/kube-dns \(document 1\): fixed: /m);
    assert.match(fromStdin.stderr, /<stdin>: 2 target objects, 7 changes made, 0 problems$/);
    assert.ok(fromStdin.stdout.includes('clusterIP: fd00:10:96::a   # the kubelet\'s --cluster-dns'));
    assert.equal(documents(fromStdin.stdout)[1], documents(text)[1], 'ServiceAccount untouched');
    assert.equal(documents(fromStdin.stdout)[2], documents(text)[2], 'kube-dns ConfigMap (not a target) untouched');
  });

  it('--config and flags set the cluster (pod CIDR, DNS address)', async () => {
    const { code, stdout } = await cli(['fix', '--config', fixturePath('cli/webhook-config.yaml'), fixturePath('cli/kube-dns-bundle.yaml')]);
    assert.equal(code, 0);
    assert.ok(stdout.includes('clusterIP: fd00:20::53'));
    const pool = await cli(['fix', '--pod-cidr', 'fd20:9::/64', fixturePath(BUNDLE)]);
    assert.ok(pool.stdout.includes('value: "fd20:9::/64"'));
  });
});

describe('cli check', () => {
  it('exits 0 on an already-fixed file (fix output through check)', async () => {
    for (const file of [BUNDLE, 'cli/kube-dns-bundle.yaml']) {
      const fixed = await cli(['fix', fixturePath(file)]);
      const checked = await cli(['check', '-'], fixed.stdout);
      assert.equal(checked.code, 0, checked.stderr);
      assert.equal(checked.stdout, '', 'check prints no YAML');
      assert.match(checked.stderr, /0 changes needed, 0 problems$/);
    }
  });

  it('exits 1 when a change is needed, listing it as "needs change"', async () => {
    const { code, stdout, stderr } = await cli(['check', fixturePath(BUNDLE)]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /needs change: \[calico-node\/router-id\]/);
    assert.match(stderr, /7 changes needed, 0 problems$/);
  });

  it('exits 1 on a rejection even after fix', async () => {
    const fixed = await cli(['fix', fixturePath('cli/calico-v3.1.3-bundle.yaml')]);
    const checked = await cli(['check', '-'], fixed.stdout);
    assert.equal(checked.code, 1);
    assert.match(checked.stderr, /0 changes needed, 1 problem$/);
  });
});

describe('cli: exit 2 for unusable input', () => {
  it('unparseable YAML', async () => {
    const { code, stdout, stderr } = await cli(['fix', fixturePath('cli/broken.yaml')]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^calico-ipv6-webhook: \S*broken\.yaml: not valid YAML at line 9, column 1: /);
  });

  it('a missing file', async () => {
    const { code, stderr } = await cli(['check', fixturePath('cli/no-such-file.yaml')]);
    assert.equal(code, 2);
    assert.match(stderr, /cannot read .*no-such-file\.yaml: no such file$/);
  });

  it('a bad flag, a missing FILE, two FILEs, an unknown command', async () => {
    for (const args of [['fix', '--bogus', fixturePath(BUNDLE)], ['fix'], ['check', 'a.yaml', 'b.yaml'], ['fxi', 'a.yaml']]) {
      const { code, stderr } = await cli(args);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /Usage: calico-ipv6-webhook/);
    }
  });

  it('invalid configuration names the key (file, flag)', async () => {
    const fromFile = await cli(['fix', '--config', fixturePath('cli/webhook-config-invalid.yaml'), fixturePath(BUNDLE)]);
    assert.equal(fromFile.code, 2);
    assert.match(fromFile.stderr, /^calico-ipv6-webhook: invalid configuration: clusterDNS: fd00:99::a lies outside serviceCIDR/);
    const fromFlag = await cli(['check', '--pod-cidr', '10.244.0.0/16', fixturePath(BUNDLE)]);
    assert.equal(fromFlag.code, 2);
    assert.match(fromFlag.stderr, /invalid configuration: podCIDR: /);
    const fromEnv = await main(['fix', fixturePath(BUNDLE)], { stdout: () => undefined, stdoutRaw: () => undefined, stderr: () => undefined, readStdin: () => '', env: { CALICO_IPV6_WEBHOOK_MODE: 'v6' } });
    assert.equal(fromEnv, 2);
  });

  it('--help exits 0', async () => {
    const { code, stdout } = await cli(['fix', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: calico-ipv6-webhook fix FILE\|-/);
  });
});

describe('cli: the built program', () => {
  const program = join(REPO_ROOT, 'dist/cli/main.js');

  it('node dist/cli/main.js fix prints what main() prints, exit 0; a rejection exits 1', { skip: existsSync(program) ? false : 'dist/cli/main.js not built (npm run build)' }, async () => {
    const expected = await cli(['fix', fixturePath(BUNDLE)]);
    const ran = spawnSync(process.execPath, [program, 'fix', fixturePath(BUNDLE)], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    assert.equal(ran.status, 0, ran.stderr);
    assert.equal(ran.stdout, expected.stdout);
    assert.equal(ran.stderr.trimEnd(), expected.stderr);
    const rejected = spawnSync(process.execPath, [program, 'check', '-'], { encoding: 'utf8', input: fixtureText('cli/calico-v3.1.3-bundle.yaml'), env: { PATH: process.env.PATH ?? '' } });
    assert.equal(rejected.status, 1);
  });
});

describe('fix: each finding once', () => {
  it('a malformed field that mutation and validation both report is printed once and counted once', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: calico-config\n  namespace: kube-system\ndata: not-a-mapping\n';
    const out = await cli(['check', '-'], yaml);
    assert.equal(out.code, 1);
    const rejected = out.stderr.split('\n').filter((l) => l.includes(': rejected: '));
    assert.equal(rejected.length, 1, out.stderr);
    assert.match(rejected[0] ?? '', /\[calico-config\/shape\] data:/);
    assert.match(out.stderr, /1 target object, 0 changes needed, 1 problem$/);
  });
});

describe('fix and check: the operator Installation and IPPools', () => {
  const installation = fixtureText('operator/installation-vxlan.yaml');
  const pool = fixtureText('ippool/ipv6-pool-v3.yaml');

  it('fix writes the IPv6 pool into the Installation, keeps the IPPool byte for byte; check of the result exits 0', async () => {
    const fixed = await cli(['fix', '-'], `${installation}---\n${pool}`);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stdout, /cidr: fd20::\/112/);
    assert.doesNotMatch(fixed.stdout, /10\.244\.0\.0\/16/);
    assert.ok(fixed.stdout.endsWith(pool), 'the IPPool document is unchanged');
    assert.match(fixed.stderr, /IPv4 pool default-ipv4-ippool \(10\.244\.0\.0\/16\) removed/);
    const checked = await cli(['check', '-'], fixed.stdout);
    assert.equal(checked.code, 0, checked.stderr);
  });

  it('check refuses a bad IPPool with the field, what was found and the fix (exit 1)', async () => {
    const out = await cli(['check', '-'], pool.replace('cidr: fd20::/112', 'cidr: fd20::/112\n  ipipMode: Always'));
    assert.equal(out.code, 1);
    assert.match(out.stderr, /\[ippool\/ipip\] spec\.ipipMode: found "Always", expected "Never"\. Fix: IPIP is not supported on IPv6 pools/);
  });
});
