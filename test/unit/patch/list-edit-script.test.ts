// The edit script shared by the RFC 6902 patch and the manifest editor: applying its hunks to the first
// list gives the second, it is a shortest script where the search fits the cap, and a long list with one
// item moved is one deletion and one insertion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { listEditScript, type Hunk } from '../../../src/patch/list-edit-script.js';

const same = (x: number, y: number) => x === y;

/** `a` with each hunk's deleted run replaced by its inserted run of `b`, applied from the last hunk. */
function apply(a: readonly number[], b: readonly number[], hunks: readonly Hunk[]): number[] {
  const out = [...a];
  for (const { at, deleted, to, inserted } of [...hunks].reverse()) out.splice(at, deleted, ...b.slice(to, to + inserted));
  return out;
}

/** The length of a longest common subsequence, by the plain table (small lists only). */
function lcsLength(a: readonly number[], b: readonly number[]): number {
  let row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const next = [0];
    for (let j = 0; j < b.length; j++) next.push(x === b[j] ? (row[j] as number) + 1 : Math.max(row[j + 1] as number, next[j] as number));
    row = next;
  }
  return row[b.length] as number;
}

const list = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 });

test('the hunks turn a into b, ascending and apart, with the fewest edits', () => {
  fc.assert(
    fc.property(list, list, (a, b) => {
      const hunks = listEditScript(a, b, same);
      assert.deepEqual(apply(a, b, hunks), b);
      for (let h = 1; h < hunks.length; h++) {
        const prev = hunks[h - 1] as Hunk;
        const hunk = hunks[h] as Hunk;
        assert.ok(hunk.at > prev.at + prev.deleted || hunk.to > prev.to + prev.inserted, 'hunks are separated by kept items');
        assert.equal(hunk.at - (prev.at + prev.deleted), hunk.to - (prev.to + prev.inserted), 'the items between hunks are kept');
      }
      const edits = hunks.reduce((sum, h) => sum + h.deleted + h.inserted, 0);
      assert.equal(edits, a.length + b.length - 2 * lcsLength(a, b));
    }),
  );
});

test('equal lists have no hunk; a change at either end is one hunk', () => {
  assert.deepEqual(listEditScript([1, 2, 3], [1, 2, 3], same), []);
  assert.deepEqual(listEditScript([1, 2, 3], [0, 1, 2, 3], same), [{ at: 0, deleted: 0, to: 0, inserted: 1 }]);
  assert.deepEqual(listEditScript([1, 2, 3], [1, 2], same), [{ at: 2, deleted: 1, to: 2, inserted: 0 }]);
  assert.deepEqual(listEditScript([1, 2, 3], [1, 9, 3], same), [{ at: 1, deleted: 1, to: 1, inserted: 1 }]);
});

test('in a list of 12,001 items, moving the last to the front is one deletion and one insertion', () => {
  const a = Array.from({ length: 12_001 }, (_, i) => i);
  const b = [12_000, ...a.slice(0, 12_000)];
  assert.deepEqual(listEditScript(a, b, same), [
    { at: 0, deleted: 0, to: 0, inserted: 1 },
    { at: 12_000, deleted: 1, to: 12_001, inserted: 0 },
  ]);
});

test('past the work cap, everything between the common head and tail is one hunk paired by position', () => {
  // A reversed middle of 5,000 items needs about 10,000 edits, far beyond the cap; a shortest script
  // would keep one item and so have two hunks.
  const n = 5_000;
  const middle = Array.from({ length: n }, (_, i) => i);
  const a = [-1, ...middle, -2];
  const b = [-1, ...middle.toReversed(), -2];
  assert.deepEqual(listEditScript(a, b, same), [{ at: 1, deleted: n, to: 1, inserted: n }]);
  const small = [0, 1, 2, 3];
  assert.equal(listEditScript(small, small.toReversed(), same).length, 2, 'within the cap the script keeps an item');
});
