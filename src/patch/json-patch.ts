// RFC 6902 patches are computed by diffing the object before and after the rules ran, so rules only
// edit objects and never build operations by hand (the approach of slok/kubewebhook).
//
// The diff is fast-json-patch's `compare` algorithm, operation for operation (same order, same paths,
// same values; a property test holds them equal), written for the webhook's hot path: a JSON pointer is
// built only for an operation that is emitted, not for each of the ~500 nodes of a DaemonSet that the
// walk visits, and values are copied by a plain recursive clone instead of a JSON round trip. That takes
// the diff of a calico-node DaemonSet from about 26 µs to a few.
import type { Operation } from 'fast-json-patch';

export type PatchOperation = Operation;

/** A path being walked, kept as a linked list of raw keys until an operation needs it as a pointer. */
interface PathNode {
  parent: PathNode | undefined;
  key: string | number;
}

function escapeKey(key: string | number): string {
  if (typeof key === 'number') return String(key);
  return key.indexOf('/') === -1 && key.indexOf('~') === -1 ? key : key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function pointer(node: PathNode | undefined, last?: string | number): string {
  let out = last === undefined ? '' : `/${escapeKey(last)}`;
  for (let n = node; n; n = n.parent) out = `/${escapeKey(n.key)}${out}`;
  return out;
}

const hasOwn = Object.prototype.hasOwnProperty;
class NotPlainJson extends Error {}

function cloneStrict(value: unknown, inArray: boolean): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value + 0 : null; // + 0 turns -0 into 0, as JSON does
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) out[i] = cloneStrict(value[i], true);
        return out;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') throw new NotPlainJson();
      const out: Record<string, unknown> = {};
      for (const key in value) {
        if (!hasOwn.call(value, key)) continue;
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        // An own "__proto__" key (JSON.parse makes one) must stay a key, not become the prototype.
        if (key === '__proto__') Object.defineProperty(out, key, { value: cloneStrict(item, false), enumerable: true, writable: true, configurable: true });
        else out[key] = cloneStrict(item, false);
      }
      return out;
    }
    case 'undefined':
    case 'function':
    case 'symbol':
      if (inArray) return null;
      throw new NotPlainJson();
    default:
      throw new NotPlainJson();
  }
}

/**
 * A deep copy with JSON's semantics (what `JSON.parse(JSON.stringify(value))` gives) for plain data,
 * an order of magnitude faster than the round trip or structuredClone. Anything unusual (a Date, a
 * class instance, a toJSON method, a BigInt) takes the round trip itself, so the result never differs.
 */
export function cloneJson<T>(value: T): T {
  try {
    return cloneStrict(value, true) as T;
  } catch (error) {
    if (!(error instanceof NotPlainJson)) throw error;
    return JSON.parse(JSON.stringify(value)) as T;
  }
}

/** fast-json-patch's _deepClone: objects copied as JSON, undefined as null, other values as they are. */
function copyValue(value: unknown): unknown {
  if (typeof value === 'object') return cloneJson(value);
  return value === undefined ? null : value;
}

type Node = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Node {
  return typeof value === 'object' && value !== null;
}

/** Both sides lists (most of a workload's nodes): indices, no key strings. Same decisions as below. */
function generateLists(mirror: unknown[], obj: unknown[], patches: PatchOperation[], path: PathNode | undefined): void {
  let deleted = false;
  for (let t = mirror.length - 1; t >= 0; t--) {
    const oldVal = mirror[t];
    if (t < obj.length && t in obj) {
      const newVal = obj[t];
      if (isContainer(oldVal) && isContainer(newVal) && Array.isArray(oldVal) === Array.isArray(newVal)) {
        generate(oldVal, newVal, patches, { parent: path, key: t });
      } else if (oldVal !== newVal) {
        patches.push({ op: 'replace', path: pointer(path, t), value: copyValue(newVal) });
      }
    } else {
      patches.push({ op: 'remove', path: pointer(path, t) });
      deleted = true;
    }
  }
  if (!deleted && obj.length === mirror.length) return;
  for (let t = 0; t < obj.length; t++) {
    if (!(t < mirror.length && t in mirror) && obj[t] !== undefined) patches.push({ op: 'add', path: pointer(path, t), value: copyValue(obj[t]) });
  }
}

function generate(mirror: Node, objIn: Node, patches: PatchOperation[], path: PathNode | undefined): void {
  if (objIn === mirror) return;
  let obj = objIn;
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') obj = toJSON.call(obj) as Node;
  const objIsArray = Array.isArray(obj);
  const mirrorIsArray = Array.isArray(mirror);
  if (objIsArray && mirrorIsArray) return generateLists(mirror, obj as unknown[], patches, path);
  const oldKeys = mirrorIsArray ? undefined : Object.keys(mirror);
  const oldLength = mirrorIsArray ? mirror.length : (oldKeys as string[]).length;
  const newLength = objIsArray ? (obj as unknown[]).length : Object.keys(obj).length;
  const o = obj as Record<string, unknown>;
  const m = mirror as Record<string, unknown>;
  let deleted = false;
  for (let t = oldLength - 1; t >= 0; t--) {
    const key = oldKeys ? (oldKeys[t] as string) : String(t);
    const oldVal = m[key];
    const newVal = o[key];
    if (hasOwn.call(o, key) && !(newVal === undefined && oldVal !== undefined && !objIsArray)) {
      if (isContainer(oldVal) && isContainer(newVal) && Array.isArray(oldVal) === Array.isArray(newVal)) {
        generate(oldVal, newVal, patches, { parent: path, key });
      } else if (oldVal !== newVal) {
        patches.push({ op: 'replace', path: pointer(path, key), value: copyValue(newVal) });
      }
    } else if (mirrorIsArray === objIsArray) {
      patches.push({ op: 'remove', path: pointer(path, key) });
      deleted = true;
    } else {
      patches.push({ op: 'replace', path: pointer(path), value: obj });
    }
  }
  if (!deleted && newLength === oldLength) return;
  const newKeys: string[] = objIsArray ? Array.from({ length: newLength }, (_, t) => String(t)) : Object.keys(obj);
  for (const key of newKeys) {
    if (!hasOwn.call(m, key) && o[key] !== undefined) patches.push({ op: 'add', path: pointer(path, key), value: copyValue(o[key]) });
  }
}

/** Minimal for the edits rules make: changed leaves are `replace`, new list items and keys are `add`. */
export function createPatch(before: object, after: object): PatchOperation[] {
  const patches: PatchOperation[] = [];
  generate(before as Node, after as Node, patches, undefined);
  return patches;
}

export function encodePatch(patch: readonly PatchOperation[]): string {
  return Buffer.from(JSON.stringify(patch)).toString('base64');
}
