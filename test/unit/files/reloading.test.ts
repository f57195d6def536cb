// A value loaded from files and reloaded when they change; a failed load keeps the last good value.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Reloading } from '../../../src/files/reloading.js';
import { eventually } from '../../support/wait.js';

function parsed(path: string): number {
  const value = Number(readFileSync(path, 'utf8'));
  if (!Number.isFinite(value)) throw new Error(`${path} is not a number`);
  return value;
}

describe('Reloading', () => {
  it('throws what the first load throws', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ciw-reload-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'n');
    writeFileSync(path, 'x');
    assert.throws(() => new Reloading([path], () => parsed(path)), /is not a number/);
  });

  it('reload() keeps the last good value on failure and reports both outcomes as events', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ciw-reload-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'n');
    writeFileSync(path, '1');
    const value = new Reloading([path], () => parsed(path));
    const events: string[] = [];
    value.on('reloaded', (v) => events.push(`reloaded ${v}`));
    value.on('error', (e) => events.push(`error ${e.message.includes('not a number')}`));
    writeFileSync(path, 'broken');
    assert.equal(value.reload(), false);
    assert.equal(value.current, 1);
    writeFileSync(path, '2');
    assert.equal(value.reload(), true);
    assert.equal(value.current, 2);
    assert.deepEqual(events, ['error true', 'reloaded 2']);
  });

  it('watch() notices a file swapped in by rename (how Kubernetes updates a volume) and close() stops it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ciw-reload-'));
    const path = join(dir, 'n');
    writeFileSync(path, '1');
    const value = new Reloading([path], () => parsed(path));
    t.after(() => {
      value.close();
      rmSync(dir, { recursive: true, force: true });
    });
    value.watch(20);
    writeFileSync(join(dir, 'n.new'), '3');
    renameSync(join(dir, 'n.new'), path);
    await eventually(() => assert.equal(value.current, 3));
  });
});
