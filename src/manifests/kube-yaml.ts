// YAML read the way Kubernetes reads it, so that what fix analyses and edits is what kubectl would send.
// kubectl splits a file at `---` lines (k8s.io/apimachinery util/yaml YAMLReader) and converts each
// piece with sigs.k8s.io/yaml, i.e. go-yaml v2's YAML 1.1 rules: `0400` is octal, `yes`/`on`/`y` are
// booleans, `1_000` and `0o17` are integers, `1:20` and timestamps stay strings, merge keys (`<<`) are
// applied in order (a later merge overwrites an earlier key), the last duplicate key wins, and aliasing
// is bounded by go-yaml's ratio rule. These were established against the Go decoder itself
// (test/yaml-reference), not from memory. The yaml library parses; the meaning is computed here.
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, parseDocument, Scalar, visit, type Alias, type Document, type Node, type YAMLMap } from 'yaml';

/** A document kubectl cannot read (excessive aliasing, a bad merge, an unsupported key). */
export class UnreadableDocument extends Error {}

export interface Chunk {
  /** Offsets of the document's text in the file, separator lines excluded. */
  start: number;
  end: number;
}

/**
 * kubectl's document split: a line that starts with `---` followed only by spaces or a comment.
 * Anything else after `---` (`--- |`, `----`) makes kubectl refuse the file, and so does this.
 */
export function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let at = 0;
  let lineNumber = 1;
  while (at <= text.length) {
    const nl = text.indexOf('\n', at);
    const lineEnd = nl < 0 ? text.length : nl + 1;
    const line = text.slice(at, lineEnd);
    if (line.startsWith('---')) {
      const rest = line.slice(3).trim();
      if (rest !== '' && !rest.startsWith('#')) throw new UnreadableDocument(`line ${lineNumber}: ${JSON.stringify(line.trimEnd())} is not a document separator Kubernetes accepts (only spaces or a comment may follow ---)`);
      chunks.push({ start, end: at });
      start = lineEnd;
    }
    lineNumber++;
    if (nl < 0) break;
    at = lineEnd;
  }
  chunks.push({ start, end: text.length });
  return chunks;
}

