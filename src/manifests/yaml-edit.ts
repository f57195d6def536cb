// Places structural changes in one YAML document as text edits, so every byte outside the changed
// values stays: comments, quoting, flow or block style, indentation, line endings. A change that cannot
// be placed without changing something else (a value shared through an anchor, reached through an alias
// or a merge key) is refused with the reason; nothing is ever re-serialized.
import { isDeepStrictEqual } from 'node:util';
import { isAlias, isMap, isScalar, isSeq, Scalar, type Alias, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { isMergeKey, resolvePlain, type KubeDocument } from './kube-yaml.js';
import type { Change, Step } from './structural-diff.js';

export interface TextEdit {
  start: number;
  end: number;
  text: string;
  /** Edits at one offset come out in this order. */
  order: number;
}

/** A change that cannot be made as a text edit without changing something else. */
export class UnplaceableEdit extends Error {}

// ---- positions --------------------------------------------------------------------------------

function lineStart(src: string, offset: number): number {
  return src.lastIndexOf('\n', offset - 1) + 1;
}

function lineEndAfter(src: string, offset: number): number {
  const nl = src.indexOf('\n', offset);
  return nl < 0 ? src.length : nl + 1;
}

function columnOf(src: string, offset: number): number {
  return offset - lineStart(src, offset);
}

function range(node: Node): [number, number, number] {
  const r = node.range;
  if (!r) throw new UnplaceableEdit('a node without a position');
  return r;
}

/** The end of the last line of `node` (after its newline), where a following sibling line goes. */
function afterLineOf(src: string, node: Node): number {
  return lineEndAfter(src, Math.max(range(node)[1] - 1, range(node)[0]));
}

// ---- rendering --------------------------------------------------------------------------------

const PLAIN_BLOCK = /^(?:--?|--?[A-Za-z0-9]|[A-Za-z0-9_/.])[A-Za-z0-9_./=:@[\],-]*$/;
const PLAIN_FLOW = /^(?:--?|--?[A-Za-z0-9]|[A-Za-z0-9_/.])[A-Za-z0-9_./=@-]*$/;

/** A string may stay plain when it parses back as that same string, as Kubernetes reads it. */
function plainOk(value: string, flow: boolean): boolean {
  if (!(flow ? PLAIN_FLOW : PLAIN_BLOCK).test(value) || value.endsWith(':') || value.startsWith('---')) return false;
  const read = resolvePlain(value);
  return read.kind === 'str' && read.value === value;
}

/** A scalar in the style of the one it replaces (or its neighbour's); quoted where plain would change it. */
function renderScalar(value: unknown, like: Scalar | undefined, flow: boolean): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  if (like?.type === Scalar.QUOTE_SINGLE && !value.includes('\n')) return `'${value.replace(/'/g, "''")}'`;
  if (like?.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  return plainOk(value, flow) ? value : JSON.stringify(value);
}

function renderKey(key: string, flow: boolean): string {
  return plainOk(key, flow) ? key : JSON.stringify(key);
}

/** How new values should look: the neighbour's scalar under the same key, so quoting follows the file. */
type StyleOf = (key?: string) => Scalar | undefined;

function styleFrom(node: unknown, doc: KubeDocument): StyleOf {
  return (key) => {
    let at: unknown = node;
    if (isAlias(at)) at = doc.aliasTarget.get(at);
    if (key !== undefined) {
      if (!isMap(at)) return undefined;
      const entry = doc.entry(at, key);
      at = entry?.via === 'pair' ? entry.value : undefined;
    }
    return isScalar(at) ? at : undefined;
  };
}

function renderFlow(value: unknown, style: StyleOf): string {
  if (Array.isArray(value)) return `[${value.map((v) => renderFlow(v, style)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${renderKey(k, true)}: ${renderFlow(v, () => style(k))}`).join(', ')}}`;
  }
  return renderScalar(value, style(), true);
}

function renderBlockScalar(value: string, indent: string, folded: boolean): string {
  const trailing = /\n*$/.exec(value)?.[0].length ?? 0;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = trailing === 0 ? value : value.slice(0, value.length - trailing);
  const lines = body.split('\n').map((line) => (line === '' ? '' : `${indent}${line}`));
  return `${folded ? '>' : '|'}${chomp}\n${lines.join('\n')}${trailing === 0 ? '' : '\n'.repeat(trailing - 1)}`;
}

/** A value after `key:` in block context at `indent` (the column of its first line's content). */
function renderBlockValue(value: unknown, indent: number, style: StyleOf): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return `\n${value.map((item) => `${pad}- ${renderItemBody(item, indent + 2, style)}`).join('\n')}`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return ' {}';
    return `\n${entries.map(([k, v]) => `${pad}${renderKey(k, false)}:${renderBlockValue(v, indent + 2, () => style(k))}`).join('\n')}`;
  }
  return ` ${renderScalar(value, style(), false)}`;
}

/** The text after `- `: a mapping's first key stays on the marker's line. */
function renderItemBody(item: unknown, indent: number, style: StyleOf): string {
  if (Array.isArray(item)) return renderFlow(item, style);
  if (item !== null && typeof item === 'object') {
    const entries = Object.entries(item);
    if (entries.length === 0) return '{}';
    const pad = ' '.repeat(indent);
    return entries.map(([k, v], i) => `${i === 0 ? '' : pad}${renderKey(k, false)}:${renderBlockValue(v, indent + 2, () => style(k))}`).join('\n');
  }
  return renderScalar(item, style(), false);
}

// ---- finding the node a path names --------------------------------------------------------------

interface Located {
  /** The node at the path; null for an empty value (`key:`). */
  node: Node | null;
  /** The collection holding it, and the key or index it has there. */
  parent: YAMLMap | YAMLSeq | undefined;
  key: Step | undefined;
  /** The map key node, when the parent is a map. */
  keyNode?: Node;
  /** The value comes from a merge key (`<<`), not from a pair of the parent. */
  merged: boolean;
}

function describeShared(node: Node): string {
  const anchor = (node as { anchor?: string }).anchor;
  return anchor ? `&${anchor}` : 'an anchor';
}

/**
 * Walks `path` from the document root. Every node passed on the way must belong to this place alone:
 * an alias on the way, or an anchored node that an alias repeats elsewhere, would carry the edit to
 * the other place too, so the change is refused.
 */
function locate(doc: KubeDocument, path: readonly Step[], where: string): Located {
  let node = doc.doc.contents as Node | null;
  let located: Located = { node, parent: undefined, key: undefined, merged: false };
  const guard = (n: Node | null, upTo: number): void => {
    const at = path.slice(0, upTo).join('.') || '(the document)';
    if (isAlias(n)) throw new UnplaceableEdit(`${where}: ${at} is an alias (*${n.source}) of a value used elsewhere too; changing it would change the other place (write the value out in full here)`);
    if (n && doc.shared.has(n)) throw new UnplaceableEdit(`${where}: ${at} is anchored (${describeShared(n)}) and repeated elsewhere by an alias; changing it would change the other place too (give this place its own copy)`);
  };
  guard(node, 0);
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as Step;
    if (located.merged) throw new UnplaceableEdit(`${where}: ${path.slice(0, i).join('.')} comes from a merge key (<<) shared with other places; write it out here to change it`);
    if (isSeq(node) && typeof key === 'number') {
      located = { node: (node.items[key] as Node | undefined) ?? null, parent: node, key, merged: false };
    } else if (isMap(node)) {
      const entry = doc.entry(node, String(key));
      if (!entry) throw new UnplaceableEdit(`${where}: ${path.slice(0, i + 1).join('.')} not found in the text`);
      located = entry.via === 'pair' ? { node: entry.value, parent: node, key, keyNode: entry.key, merged: false } : { node: null, parent: node, key, merged: true };
    } else throw new UnplaceableEdit(`${where}: ${path.slice(0, i + 1).join('.')} not found in the text`);
    node = located.node;
    if (!located.merged) guard(node, i + 1);
  }
  return located;
}

// ---- edits --------------------------------------------------------------------------------------

interface EditContext {
  src: string;
  doc: KubeDocument;
  where: string;
  order: number;
  /** The nodes (values and keys) of every item or pair the changes remove. */
  removed: ReadonlySet<Node | null>;
}

/** A new pair at the end of a map (block: its own line after the last pair; flow: before `}`). */
function appendPair(ctx: EditContext, map: YAMLMap, key: string, value: unknown): TextEdit {
  const { src, doc } = ctx;
  const style = styleFrom(map, doc);
  const lastPair = map.items[map.items.length - 1];
  if (map.flow) {
    const close = range(map)[1] - 1;
    if (src[close] !== '}') throw new UnplaceableEdit(`${ctx.where}: a flow mapping without its closing brace`);
    const text = `${renderKey(key, true)}: ${renderFlow(value, (k) => style(k === undefined ? key : k))}`;
    if (!lastPair) return { start: close, end: close, text, order: ctx.order };
    const lastNode = (lastPair.value ?? lastPair.key) as Node;
    const at = range(lastNode)[1];
    return { start: at, end: at, text: `, ${text}`, order: ctx.order };
  }
  const firstKey = map.items[0]?.key as Node | undefined;
  if (!lastPair || !firstKey) throw new UnplaceableEdit(`${ctx.where}: an empty block mapping`);
  const column = columnOf(src, range(firstKey)[0]);
  const at = afterLineOf(src, (lastPair.value ?? lastPair.key) as Node);
  const line = `${' '.repeat(column)}${renderKey(key, false)}:${renderBlockValue(value, column + 2, (k) => style(k === undefined ? key : k))}`;
  return at === src.length && !src.endsWith('\n') ? { start: at, end: at, text: `\n${line}`, order: ctx.order } : { start: at, end: at, text: `${line}\n`, order: ctx.order };
}

/** New items (in order) before original item `before` of a list. */
function insertItems(ctx: EditContext, seq: YAMLSeq, before: number, values: readonly unknown[]): TextEdit {
  const { src, doc } = ctx;
  const neighbour = (seq.items[Math.min(before, seq.items.length - 1)] ?? undefined) as Node | undefined;
  const style = styleFrom(neighbour, doc);
  if (seq.flow) {
    const rendered = values.map((value) => renderFlow(value, style)).join(', ');
    if (seq.items.length === 0) {
      const open = range(seq)[0];
      if (src[open] !== '[') throw new UnplaceableEdit(`${ctx.where}: a flow sequence without its bracket`);
      return { start: open + 1, end: open + 1, text: rendered, order: ctx.order };
    }
    if (before < seq.items.length) {
      const at = range(seq.items[before] as Node)[0];
      return { start: at, end: at, text: `${rendered}, `, order: ctx.order };
    }
    const at = range(seq.items[seq.items.length - 1] as Node)[1];
    return { start: at, end: at, text: `, ${rendered}`, order: ctx.order };
  }
  if (!neighbour) throw new UnplaceableEdit(`${ctx.where}: an empty block sequence`);
  // The `- ` marker of an item is on its first line, before the value (which may itself start with -).
  const itemStart = range(neighbour)[0];
  const marker = /^(\s*)- +$/.exec(src.slice(lineStart(src, itemStart), itemStart)) ?? /^(\s*)- /.exec(src.slice(lineStart(src, itemStart), itemStart));
  if (!marker) throw new UnplaceableEdit(`${ctx.where}: a list item that shares its line`);
  const column = (marker[1] ?? '').length;
  const line = values.map((value) => `${' '.repeat(column)}- ${renderItemBody(value, column + 2, style)}`).join('\n');
  if (before < seq.items.length) {
    const at = lineStart(src, itemStart);
    if (src.slice(at, itemStart).trim() !== '-') throw new UnplaceableEdit(`${ctx.where}: a list item that shares its line`);
    return { start: at, end: at, text: `${line}\n`, order: ctx.order };
  }
  const at = afterLineOf(src, neighbour);
  return at === src.length && !src.endsWith('\n') ? { start: at, end: at, text: `\n${line}`, order: ctx.order } : { start: at, end: at, text: `${line}\n`, order: ctx.order };
}

function removeEdit(ctx: EditContext, found: Located, removed: ReadonlySet<Node | null>): TextEdit {
  const { src } = ctx;
  const parent = found.parent;
  const node = found.node;
  if (!parent || found.merged) throw new UnplaceableEdit(`${ctx.where}: cannot remove a value that comes from a merge key`);
  const first = (isMap(parent) ? found.keyNode : node) ?? undefined;
  const last = node ?? found.keyNode;
  if (!first || !last) throw new UnplaceableEdit(`${ctx.where}: nothing to remove`);
  const start = range(first)[0];
  const end = range(last)[1];
  if (parent.flow) {
    // With an item kept after it, an item goes with the separator that follows it; else with the one
    // before it. Removals of neighbours then never overlap.
    const items = parent.items as unknown[];
    const index = isSeq(parent) ? (found.key as number) : parent.items.findIndex((p) => p.key === found.keyNode);
    const firstOf = (item: unknown): Node => (isSeq(parent) ? item : (item as { key: Node }).key) as Node;
    const lastOf = (item: unknown): Node => (isSeq(parent) ? item : ((item as { value: Node | null }).value ?? (item as { key: Node }).key)) as Node;
    const keptAfter = items.some((item, i) => i > index && !removed.has(lastOf(item)) && !removed.has(firstOf(item)));
    if (keptAfter) return { start, end: range(firstOf(items[index + 1]))[0], text: '', order: ctx.order };
    if (index > 0) return { start: range(lastOf(items[index - 1]))[1], end, text: '', order: ctx.order };
    return { start, end, text: '', order: ctx.order };
  }
  const from = lineStart(src, start);
  const before = src.slice(from, start).trim();
  if (before === '-' && isMap(parent)) {
    // The first key of a list item's mapping (`- name: x`): the next key, kept, moves up onto the `- ` line.
    const index = parent.items.findIndex((p) => p.key === found.keyNode);
    const next = parent.items[index + 1]?.key as Node | undefined;
    const gap = next ? src.slice(lineEndAfter(src, Math.max(end - 1, start)), range(next)[0]) : '';
    if (next && !removed.has(next) && gap.trim() === '' && src.slice(end, lineEndAfter(src, Math.max(end - 1, start))).trim() === '') {
      return { start, end: range(next)[0], text: '', order: ctx.order };
    }
  }
  if (before !== (isSeq(parent) ? '-' : '')) throw new UnplaceableEdit(`${ctx.where}: a value that shares its line with another`);
  return { start: from, end: lineEndAfter(src, Math.max(end - 1, start)), text: '', order: ctx.order };
}

function replaceEdit(ctx: EditContext, found: Located, value: unknown): TextEdit {
  const { src, doc } = ctx;
  const node = found.node;
  const parent = found.parent;
  if (found.merged) {
    // The merged value stays for the other places; an explicit key after it overrides it here only.
    if (!isMap(parent)) throw new UnplaceableEdit(`${ctx.where}: a merged value outside a mapping`);
    return appendPair(ctx, parent, String(found.key), value);
  }
  const flowParent = parent ? parent.flow === true : false;
  const style = styleFrom(node, doc);
  if (isScalar(node)) {
    const [start, valueEnd] = range(node);
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      if (typeof value !== 'string') throw new UnplaceableEdit(`${ctx.where}: a block scalar that becomes a ${typeof value}`);
      const firstContent = src.slice(lineEndAfter(src, start), valueEnd).split('\n').find((l) => l.trim() !== '') ?? '';
      const indent = /^ */.exec(firstContent)?.[0] ?? '  ';
      // The block's range runs to the start of the next line; keep that line break out of the edit.
      const end = src[valueEnd - 1] === '\n' ? (src[valueEnd - 2] === '\r' ? valueEnd - 2 : valueEnd - 1) : valueEnd;
      return { start, end, text: renderBlockScalar(value, indent, node.type === Scalar.BLOCK_FOLDED).replace(/\n$/, ''), order: ctx.order };
    }
    const empty = start === valueEnd;
    if (typeof value === 'object' && value !== null) {
      if (flowParent || !isMap(parent) || !found.keyNode) {
        return { start, end: valueEnd, text: `${empty && src[start - 1] === ':' ? ' ' : ''}${renderFlow(value, style)}`, order: ctx.order };
      }
      // `key:` (empty or null) becomes a block collection under the key; whatever followed the value stays.
      const column = columnOf(src, range(found.keyNode)[0]);
      const colon = src.lastIndexOf(':', start);
      const block = renderBlockValue(value, column + 2, style);
      const rest = src.slice(valueEnd, lineEndAfter(src, valueEnd)).trimEnd();
      if (rest !== '') throw new UnplaceableEdit(`${ctx.where}: an empty value followed by a comment`);
      return { start: colon + 1, end: valueEnd, text: block, order: ctx.order };
    }
    const rendered = renderScalar(value, node, flowParent);
    if (!empty) return { start, end: valueEnd, text: rendered, order: ctx.order };
    const before = /[:-]$/.test(src.slice(0, start)) ? ' ' : '';
    const after = src[start] === '#' ? ' ' : '';
    return { start, end: valueEnd, text: `${before}${rendered}${after}`, order: ctx.order };
  }
  if (node === null && isMap(parent) && found.keyNode) {
    const at = range(found.keyNode)[1];
    const colon = src.indexOf(':', at);
    return { start: colon + 1, end: colon + 1, text: typeof value === 'object' && value !== null ? ` ${renderFlow(value, style)}` : ` ${renderScalar(value, undefined, flowParent)}`, order: ctx.order };
  }
  if ((isMap(node) || isSeq(node)) && node.flow) {
    const [start, end] = range(node);
    return { start, end, text: renderFlow(value, style), order: ctx.order };
  }
  throw new UnplaceableEdit(`${ctx.where}: a block collection that becomes another kind of value`);
}

function editFor(ctx: EditContext, change: Placed): TextEdit {
  const { doc, where } = ctx;
  switch (change.op) {
    case 'replace':
      return replaceEdit(ctx, locate(doc, change.path, where), change.value);
    case 'remove':
      return removeEdit(ctx, locate(doc, change.path, where), ctx.removed);
    case 'add': {
      const found = locate(doc, change.path, where);
      if (!isMap(found.node)) throw new UnplaceableEdit(`${where}: ${change.path.join('.')} is not a mapping in the text`);
      if (found.node.items.some((pair) => isMergeKey(pair.key)) && doc.entry(found.node, change.key)) throw new UnplaceableEdit(`${where}: ${change.key} exists through a merge key`);
      return appendPair(ctx, found.node, change.key, change.value);
    }
    case 'insert': {
      const found = locate(doc, change.path, where);
      if (!isSeq(found.node)) throw new UnplaceableEdit(`${where}: ${change.path.join('.')} is not a list in the text`);
      return insertItems(ctx, found.node, change.before, change.values);
    }
  }
}

type Placed = Exclude<Change, { op: 'insert' }> | { op: 'insert'; path: Step[]; before: number; values: unknown[] };

/** Insertions at one place become one edit, so that separators between them come out right. */
function groupInsertions(changes: readonly Change[]): Placed[] {
  const out: Placed[] = [];
  for (const change of changes) {
    const prev = out[out.length - 1];
    if (change.op !== 'insert') out.push(change);
    else if (prev?.op === 'insert' && prev.before === change.before && isDeepStrictEqual(prev.path, change.path)) prev.values.push(change.value);
    else out.push({ op: 'insert', path: change.path, before: change.before, values: [change.value] });
  }
  return out;
}

/** The first alias on the way to `path` and the path up to it, unless a shared node comes first. */
function aliasOnPath(doc: KubeDocument, path: readonly Step[]): { alias: Alias; prefix: Step[] } | undefined {
  let node: unknown = doc.doc.contents;
  for (let i = 0; i <= path.length; i++) {
    if (isAlias(node)) return { alias: node, prefix: path.slice(0, i) };
    if (node === null || doc.shared.has(node as Node) || i === path.length) return undefined;
    const key = path[i] as Step;
    if (isSeq(node) && typeof key === 'number') node = node.items[key];
    else if (isMap(node)) {
      const entry = doc.entry(node, String(key));
      node = entry?.via === 'pair' ? entry.value : undefined;
    } else return undefined;
  }
  return undefined;
}

/** The path an alias on the way would be expanded for: a removed item itself may be an alias (it just goes). */
function reachPath(change: Change): Step[] {
  return change.op === 'remove' ? change.path.slice(0, -1) : change.path;
}

/** The list whose length a change alters, if any. */
function resizedList(change: Change): Step[] | undefined {
  if (change.op === 'insert') return change.path;
  return change.op === 'remove' && typeof change.path[change.path.length - 1] === 'number' ? change.path.slice(0, -1) : undefined;
}

function valueAt(value: unknown, path: readonly Step[]): unknown {
  let at = value;
  for (const step of path) at = (at as Record<string | number, unknown> | undefined)?.[step];
  return at;
}

function startsWith(path: readonly Step[], prefix: readonly Step[]): boolean {
  return prefix.length <= path.length && prefix.every((step, i) => path[i] === step);
}

/**
 * An alias on the way to a change is written out in place: `*env` becomes the (corrected) value it
 * stands for, in flow style, so this place changes and the anchored original, used elsewhere, does not.
 */
function expandAliases(ctx: Omit<EditContext, 'order' | 'removed'>, changes: readonly Change[], after: unknown, firstOrder: number): { edits: TextEdit[]; rest: Change[] } {
  const expansions = new Map<Alias, Step[]>();
  const rest: Change[] = [];
  for (const change of changes) {
    const hit = aliasOnPath(ctx.doc, reachPath(change));
    if (hit) expansions.set(hit.alias, hit.prefix);
    else rest.push(change);
  }
  const edits = [...expansions].map(([alias, prefix], i): TextEdit => {
    // Indices on the way must mean the same before and after: no list above it gains or loses items.
    const shifted = changes.some((c) => {
      const list = resizedList(c);
      return list !== undefined && prefix.length > list.length && startsWith(prefix, list);
    });
    if (shifted) throw new UnplaceableEdit(`${ctx.where}: ${prefix.join('.')} is an alias (*${alias.source}) inside a list that changes length`);
    const [start, end] = range(alias);
    return { start, end, text: renderFlow(valueAt(after, prefix), styleFrom(ctx.doc.aliasTarget.get(alias), ctx.doc)), order: firstOrder + i };
  });
  return { edits, rest };
}

/**
 * Text edits for a document's changes (offsets in `src`, the document's own text); `after` is the value
 * the document must have afterwards. Every line written uses `eol`. Throws UnplaceableEdit with the
 * reason when a change cannot be placed without changing another place.
 */
export function documentEdits(src: string, doc: KubeDocument, changes: readonly Change[], after: unknown, eol: string, where: string): TextEdit[] {
  const expanded = expandAliases({ src, doc, where }, changes, after, changes.length);
  const removed = new Set<Node | null>();
  for (const change of expanded.rest) {
    if (change.op !== 'remove') continue;
    const found = locate(doc, change.path, where);
    removed.add(found.node);
    if (found.keyNode) removed.add(found.keyNode);
  }
  const edits = [...groupInsertions(expanded.rest).map((change, order) => editFor({ src, doc, where, order, removed }, change)), ...expanded.edits];
  return eol === '\n' ? edits : edits.map((edit) => ({ ...edit, text: edit.text.replace(/\r?\n/g, eol) }));
}

/** Applies edits made against one source text, last offset first so earlier offsets stay true. */
export function applyTextEdits(src: string, edits: readonly TextEdit[]): string {
  let out = src;
  for (const edit of [...edits].sort((a, b) => b.start - a.start || b.order - a.order)) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
}
