// JSON manifests stay JSON: kubectl reads a file whose first character is `{` as a JSON stream, and fix
// edits such a file with jsonc-parser's modify, which touches only the changed members and formats new
// ones with the file's own indentation and line ending.
import { applyEdits, modify, parseTree, type FormattingOptions, type JSONPath, type ParseError } from 'jsonc-parser';
import type { Change, Step } from './structural-diff.js';

/** The file's single JSON value, or undefined when it is not one (kubectl then reads it as YAML). */
export function readJson(text: string): { value: unknown } | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (!tree || errors.length > 0) return undefined;
  // Like Go's encoding/json, JSON.parse lets the last of a duplicated key win (and makes plain objects).
  return { value: JSON.parse(text) as unknown };
}

function formatting(text: string, eol: string): FormattingOptions {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  return indent.startsWith('\t') ? { insertSpaces: false, tabSize: 1, eol } : { insertSpaces: true, tabSize: indent.length, eol };
}

/** Where a change acts, for ordering: a list insertion acts at the index it goes before. */
function position(change: Change): Step[] {
  if (change.op === 'insert') return [...change.path, change.before];
  if (change.op === 'add') return [...change.path, change.key];
  return change.path;
}

const RANK = { replace: 2, add: 2, remove: 1, insert: 0 } as const;

/**
 * Later positions first, so that indices of changes still to apply stay true; at one index, deeper
 * changes, then a removal, then insertions last to first (so they come out in order).
 */
function laterFirst(a: { change: Change; seq: number }, b: { change: Change; seq: number }): number {
  const pa = position(a.change);
  const pb = position(b.change);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as Step;
    const y = pb[i] as Step;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return y - x;
    return String(y) < String(x) ? -1 : 1;
  }
  if (pa.length !== pb.length) return pb.length - pa.length;
  return RANK[b.change.op] - RANK[a.change.op] || b.seq - a.seq;
}

/** The JSON text with the changes applied as edits. */
export function editJson(text: string, changes: readonly Change[], eol: string): string {
  const options = { formattingOptions: formatting(text, eol) };
  let out = text;
  for (const { change } of changes.map((c, seq) => ({ change: c, seq })).sort(laterFirst)) {
    const path = change.path as JSONPath;
    switch (change.op) {
      case 'replace':
        out = applyEdits(out, modify(out, path, change.value, options));
        break;
      case 'remove':
        out = applyEdits(out, modify(out, path, undefined, options));
        break;
      case 'add':
        out = applyEdits(out, modify(out, [...path, change.key], change.value, options));
        break;
      case 'insert':
        out = applyEdits(out, modify(out, [...path, change.before], change.value, { ...options, isArrayInsertion: true }));
        break;
    }
  }
  return out;
}

export function jsonValue(text: string): unknown {
  return readJson(text)?.value;
}
