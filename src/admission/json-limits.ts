// Checks a raw JSON body against what the webhook accepts before and after JSON.parse: valid UTF-8,
// bounded nesting, and no duplicate keys. The API server re-encodes every object it sends, so a body that
// fails one of these did not come from it; refusing it is safer than guessing.
//
// - Invalid UTF-8 would be decoded to U+FFFD, so the rules would judge a value that is not the one sent.
// - Nesting: JSON.parse is iterative, but JSON.stringify, the rules' walks and the patch diff recurse;
//   a limit far above any real manifest (they stay under 30 levels) keeps them far from the stack's end.
// - Duplicate keys: JSON.parse keeps the last one, other parsers may keep the first; a webhook that
//   checks one value while a consumer reads another is a policy bypass, so duplicates are a 400, named.
import { isUtf8 } from 'node:buffer';

/** Deepest nesting of objects and lists accepted in a body (the AdmissionReview wrapper included). */
export const MAX_JSON_DEPTH = 512;

export class JsonLimitError extends Error {
  readonly status = 400;
  constructor(
    message: string,
    readonly type: 'json.utf8' | 'json.depth' | 'json.duplicate-key',
  ) {
    super(message);
    this.name = 'JsonLimitError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

export interface ScanResult {
  /** Colons outside strings: in valid JSON, exactly one per object member. */
  members: number;
  depth: number;
}

/**
 * One pass over the bytes, before parsing: refuses invalid UTF-8 and nesting over the limit, and counts
 * the object members so that duplicates can be told after parsing (see countMembers). Linear and
 * allocation-free: about 10 µs for a 6 KB review.
 */
export function scanJson(body: Uint8Array, maxDepth = MAX_JSON_DEPTH): ScanResult {
  if (!isUtf8(body)) throw new JsonLimitError('the body is not valid UTF-8', 'json.utf8');
  let depth = 0;
  let deepest = 0;
  let members = 0;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body[i];
    if (c === QUOTE) {
      // Skip the string: only a backslash or the closing quote matter inside it.
      for (i++; i < n; i++) {
        const s = body[i];
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > deepest) {
        deepest = depth;
        if (depth > maxDepth) throw new JsonLimitError(`the body nests objects and lists deeper than ${maxDepth} levels`, 'json.depth');
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === COLON) {
      members++;
    }
  }
  return { members, depth: deepest };
}

/** Object members in a parsed value, counted without recursion. */
export function countMembers(value: unknown): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v) if (typeof item === 'object' && item !== null) stack.push(item);
    } else {
      for (const key in v) {
        count++;
        const item = (v as Record<string, unknown>)[key];
        if (typeof item === 'object' && item !== null) stack.push(item);
      }
    }
  }
  return count;
}

interface Frame {
  kind: 'object' | 'list';
  path: string;
  keys: Set<string> | undefined;
  index: number;
  /** The key of the member whose value comes next (objects only). */
  pendingKey: string | undefined;
}

function childPath(parent: string, frame: Frame): string {
  if (frame.kind === 'list') return `${parent}[${frame.index}]`;
  const key = frame.pendingKey ?? '';
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? (parent ? `${parent}.${key}` : key) : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * The first duplicate key in a body already known to be valid JSON, with the path of its object
 * (`request.object.spec`). Slow and exact (keys compared after unescaping); run only when the member
 * count says there is a duplicate.
 */
export function findDuplicateKey(text: string): { key: string; path: string } | undefined {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === QUOTE) {
      const start = i;
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
      if (top?.kind === 'object' && expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        const keys = (top.keys ??= new Set());
        if (keys.has(key)) return { key, path: top.path || '(top level)' };
        keys.add(key);
        top.pendingKey = key;
        expectKey = false;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const path = top ? childPath(top.path, top) : '';
      stack.push({ kind: c === OPEN_BRACE ? 'object' : 'list', path, keys: undefined, index: 0, pendingKey: undefined });
      expectKey = c === OPEN_BRACE;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */ && top) {
      if (top.kind === 'list') top.index++;
      else expectKey = true;
    }
  }
  return undefined;
}
