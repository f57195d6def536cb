// The kubectl plugin form: the same program started as kubectl-calico_ipv6 names itself
// `kubectl calico-ipv6` in its usage, and nothing else it prints changes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isPluginInvocation, pluginIo } from '../../../src/cli/main.js';
import { cli } from '../../support/cli.js';
import { fixturePath } from '../../support/fixtures.js';
import { REPO_ROOT } from '../../support/repo-root.js';

describe('kubectl plugin form', () => {
  it('is recognised by the name it was started under', () => {
    assert.equal(isPluginInvocation('/usr/local/bin/kubectl-calico_ipv6'), true);
    assert.equal(isPluginInvocation('/app/node_modules/.bin/calico-ipv6-webhook'), false);
    assert.equal(isPluginInvocation('/app/dist/cli/main.js'), false);
    assert.equal(isPluginInvocation(undefined), false);
  });

  it('usage lines name `kubectl calico-ipv6`, in every help and in a usage error', async () => {
    const top = await cli(['--help'], '', pluginIo);
    assert.match(top.stdout, /^Usage: kubectl calico-ipv6 \[serve\|fix\|check\|doctor\|audit\|policy\|help \[COMMAND\]\]/);
    assert.match(top.stdout, /Run 'kubectl calico-ipv6 help COMMAND' or 'kubectl calico-ipv6 COMMAND --help'/);
    const fix = await cli(['fix', '--help'], '', pluginIo);
    assert.match(fix.stdout, /^Usage: kubectl calico-ipv6 fix FILE\|-.*\n {7}kubectl calico-ipv6 check FILE\|-/);
    for (const command of ['doctor', 'audit', 'serve']) {
      const help = await cli([command, '--help'], '', pluginIo);
      assert.match(help.stdout, new RegExp(`^Usage: kubectl calico-ipv6 ${command}\\b`), command);
      assert.doesNotMatch(help.stdout, /Usage: calico-ipv6-webhook/);
    }
    const bad = await cli(['frobnicate'], '', pluginIo);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^Usage: kubectl calico-ipv6 /m);
  });

  it('what is not usage is left alone: fix prints the same manifest and findings as the plain program', async () => {
    const plain = await cli(['fix', fixturePath('cli/calico-bundle.yaml')]);
    const plugin = await cli(['fix', fixturePath('cli/calico-bundle.yaml')], '', pluginIo);
    assert.deepEqual(plugin, plain);
  });

  const program = join(REPO_ROOT, 'dist/cli/main.js');
  const links = mkdtempSync(join(tmpdir(), 'civ6-plugin-'));
  after(() => rmSync(links, { recursive: true, force: true }));
  it('the built program runs through links named as the package.json bins, each with its own usage', { skip: existsSync(program) ? false : 'dist/cli/main.js not built (npm run build)' }, () => {
    for (const [name, usage] of [['kubectl-calico_ipv6', 'kubectl calico-ipv6'], ['calico-ipv6-webhook', 'calico-ipv6-webhook']] as const) {
      const link = join(links, name);
      symlinkSync(program, link);
      const ran = spawnSync(process.execPath, [link, 'audit', '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      assert.equal(ran.status, 0, ran.stderr);
      assert.match(ran.stdout, new RegExp(`^Usage: ${usage} audit \\[options\\]`), name);
    }
  });
});
