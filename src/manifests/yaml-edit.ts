// Applies a JSON patch to one YAML document of a file as text edits, so that comments, quoting and
// layout outside the changed fields stay byte for byte. Anything it cannot place safely falls back to
// re-serializing that one document (the yaml library keeps comments there too).
import { isMap, isScalar, isSeq, Scalar, type Document, type Node, type YAMLSeq } from 'yaml';
import type { PatchOperation } from '../patch/json-patch.js';

export interface TextEdit {
  start: number;
  end: number;
  text: string;
  /** Position of the op in the patch: edits at one offset keep the patch's order. */
  order: number;
}

export class UnplaceableEdit extends Error {}

function pointerSegments(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The node at a path, where a mapping key that occurs twice resolves to its last pair: that is the
 * value the object has (the file is read with uniqueKeys off, last wins), so it is the one to edit.
 * The yaml library's getIn/setIn would take the first.
 */
function nodeIn(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (isSeq(node) && typeof key === 'number') node = node.items[key];
    else if (isMap(node)) node = node.items.findLast((pair) => (isScalar(pair.key) ? pair.key.value : pair.key) === key)?.value;
    else return undefined;
  }
  return node;
}

function pathOf(doc: Document, segments: string[]): (string | number)[] {
  const out: (string | number)[] = [];
  let node: unknown = doc.contents;
  for (const segment of segments) {
    const key = isSeq(node) && /^\d+$/.test(segment) ? Number(segment) : segment;
    out.push(key);
    node = nodeIn(node, [key]);
  }
  return out;
}

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

// Block-context plain scalars: no spaces, no leading indicator (a leading - is fine when not `- `).
const PLAIN_SAFE = /^(?:--?[A-Za-z]|[A-Za-z_/.])[A-Za-z0-9_./=:@[\],-]*$/;
const AMBIGUOUS_PLAIN = /^(true|false|yes|no|on|off|y|n|null|~|[-+]?[0-9.].*)$/i;

/** A scalar in the style of the one it replaces; strings that would read as another type are quoted. */
function renderScalar(value: unknown, like?: Scalar): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  if (like?.type === Scalar.QUOTE_SINGLE && !value.includes('\n')) return `'${value.replace(/'/g, "''")}'`;
  if (like?.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (PLAIN_SAFE.test(value) && !AMBIGUOUS_PLAIN.test(value) && !value.includes(': ') && !value.includes(' #')) return value;
  return JSON.stringify(value);
}

function renderBlockScalar(value: string, indent: string, folded: boolean): string {
  const trailing = /\n*$/.exec(value)?.[0].length ?? 0;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = trailing === 0 ? value : value.slice(0, value.length - trailing);
  const lines = body.split('\n').map((line) => (line === '' ? '' : `${indent}${line}`));
  return `${folded ? '>' : '|'}${chomp}\n${lines.join('\n')}${trailing === 0 ? '' : '\n'.repeat(trailing - 1)}`;
}

/** Renders a value for a block context at `indent` (the column of the key or `- ` marker). */
function renderBlockValue(value: unknown, indent: number, like?: Scalar): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return `\n${value.map((item) => `${pad}- ${renderItemBody(item, indent + 2, like)}`).join('\n')}`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return ' {}';
    return `\n${entries.map(([k, v]) => `${pad}${renderScalar(k)}:${renderBlockValue(v, indent + 2, like)}`).join('\n')}`;
  }
  return ` ${renderScalar(value, like)}`;
}

/** The text after `- `: a mapping's first key stays on the marker's line. */
function renderItemBody(item: unknown, indent: number, like?: Scalar, styleOf?: (key: string) => Scalar | undefined): string {
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    const entries = Object.entries(item);
    if (entries.length === 0) return '{}';
    const pad = ' '.repeat(indent);
    return entries.map(([k, v], i) => `${i === 0 ? '' : pad}${renderScalar(k)}:${renderBlockValue(v, indent + 2, styleOf?.(k))}`).join('\n');
  }
  if (Array.isArray(item)) throw new UnplaceableEdit('nested list');
  return renderScalar(item, like);
}