export type KubeScalar =
  | { kind: 'null'; value: null }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int' | 'uint' | 'float'; value: number }
  | { kind: 'str'; value: string };

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULL = new Set(['', '~', 'null', 'Null', 'NULL']);
const INFINITY = /^([-+]?)\.(inf|Inf|INF)$/;
const NAN = /^\.(nan|NaN|NAN)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// Go's strconv.ParseInt(s, 0, 64) syntax: 0b/0o/0x prefixes, a leading 0 for octal.
const GO_INT = /^([-+]?)(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function goInteger(digits: string): bigint {
  const body = digits.replace(/^0(?=[0-7])/, '0o');
  return BigInt(body === '0' ? '0' : body);
}

/** go-yaml v2's resolve() for a plain scalar, as decoded into interface{} (timestamps stay strings). */
export function resolvePlain(source: string): KubeScalar {
  const first = source[0] ?? '';
  if (NULL.has(source)) return { kind: 'null', value: null };
  if (TRUE.has(source)) return { kind: 'bool', value: true };
  if (FALSE.has(source)) return { kind: 'bool', value: false };
  const infinity = INFINITY.exec(source);
  if (infinity) return { kind: 'float', value: infinity[1] === '-' ? -Infinity : Infinity };
  if (NAN.test(source)) return { kind: 'float', value: NaN };
  if (first === '.') {
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(source) ? { kind: 'float', value: Number(source) } : { kind: 'str', value: source };
  }
  if (!/[-+0-9]/.test(first)) return { kind: 'str', value: source };
  const plain = source.replace(/_/g, '');
  const int = GO_INT.exec(plain);
  if (int) {
    const magnitude = goInteger(int[2] as string);
    const signed = int[1] === '-' ? -magnitude : magnitude;
    if (signed >= -INT64_MAX - 1n && signed <= INT64_MAX) return { kind: 'int', value: Number(signed) };
    if (int[1] === '' && signed <= UINT64_MAX) return { kind: 'uint', value: Number(signed) };
  }
  if (YAML_FLOAT.test(plain)) {
    const value = Number(plain);
    if (Number.isFinite(value)) return { kind: 'float', value };
  }
  return { kind: 'str', value: source };
}

function scalarOf(node: Scalar): KubeScalar {
  if (node.type === Scalar.PLAIN && (node.tag === undefined || node.tag === '?')) return resolvePlain(node.source ?? String(node.value));
  if (node.tag === 'tag:yaml.org,2002:str' || node.type !== Scalar.PLAIN) return { kind: 'str', value: String(node.value) };
  return resolvePlain(node.source ?? String(node.value));
}

/** sigs.k8s.io/yaml's conversion of a map key to a JSON object key. */
function keyString(key: KubeScalar): string {
  switch (key.kind) {
    case 'str':
      return key.value;
    case 'bool':
    case 'int':
    case 'float':
      return String(key.value);
    default:
      throw new UnreadableDocument(`a map key of type ${key.kind} (${String(key.value)}), which Kubernetes cannot convert to JSON`);
  }
}

export function isMergeKey(node: unknown): boolean {
  return isScalar(node) && node.type === Scalar.PLAIN && node.source === '<<' && node.tag === undefined;
}

// go-yaml v2's aliasing bound (decode.go allowedAliasRatio): beyond 100 aliased nodes and 1000 decoded
// ones, at most 99% of what is decoded may come through aliases, falling to 10% at 4,000,000 nodes.
function allowedAliasRatio(decodes: number): number {
  if (decodes <= 400_000) return 0.99;
  if (decodes >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodes - 400_000) / 3_600_000);
}

