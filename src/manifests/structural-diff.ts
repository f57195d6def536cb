// What the engine changed in an object, as edits addressed in the ORIGINAL object: list insertions name
// the original item they go before, so an item inserted in the middle of a list is one insertion (not a
// chain of replacements that rewrites every later item), and every edit can be placed in the original text.
import { isDeepStrictEqual } from 'node:util';

export type Step = string | number;

export type Change =
  /** The value at `path` (a map key's value or a list item) becomes `value`. */
  | { op: 'replace'; path: Step[]; value: unknown }
  /** A new key `key` in the map at `path`. */
  | { op: 'add'; path: Step[]; key: string; value: unknown }
  /** A new item in the list at `path`, before original item `before` (the list's length: at the end). */
  | { op: 'insert'; path: Step[]; before: number; value: unknown }
  /** The map key or list item at `path` goes. */
  | { op: 'remove'; path: Step[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bothContainers(a: unknown, b: unknown): boolean {
  return (Array.isArray(a) && Array.isArray(b)) || (isPlainObject(a) && isPlainObject(b));
}

/** Pairs of indices (old, new) of a longest common subsequence of equal items. */
function commonItems(before: readonly unknown[], after: readonly unknown[]): [number, number][] {
  const a = before.map((v) => JSON.stringify(v));
  const b = after.map((v) => JSON.stringify(v));
  const n = a.length;
  const m = b.length;
  const table: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = table[i] as number[];
      row[j] = a[i] === b[j] ? (table[i + 1] as number[])[j + 1] as number + 1 : Math.max((table[i + 1] as number[])[j] as number, row[j + 1] as number);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (((table[i + 1] as number[])[j] as number) >= ((table[i] as number[])[j + 1] as number)) i++;
    else j++;
  }
  return pairs;
}

function diffLists(before: readonly unknown[], after: readonly unknown[], path: Step[], out: Change[]): void {
  const anchors = [...commonItems(before, after), [before.length, after.length] as [number, number]];
  let i = 0;
  let j = 0;
  for (const [ai, bj] of anchors) {
    // The gap before this anchor: old items i..ai, new items j..bj; paired by position, the rest removed or inserted.
    const paired = Math.min(ai - i, bj - j);
    for (let k = 0; k < paired; k++) diffInto(before[i + k], after[j + k], [...path, i + k], out);
    for (let k = i + paired; k < ai; k++) out.push({ op: 'remove', path: [...path, k] });
    for (let k = j + paired; k < bj; k++) out.push({ op: 'insert', path, before: ai, value: after[k] });
    i = ai + 1;
    j = bj + 1;
  }
}

function diffInto(before: unknown, after: unknown, path: Step[], out: Change[]): void {
  if (isDeepStrictEqual(before, after)) return;
  if (!bothContainers(before, after)) {
    out.push({ op: 'replace', path, value: after });
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    diffLists(before, after, path, out);
    return;
  }
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    if (!Object.hasOwn(b, key)) out.push({ op: 'remove', path: [...path, key] });
    else diffInto(a[key], b[key], [...path, key], out);
  }
  for (const key of Object.keys(b)) if (!Object.hasOwn(a, key)) out.push({ op: 'add', path, key, value: b[key] });
}

/** The changes that turn `before` into `after`, addressed in `before`. */
export function structuralDiff(before: unknown, after: unknown, path: Step[] = []): Change[] {
  const out: Change[] = [];
  diffInto(before, after, path, out);
  return out;
}
