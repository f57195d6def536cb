// The shortest edit script between two lists, shared by the webhook's RFC 6902 patch and the edits `fix`
// makes in manifest text, so an item inserted, removed or moved costs one or two edits however long the
// list. A longest-common-subsequence table costs n*m (144 million cells for a 12,000-item list); Myers'
// O((n+m)D) algorithm runs only on the part between the common head and tail, which is empty or a few
// items for what rules do, and gives up past a work cap, pairing that part by position instead.

/** A run of the edit script: `deleted` items of a from `at`, replaced by `inserted` items of b from `to`. */
export interface Hunk {
  at: number;
  deleted: number;
  to: number;
  inserted: number;
}

/** Myers' shortest edit script as hunks in ascending order, or undefined beyond `maxD` edits. */
function myers(n: number, m: number, same: (i: number, j: number) => boolean, maxD: number): Hunk[] | undefined {
  const offset = n + m + 1;
  // Plain arrays, not Int32Array: a typed array costs a few hundred ns to allocate, and one is kept per edit.
  const v = new Array<number>(2 * offset + 1).fill(0);
  const trace: number[][] = [];
  for (let d = 0; d <= maxD; d++) {
    for (let k = -d; k <= d; k += 2) {
      let px = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0)) ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let py = px - k;
      while (px < n && py < m && same(px, py)) {
        px++;
        py++;
      }
      v[offset + k] = px;
      if (px >= n && py >= m) {
        trace.push(v.slice(offset - d, offset + d + 1));
        return backtrack(trace, n, m);
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  return undefined;
}

function backtrack(trace: readonly (readonly number[])[], n: number, m: number): Hunk[] {
  // Edits from last to first: [kind, a position, b position] before the edit.
  const edits: [0 | 1, number, number][] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const prev = trace[d - 1] as readonly number[];
    const at = (k: number) => prev[k + d - 1] ?? 0;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    edits.push(down ? [1, prevX, prevY] : [0, prevX, prevY]);
    x = prevX;
    y = prevY;
  }
  const hunks: Hunk[] = [];
  for (let e = edits.length - 1; e >= 0; e--) {
    const [kind, ax, by] = edits[e] as [0 | 1, number, number];
    const last = hunks[hunks.length - 1];
    const hunk = last && last.at + last.deleted === ax && last.to + last.inserted === by ? last : { at: ax, deleted: 0, to: by, inserted: 0 };
    if (hunk !== last) hunks.push(hunk);
    if (kind === 0) hunk.deleted++;
    else hunk.inserted++;
  }
  return hunks;
}

/** Beyond this many edits per item (about this many comparisons) the middle is paired by position instead. */
const MAX_SCRIPT_WORK = 1_000_000;

/**
 * The hunks, in ascending order, that turn list `a` into list `b` with items equal by `same`: a
 * shortest edit script, or past the work cap one hunk for everything between the common head and tail.
 * A caller pairs each hunk's first min(deleted, inserted) items by position and edits them in place.
 */
export function listEditScript<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): Hunk[] {
  let head = 0;
  while (head < a.length && head < b.length && same(a[head] as T, b[head] as T)) head++;
  let endA = a.length;
  let endB = b.length;
  while (endA > head && endB > head && same(a[endA - 1] as T, b[endB - 1] as T)) {
    endA--;
    endB--;
  }
  const whole: Hunk = { at: head, deleted: endA - head, to: head, inserted: endB - head };
  if (whole.deleted === 0 && whole.inserted === 0) return [];
  if (whole.deleted === 0 || whole.inserted === 0 || (whole.deleted === 1 && whole.inserted === 1)) return [whole];
  const size = whole.deleted + whole.inserted;
  // Items differ early (env entries by name), so comparing them is cheaper than hashing every one.
  const script = myers(whole.deleted, whole.inserted, (i, j) => same(a[head + i] as T, b[head + j] as T), Math.min(size, Math.max(64, Math.floor(MAX_SCRIPT_WORK / size))));
  if (!script) return [whole];
  for (const hunk of script) {
    hunk.at += head;
    hunk.to += head;
  }
  return script;
}
