// The edits `fix` places in manifest text, addressed in the original object: list items are matched by
// content, so a moved or inserted item is one insertion (before an original item) and at most one removal,
// and items paired by position are edited in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { structuralDiff } from '../../../src/manifests/structural-diff.js';

test('in a list of 12,001 items, moving the last to the front is one insertion and one removal', () => {
  const args = Array.from({ length: 12_001 }, (_, i) => `--arg-${i}`);
  const before = { spec: { args } };
  const after = { spec: { args: [args[12_000], ...args.slice(0, 12_000)] } };
  assert.deepEqual(structuralDiff(before, after), [
    { op: 'insert', path: ['spec', 'args'], before: 0, value: '--arg-12000' },
    { op: 'remove', path: ['spec', 'args', 12_000] },
  ]);
});

test('an item changed among equal ones is edited in place; one inserted in the middle goes before its successor', () => {
  const env = [
    { name: 'A', value: '1' },
    { name: 'B', value: '2' },
    { name: 'C', value: '3' },
  ];
  const after = [{ name: 'A', value: '1' }, { name: 'B', value: 'two' }, { name: 'NEW', value: 'x' }, { name: 'C', value: '3' }];
  assert.deepEqual(structuralDiff({ env }, { env: after }), [
    { op: 'replace', path: ['env', 1, 'value'], value: 'two' },
    { op: 'insert', path: ['env'], before: 2, value: { name: 'NEW', value: 'x' } },
  ]);
});

test('a list item given with its keys in another order is the same item (JSON equality)', () => {
  const before = { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] };
  const after = { env: [{ value: '1', name: 'A' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }] };
  assert.deepEqual(structuralDiff(before, after), [{ op: 'insert', path: ['env'], before: 2, value: { name: 'C', value: '3' } }]);
});
