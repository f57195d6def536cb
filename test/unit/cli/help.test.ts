// Issue 23, point 8: the help a new user gets: each command's own help on its usage errors and with
// `help COMMAND`, `--version`, and every exit code in every help.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../../support/cli.js';
import { REPO_ROOT } from '../../support/repo-root.js';

const COMMANDS = ['serve', 'fix', 'check', 'doctor', 'audit', 'policy'] as const;
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('cli help (issue 23)', () => {
  it('--version, -V and version print the package version; exit 0', async () => {
    for (const flag of ['--version', '-V', 'version']) {
      const { code, stdout } = await cli([flag]);
      assert.deepEqual([code, stdout], [0, `calico-ipv6-webhook ${VERSION}\n`], flag);
    }
  });

  for (const command of COMMANDS) {
    it(`help ${command} prints ${command}'s own help, the same as ${command} --help`, async () => {
      const viaHelp = await cli(['help', command]);
      const viaFlag = await cli([command, '--help']);
      assert.equal(viaHelp.code, 0);
      assert.equal(viaHelp.stdout, viaFlag.stdout);
      const usage = command === 'check' ? 'fix FILE' : command;
      assert.match(viaHelp.stdout, new RegExp(`^Usage: calico-ipv6-webhook ${usage}`));
    });

    it(`a usage error of ${command} prints ${command}'s help, not the top-level one; exit 2`, async () => {
      const { code, stderr } = await cli([command, '--no-such-flag']);
      assert.equal(code, 2);
      assert.match(stderr, /^calico-ipv6-webhook: Unknown option '--no-such-flag'/);
      assert.match(stderr, new RegExp(`\n\nUsage: calico-ipv6-webhook ${command === 'check' ? 'fix' : command}`));
      assert.doesNotMatch(stderr, /\[serve\|fix\|check/);
    });

    it(`${command} --help lists exit codes 0, 1 and 2`, async () => {
      const { stdout } = await cli([command, '--help']);
      const codes = /Exit codes:([\s\S]*?)(\n\n|$)/.exec(stdout)?.[1] ?? '';
      for (const code of ['0', '1', '2']) assert.match(codes, new RegExp(`(^|[\\s,])${code} `), `${command}: exit code ${code}`);
    });
  }

  it('the top-level help lists every exit code and names help COMMAND and --version', async () => {
    const { code, stdout } = await cli(['--help']);
    assert.equal(code, 0);
    for (const line of [/\n {2}0 {2}success/, /\n {2}1 {2}fix rejected/, /\n {2}2 {2}usage/, /--version/, /help COMMAND/]) assert.match(stdout, line);
  });

  it('help with an unknown command: the top-level help on stderr; exit 2', async () => {
    const { code, stderr } = await cli(['help', 'nope']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown command "nope"\n\nUsage: calico-ipv6-webhook \[serve/);
  });
});