/** The scalar a new value should look like: the neighbour's value under the same key, so new items follow the file's quoting. */
function siblingStyle(node: Node, key?: string): Scalar | undefined {
  const value = key === undefined ? node : isMap(node) ? node.get(key, true) : undefined;
  return isScalar(value) ? value : undefined;
}

function range(node: Node): [number, number, number] {
  const r = node.range;
  if (!r) throw new UnplaceableEdit('node without position');
  return r;
}

/**
 * The items of each list as the patch has left them so far: the original node, or null for an item the
 * patch inserted. Removals name indices of the list as it came (json-patch.ts orders them so), and each
 * insertion names its final index, so an insertion is placed before the next original item still there.
 */
type ListStates = Map<YAMLSeq, (Node | null)[]>;

function listState(states: ListStates, seq: YAMLSeq): (Node | null)[] {
  let state = states.get(seq);
  if (!state) states.set(seq, (state = [...(seq.items as Node[])]));
  return state;
}

/** The `- ` marker column of a block list item, and where its first line starts. */
function itemMarker(src: string, item: Node): { column: number; lineStart: number } {
  const itemStart = range(item)[0];
  const from = lineStart(src, itemStart);
  // The item's `- ` marker is on its first line, before the value (which may itself start with -).
  const marker = /^(\s*)- /.exec(src.slice(from, itemStart));
  if (!marker) throw new UnplaceableEdit('list item marker not found');
  return { column: (marker[1] ?? '').length, lineStart: from };
}

function editFor(src: string, doc: Document, op: PatchOperation, order: number, states: ListStates): TextEdit {
  const segments = pointerSegments(op.path);
  const path = pathOf(doc, segments);
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  const parent = nodeIn(doc.contents, parentPath);
  // A path through a list whose items the patch already moved would name the wrong node.
  let node: unknown = doc.contents;
  for (const key of parentPath) {
    if (isSeq(node) && typeof key === 'number' && states.has(node) && states.get(node)?.[key] !== node.items[key]) throw new UnplaceableEdit('path through a shifted list');
    node = nodeIn(node, [key]);
  }
  if (op.op === 'replace') {
    if (isSeq(parent) && typeof last === 'number' && states.has(parent) && states.get(parent)?.[last] !== parent.items[last]) throw new UnplaceableEdit('replace in a shifted list');
    const node = nodeIn(doc.contents, path);
    if (!isScalar(node)) throw new UnplaceableEdit('replace of a collection');
    const [start, valueEnd] = range(node);
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      if (typeof op.value !== 'string') throw new UnplaceableEdit('block scalar becomes a non-string');
      const firstContent = src.slice(lineEndAfter(src, start), valueEnd).split('\n').find((l) => l.trim() !== '') ?? '';
      const indent = /^ */.exec(firstContent)?.[0] ?? '  ';
      // The block's range runs to the start of the next line; keep that newline out of the edit.
      const end = src[valueEnd - 1] === '\n' ? valueEnd - 1 : valueEnd;
      return { start, end, text: renderBlockScalar(op.value, indent, node.type === Scalar.BLOCK_FOLDED).replace(/\n$/, ''), order };
    }
    return { start, end: valueEnd, text: renderScalar(op.value, node), order };
  }
  if (op.op === 'add') {
    if (isSeq(parent)) {
      if (parent.flow) throw new UnplaceableEdit('flow sequence');
      const state = listState(states, parent);
      const index = last === '-' ? state.length : Number(last);
      if (!Number.isInteger(index) || index > state.length) throw new UnplaceableEdit('add past the end of a list');
      const lastItem = parent.items[parent.items.length - 1] as Node | undefined;
      if (!lastItem) throw new UnplaceableEdit('empty list');
      const before = state.slice(index).find((item): item is Node => item !== null);
      state.splice(index, 0, null);
      const style = before ?? lastItem;
      const { column } = itemMarker(src, style);
      const text = `${' '.repeat(column)}- ${renderItemBody(op.value, column + 2, siblingStyle(style), (key) => siblingStyle(style, key))}\n`;
      // Items inserted at one place must come out in list order, whatever order the patch lists them in.
      if (before) return { start: itemMarker(src, before).lineStart, end: itemMarker(src, before).lineStart, text, order: index };
      const at = lineEndAfter(src, range(lastItem)[1] - 1);
      const prefix = at === src.length && !src.endsWith('\n') ? '\n' : '';
      return { start: at, end: at, text: `${prefix}${text}`, order: index };
    }
    if (isMap(parent)) {
      if (parent.flow) throw new UnplaceableEdit('flow mapping');
      const pairs = parent.items;
      const lastPair = pairs[pairs.length - 1];
      const firstKey = pairs[0]?.key as Node | undefined;
      if (!lastPair || !firstKey) throw new UnplaceableEdit('empty mapping');
      const column = columnOf(src, range(firstKey)[0]);
      const lastNode = (lastPair.value ?? lastPair.key) as Node;
      const at = lineEndAfter(src, range(lastNode)[1] - 1);
      const prefix = at === src.length && !src.endsWith('\n') ? '\n' : '';
      return { start: at, end: at, text: `${prefix}${' '.repeat(column)}${renderScalar(String(last))}:${renderBlockValue(op.value, column + 2)}\n`, order };
    }
    throw new UnplaceableEdit('add under a scalar');
  }
  if (op.op === 'remove' && isSeq(parent) && !parent.flow) {
    const state = listState(states, parent);
    const node = typeof last === 'number' ? state[last] : undefined;
    if (!node) throw new UnplaceableEdit('remove of a missing or inserted item');
    state.splice(last as number, 1);
    const [start, valueEnd] = range(node);
    const from = lineStart(src, start);
    if (src.slice(from, start).trim() !== '-') throw new UnplaceableEdit('item shares its line');
    return { start: from, end: lineEndAfter(src, valueEnd - 1), text: '', order };
  }
  throw new UnplaceableEdit(`${op.op} is not placed as text`);
}

