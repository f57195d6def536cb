// What the engine changed in an object, as edits addressed in the ORIGINAL object: list insertions name
// the original item they go before, so an item inserted in the middle of a list is one insertion (not a
// chain of replacements that rewrites every later item), and every edit can be placed in the original text.
import { isDeepStrictEqual } from 'node:util';
import { isRecord } from '../k8s/object.js';
import { equalJson } from '../patch/json-patch.js';
import { listEditScript } from '../patch/list-edit-script.js';

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

function bothContainers(a: unknown, b: unknown): boolean {
  return (Array.isArray(a) && Array.isArray(b)) || (isRecord(a) && isRecord(b));
}

function diffLists(before: readonly unknown[], after: readonly unknown[], path: Step[], out: Change[]): void {
  // Each hunk: its first items paired by position and edited in place, the rest removed or inserted
  // before the original item that follows the hunk.
  for (const { at, deleted, to, inserted } of listEditScript(before, after, equalJson)) {
    const paired = Math.min(deleted, inserted);
    for (let k = 0; k < paired; k++) diffInto(before[at + k], after[to + k], [...path, at + k], out);
    for (let k = at + paired; k < at + deleted; k++) out.push({ op: 'remove', path: [...path, k] });
    for (let k = to + paired; k < to + inserted; k++) out.push({ op: 'insert', path, before: at + deleted, value: after[k] });
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