function definePlain(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Where a key's effective value comes from: its own pair, or a merge key's value. */
export type Entry = { via: 'pair'; value: Node | null; key: Node } | { via: 'merge' };

/**
 * One parsed document with what editing needs beyond its values: which alias resolves to which node,
 * and which nodes are reached through an alias (so changing them would change another place too).
 */
export class KubeDocument {
  readonly aliasTarget = new Map<Alias, Node>();
  readonly shared = new Set<Node>();
  private decodes = 0;
  private aliased = 0;
  private aliasDepth = 0;
  private readonly expanding = new Set<Alias>();

  constructor(readonly doc: Document) {
    const anchors = new Map<string, Node>();
    visit(doc, (_key, node) => {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) {
          this.aliasTarget.set(node, target);
          this.shared.add(target);
        }
      } else if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) anchors.set(node.anchor, node);
    });
  }

  /** The document's value as sigs.k8s.io/yaml produces it. */
  value(): unknown {
    this.decodes = 0;
    this.aliased = 0;
    this.count();
    return this.convert(this.doc.contents as Node | null);
  }

  private count(): void {
    this.decodes++;
    if (this.aliasDepth > 0) this.aliased++;
    if (this.aliased > 100 && this.decodes > 1000 && this.aliased / this.decodes > allowedAliasRatio(this.decodes)) {
      throw new UnreadableDocument(`excessive aliasing (${this.aliased} of the first ${this.decodes} values come through aliases), which Kubernetes refuses too`);
    }
  }

  resolveAlias(alias: Alias): Node {
    const target = this.aliasTarget.get(alias);
    if (!target) throw new UnreadableDocument(`alias *${alias.source} names no anchor before it`);
    return target;
  }

  private throughAlias<T>(alias: Alias, read: (target: Node) => T): T {
    if (this.expanding.has(alias)) throw new UnreadableDocument(`anchor &${alias.source} contains itself`);
    const target = this.resolveAlias(alias);
    this.expanding.add(alias);
    this.aliasDepth++;
    try {
      return read(target);
    } finally {
      this.aliasDepth--;
      this.expanding.delete(alias);
    }
  }

  private convert(node: Node | null): unknown {
    this.count();
    if (node === null) return null;
    if (isAlias(node)) return this.throughAlias(node, (target) => this.convert(target));
    if (isScalar(node)) {
      const scalar = scalarOf(node);
      if (scalar.kind === 'float' && !Number.isFinite(scalar.value)) throw new UnreadableDocument(`${node.source ?? ''} (infinity or NaN) has no JSON form, so Kubernetes cannot read it`);
      return scalar.value;
    }
    if (isSeq(node)) return node.items.map((item) => this.convert(item as Node | null));
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      this.mapInto(node, out);
      return out;
    }
    throw new UnreadableDocument('an unknown kind of node');
  }

  private keyOf(key: Node | null): string {
    if (key === null) return keyString({ kind: 'null', value: null });
    if (isAlias(key)) return this.throughAlias(key, (target) => this.keyOf(target));
    if (!isScalar(key)) throw new UnreadableDocument('a collection used as a map key');
    return keyString(scalarOf(key));
  }

  private mapInto(map: YAMLMap, out: Record<string, unknown>): void {
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) {
        this.merge(pair.value as Node | null, out);
        continue;
      }
      this.count();
      const key = this.keyOf(pair.key as Node | null);
      definePlain(out, key, this.convert(pair.value as Node | null));
    }
  }

  /** go-yaml v2's merge: a map, an alias of a map, or a list of them applied last to first. */
  private merge(node: Node | null, out: Record<string, unknown>): void {
    const one = (item: Node | null): void => {
      this.count();
      if (isAlias(item)) {
        this.throughAlias(item, (target) => {
          if (!isMap(target)) throw new UnreadableDocument('a merge key (<<) whose alias is not a map');
          this.count();
          this.mapInto(target, out);
        });
      } else if (isMap(item)) this.mapInto(item, out);
      else throw new UnreadableDocument('a merge key (<<) whose value is not a map or a list of maps');
    };
    if (isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) one(node.items[i] as Node | null);
    else one(node);
  }

  /** Whether a merge value (after aliases) provides `key`. */
  private mergeProvides(node: unknown, key: string, depth = 0): boolean {
    if (depth > 64) return false;
    if (isAlias(node)) return this.mergeProvides(this.aliasTarget.get(node), key, depth + 1);
    if (isSeq(node)) return node.items.some((item) => this.mergeProvides(item, key, depth + 1));
    return isMap(node) && this.entry(node, key, depth + 1) !== undefined;
  }

  /** The pair (or merge) a map's key takes its value from: the last that sets it, as go-yaml applies them. */
  entry(map: YAMLMap, key: string, depth = 0): Entry | undefined {
    let found: Entry | undefined;
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) {
        if (this.mergeProvides(pair.value, key, depth)) found = { via: 'merge' };
      } else {
        let name: string | undefined;
        try {
          name = this.keyOf(pair.key as Node | null);
        } catch {
          name = undefined;
        }
        if (name === key) found = { via: 'pair', value: pair.value as Node | null, key: pair.key as Node };
      }
    }
    return found;
  }
}

export interface SyntaxProblem {
  /** 1-based, within the chunk. */
  line: number;
  col: number;
  message: string;
}

/** Parses one of kubectl's chunks. Like go-yaml, only its first YAML document counts. */
export function parseChunk(text: string): KubeDocument | SyntaxProblem {
  const options = { uniqueKeys: false, version: '1.1' } as const;
  const docs = parseAllDocuments(text, options);
  const first = Array.isArray(docs) && docs[0] ? docs[0] : parseDocument('', options);
  const error = first.errors[0];
  if (error) return { line: error.linePos?.[0]?.line ?? 1, col: error.linePos?.[0]?.col ?? 1, message: error.message.split('\n')[0] ?? '' };
  return new KubeDocument(first);
}
