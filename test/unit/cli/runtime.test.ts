// The program refuses a Node.js older than package.json's engines with a message saying where to get one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MIN_NODE, unsupportedNode } from '../../../src/cli/runtime.js';
import { REPO_ROOT } from '../../support/repo-root.js';

describe('Node.js runtime check', () => {
  it('the minimum is package.json engines', () => {
    const engines = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    assert.equal(engines, `^${MIN_NODE.join('.')}.0`);
  });

  it('refuses older versions, naming the binary and the one npm ci installs', () => {
    const why = unsupportedNode('20.20.2', '/usr/bin/node');
    assert.match(why ?? '', /needs Node\.js >= 26\.10, but \/usr\/bin\/node is v20\.20\.2/);
    assert.match(why ?? '', /node_modules\/\.bin\/node/);
    assert.ok(unsupportedNode('v26.9.1', 'node'));
    assert.ok(unsupportedNode('22.19.0', 'node'));
  });

  it('accepts the minimum and anything newer', () => {
    for (const version of ['26.10.0', 'v26.11.2', '27.0.0', '30.1.0']) assert.equal(unsupportedNode(version, 'node'), undefined, version);
  });

  it('the program runs on the Node this suite runs on, and refuses one older than the minimum', () => {
    const main = join(REPO_ROOT, 'src', 'cli', 'main.ts');
    const ok = spawnSync(process.execPath, ['--import', 'tsx', main, 'help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    // The same program with process.versions.node set to an older release before it starts.
    const older = spawnSync(process.execPath, ['--import', 'tsx', '--import', 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.20.2"})', main, 'help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(older.status, 2, older.stderr);
    assert.match(older.stderr, /^calico-ipv6-webhook: needs Node\.js >= 26\.10, but .* is v20\.20\.2\./);
    assert.equal(older.stdout, '');
  });
});
