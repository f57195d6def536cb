// The CNI network config template stored in calico-config: JSON with placeholders, some unquoted
// (`"mtu": __CNI_MTU__`), so it is parsed tolerantly and edited in place, every other byte kept.
import { getNodeValue, parseTree, printParseErrorCode, type JSONPath, type Node, type ParseError } from 'jsonc-parser';
import type { AnalysisMemo } from './target.js';

const PLACEHOLDER = /__[A-Z0-9_]+__/y;

/**
 * Replaces each unquoted placeholder with a number of the same length, so the text parses as JSON
 * and every offset in it still points at the same byte of the original.
 */
export function neutralizePlaceholders(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    PLACEHOLDER.lastIndex = i;
    const match = PLACEHOLDER.exec(text);
    if (match) {
      out += `1${'0'.repeat(match[0].length - 1)}`;
      i += match[0].length - 1;
      continue;
    }
    out += ch;
  }
  return out;
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

export class CniTemplate {
  private constructor(
    readonly text: string,
    private readonly root: Node,
    private readonly memo: AnalysisMemo | undefined,
  ) {}

  /**
   * Parses are remembered for the analysis (memo): one review parses the stored template, then
   * validates the edited one that the edit itself already parsed. Results are immutable, so sharing
   * them within the analysis is safe.
   */
  static parse(text: string, memo?: AnalysisMemo): TemplateParse {
    return memo ? memo.remember(`cni-template:${text}`, () => CniTemplate.parseUncached(text, memo)) : CniTemplate.parseUncached(text, undefined);
  }

  private static parseUncached(text: string, memo: AnalysisMemo | undefined): TemplateParse {
    const errors: ParseError[] = [];
    const root = parseTree(neutralizePlaceholders(text), errors, { allowTrailingComma: false, disallowComments: true });
    const first = errors[0];
    if (first || !root) {
      const offset = first?.offset ?? 0;
      return { ok: false, reason: first ? printParseErrorCode(first.error) : 'empty template', position: positionAt(text, offset) };
    }
    if (root.type !== 'object') return { ok: false, reason: 'the template is not a JSON object', position: positionAt(text, root.offset) };
    return { ok: true, template: new CniTemplate(text, root, memo) };
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
   * siblings' indentation, so the edit reads as if written by hand. The result is parsed once.
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
    const parsed = CniTemplate.parse(text, this.memo);
    if (!parsed.ok) throw new Error(`editing the CNI template broke it at line ${parsed.position.line}: ${parsed.reason}`);
    return parsed.template;
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
    const parsed = CniTemplate.parse(text, this.memo);
    if (!parsed.ok) throw new Error(`editing the CNI template broke it at line ${parsed.position.line}: ${parsed.reason}`);
    return parsed.template;
  }
}