/** Text edits for one document's patch (offsets in the whole source), or undefined when not placeable. */
export function documentEdits(src: string, doc: Document, patch: readonly PatchOperation[]): TextEdit[] | undefined {
  try {
    const states: ListStates = new Map();
    return patch.map((op, order) => editFor(src, doc, op, order, states));
  } catch (error) {
    if (error instanceof UnplaceableEdit) return undefined;
    throw error;
  }
}

/** Applies edits made against one source text, last offset first so earlier offsets stay true. */
export function applyTextEdits(src: string, edits: readonly TextEdit[]): string {
  let out = src;
  for (const edit of [...edits].sort((a, b) => b.start - a.start || b.order - a.order)) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
}

/** The fallback: the patch applied through the yaml library's own model, keeping the document's comments. */
export function patchedDocumentText(doc: Document, patch: readonly PatchOperation[]): string {
  const copy = doc.clone();
  for (const op of patch) {
    const path = pathOf(copy, pointerSegments(op.path));
    const last = path[path.length - 1];
    const parent = nodeIn(copy.contents, path.slice(0, -1));
    if (op.op === 'remove') {
      if (isSeq(parent) && typeof last === 'number') parent.items.splice(last, 1);
      else if (isMap(parent)) parent.items.splice(parent.items.findLastIndex((pair) => (isScalar(pair.key) ? pair.key.value : pair.key) === last), 1);
    } else if (op.op === 'add' && isSeq(parent) && (typeof last === 'number' || last === '-')) {
      parent.items.splice(last === '-' ? parent.items.length : last, 0, copy.createNode(op.value));
    } else if (op.op === 'add' || op.op === 'replace') {
      const existing = nodeIn(copy.contents, path);
      const pair = isMap(parent) ? parent.items.findLast((p) => (isScalar(p.key) ? p.key.value : p.key) === last) : undefined;
      if (isScalar(existing) && typeof op.value !== 'object') existing.value = op.value;
      else if (pair) pair.value = copy.createNode(op.value);
      else if (isSeq(parent) && typeof last === 'number') parent.items[last] = copy.createNode(op.value);
      else copy.setIn(path, copy.createNode(op.value));
    }
  }
  return copy.toString();
}
