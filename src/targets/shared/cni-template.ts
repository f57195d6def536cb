// The CNI network config template stored in calico-config: JSON with placeholders, some unquoted
// (`"mtu": __CNI_MTU__`), so it is parsed tolerantly and edited in place, every other byte kept.
import { getNodeValue, parseTree, printParseErrorCode, type JSONPath, type Node, type ParseError } from 'jsonc-parser';
import type { AnalysisMemo } from '../target.js';

const PLACEHOLDER = /__[A-Z0-9_]+__/y;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Replaces each unquoted placeholder with a number of the same length, so the text parses as JSON
 * and every offset in it still points at the same byte of the original. Only the places where `__`
 * occurs are tried; the text before each is scanned once for whether it sits inside a string.
 */
export function neutralizePlaceholders(text: string): string {
  let out = '';
  let copied = 0;
  let scanned = 0;
  let inString = false;
  for (let at = text.indexOf('__'); at >= 0; at = text.indexOf('__', Math.max(at + 1, scanned))) {
    for (; scanned < at; scanned++) {
      const c = text.charCodeAt(scanned);
      if (inString) {
        if (c === BACKSLASH) scanned++;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
    }
    // Past `at` only by skipping an escaped character: `at` is inside a string.
    if (inString || scanned > at) continue;
    PLACEHOLDER.lastIndex = at;
    const match = PLACEHOLDER.exec(text);
    if (!match) continue;
    out += `${text.slice(copied, at)}1${'0'.repeat(match[0].length - 1)}`;
    copied = scanned = at + match[0].length;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

export interface TemplatePosition {
  offset: number;
  line: number;
  column: number;
}

export type TemplateParse =
  | { ok: true; template: CniTemplate }
  | { ok: false; reason: string; position: TemplatePosition };

export function positionAt(text: string, offset: number): TemplatePosition {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { offset, line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Like jsonc-parser's findNodeAtLocation, except that a duplicated key resolves to its last occurrence:
 * the CNI plugin reads the template with Go's encoding/json, where the last duplicate wins. Editing the
 * first one would leave the effective value wrong and report the same change on every pass.
 */
function nodeAt(root: Node, path: JSONPath): Node | undefined {
  let node: Node | undefined = root;
  for (const segment of path) {
    if (!node?.children) return undefined;
    if (typeof segment === 'number') {
      node = node.type === 'array' ? node.children[segment] : undefined;
      continue;
    }
    if (node.type !== 'object') return undefined;
    let found: Node | undefined;
    for (const property of node.children) {
      const [key, value] = property.children ?? [];
      if (key?.value === segment && value) found = value;
    }
    node = found;
  }
  return node;
}

export interface IpamSection {
  /** JSON path of the ipam object inside the template. */
  path: JSONPath;
  /** Where it is, for messages: `plugins[0].ipam`. */
  label: string;
  value: Record<string, unknown>;
}

type RootParse = { ok: true; root: Node } | { ok: false; reason: string; position: TemplatePosition };

function parseRoot(text: string): RootParse {
  const errors: ParseError[] = [];
  const root = parseTree(neutralizePlaceholders(text), errors, { allowTrailingComma: false, disallowComments: true });
  const first = errors[0];
  if (first || !root) {
    const offset = first?.offset ?? 0;
    return { ok: false, reason: first ? printParseErrorCode(first.error) : 'empty template', position: positionAt(text, offset) };
  }
  if (root.type !== 'object') return { ok: false, reason: 'the template is not a JSON object', position: positionAt(text, root.offset) };
  return { ok: true, root };
}

const memoKey = (text: string) => `cni-template:${text}`;

export class CniTemplate {
  #root: Node | undefined;

  /** `root` undefined: an edit's result, parsed when first read (a mutation that only writes the text never is). */
  private constructor(
    readonly text: string,
    root: Node | undefined,
    private readonly memo: AnalysisMemo | undefined,
  ) {
    this.#root = root;
  }

  private get root(): Node {
    if (this.#root) return this.#root;
    const parsed = parseRoot(this.text);
    // withProperties writes JSON.stringify'd values where values were: only a bug could get here.
    if (!parsed.ok) throw new Error(`editing the CNI template broke it at line ${parsed.position.line}: ${parsed.reason}`);
    return (this.#root = parsed.root);
  }

  /**
   * Parses are remembered for the analysis (memo): mutate and validate, and two targets reading one
   * ConfigMap, parse a text once, and the validation of an edited template reads the edit itself.
   * Results are immutable, so sharing them within the analysis is safe.
   */
  static parse(text: string, memo?: AnalysisMemo): TemplateParse {
    return memo ? memo.remember(memoKey(text), () => CniTemplate.parseUncached(text, memo)) : CniTemplate.parseUncached(text, undefined);
  }

  private static parseUncached(text: string, memo: AnalysisMemo | undefined): TemplateParse {
    const parsed = parseRoot(text);
    return parsed.ok ? { ok: true, template: new CniTemplate(text, parsed.root, memo) } : parsed;
  }

  /** An edit's result, known to be well-formed by construction: remembered unparsed for the validation that may follow. */
  private edited(text: string): CniTemplate {
    const template = new CniTemplate(text, undefined, this.memo);
    const remembered = this.memo?.remember<TemplateParse>(memoKey(text), () => ({ ok: true, template }));
    return remembered?.ok ? remembered.template : template;
  }

  /** ipam objects in every shape Calico has shipped: single plugin, conflist plugins, flannel delegate. */
  ipamSections(): IpamSection[] {
    const candidates: JSONPath[] = [['ipam'], ['delegate', 'ipam']];
    const plugins = nodeAt(this.root, ['plugins']);
    if (plugins?.type === 'array') {
      plugins.children?.forEach((_, index) => candidates.push(['plugins', index, 'ipam'], ['plugins', index, 'delegate', 'ipam']));
    }
    const out: IpamSection[] = [];
    for (const path of candidates) {
      const node = nodeAt(this.root, path);
      if (node?.type !== 'object') continue;
      out.push({ path, label: path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, ''), value: getNodeValue(node) as Record<string, unknown> });
    }
    return out;
  }

  /**
   * Sets properties of one object in a single edit of the text: an existing member has just its value's
   * bytes replaced; new members are inserted after the last one, each on its own line with its
   * siblings' indentation, so the edit reads as if written by hand.
   */
  withProperties(objectPath: JSONPath, properties: readonly (readonly [string, unknown])[]): CniTemplate {
    const object = nodeAt(this.root, objectPath);
    if (object?.type !== 'object') throw new Error(`no object at ${JSON.stringify(objectPath)} in the CNI template`);
    const edits: { start: number; end: number; text: string }[] = [];
    const added: string[] = [];
    for (const [key, value] of properties) {
      const existing = nodeAt(object, [key]);
      if (existing) edits.push({ start: existing.offset, end: existing.offset + existing.length, text: JSON.stringify(value) });
      else added.push(`${JSON.stringify(key)}: ${JSON.stringify(value)}`);
    }
    if (added.length > 0) {
      const last = object.children?.[object.children.length - 1];
      if (last) {
        const end = last.offset + last.length;
        const lineStart = this.text.lastIndexOf('\n', last.offset - 1) + 1;
        const indent = /^[ \t]*/.exec(this.text.slice(lineStart))?.[0] ?? '';
        const eol = this.text.includes('\r\n') ? '\r\n' : '\n';
        edits.push({ start: end, end, text: added.map((member) => `,${eol}${indent}${member}`).join('') });
      } else {
        edits.push({ start: object.offset + 1, end: object.offset + 1, text: added.join(', ') });
      }
    }
    let text = this.text;
    for (const edit of edits.sort((x, y) => y.start - x.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    return this.edited(text);
  }

  withProperty(objectPath: JSONPath, key: string, value: unknown): CniTemplate {
    return this.withProperties(objectPath, [[key, value]]);
  }

  /** The JSON value at a path (the last duplicate of a key, as Go reads it); undefined when there is none. */
  valueAt(path: JSONPath): unknown {
    const node = nodeAt(this.root, path);
    return node ? getNodeValue(node) : undefined;
  }

  /**
   * Replaces one member, key and value, by another written as JSON text (`"ranges": [[...]]`), in the same
   * place: the bytes of every other member, and the layout around this one, stay as they were.
   */
  withMemberReplaced(objectPath: JSONPath, key: string, newKey: string, valueJson: string): CniTemplate {
    const value = nodeAt(this.root, [...objectPath, key]);
    const member = value?.parent;
    if (member?.type !== 'property') throw new Error(`no member ${key} at ${JSON.stringify(objectPath)} in the CNI template`);
    const text = `${this.text.slice(0, member.offset)}${JSON.stringify(newKey)}: ${valueJson}${this.text.slice(member.offset + member.length)}`;
    // The value is JSON text from the caller, so the result is parsed (and checked) now.
    const parsed = CniTemplate.parse(text, this.memo);
    if (!parsed.ok) throw new Error(`editing the CNI template broke it at line ${parsed.position.line}: ${parsed.reason}`);
    return parsed.template;
  }
}
