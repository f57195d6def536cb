// The copy the rules mutate, made only where they write. Each target names the objects and lists its
// mutate step writes into (TargetSpec.writes); the copy has new objects along the way down to them and at
// them, and shares everything else with the original, so a rule replaces a value beneath them instead of
// changing it (an env entry with a new value is a new entry). The patch diff skips a shared value by
// identity, so it walks only what could have changed: on a calico-node DaemonSet, its containers' env
// lists instead of the whole object (the whole clone and its diff were a fifth of a review's CPU).
// The original is never written: the unit, property and real-world suites run the rules on frozen input.

/** A compiled write path: object keys, and `*` for every item of a list. */
export type WritePath = readonly string[];

/**
 * `spec.template.spec.containers[*].env` as its steps. A key holding `.`, `[` or `]` cannot be named
 * here; no target writes beneath one.
 */
export function compileWritePath(text: string): WritePath {
  const steps: string[] = [];
  for (const part of text.split('.')) {
    const match = /^([^[\]]+)((?:\[\*\])*)$/.exec(part);
    if (!match) throw new Error(`write path ${JSON.stringify(text)}: ${JSON.stringify(part)} is not a key, optionally followed by [*]`);
    steps.push(match[1] as string, ...Array.from({ length: (match[2] as string).length / 3 }, () => '*'));
  }
  return steps;
}

const hasOwn = Object.prototype.hasOwnProperty;

function isPlain(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

class Copier {
  /** Objects of the copy made here, shallow: their children may still be the original's. */
  readonly #fresh = new Set<object>();

  /**
   * A shallow copy; what is not plain data (a class instance, a toJSON method: never in a decoded review or
   * manifest) is copied whole as JSON would write it, so the rules see what the API server would store.
   */
  copy(value: object): object {
    if (!isPlain(value)) return JSON.parse(JSON.stringify(value)) as object;
    const copy = Array.isArray(value) ? value.slice() : { ...value };
    this.#fresh.add(copy);
    return copy;
  }

  /** Makes the children of `node` (already of the copy) writable along `path` from step `i`. */
  descend(node: object, path: WritePath, i: number): void {
    if (i === path.length || !this.#fresh.has(node)) return;
    const step = path[i] as string;
    if (step === '*') {
      if (Array.isArray(node)) for (let k = 0; k < node.length; k++) this.#step(node as unknown[] as Record<number, unknown>, k, path, i);
    } else if (!Array.isArray(node) && hasOwn.call(node, step)) {
      this.#step(node as Record<string, unknown>, step, path, i);
    }
  }

  #step(parent: Record<string | number, unknown>, key: string | number, path: WritePath, i: number): void {
    let child = parent[key];
    if (typeof child !== 'object' || child === null) return;
    if (!this.#fresh.has(child)) {
      child = this.copy(child);
      // An own "__proto__" key (JSON.parse makes one) must stay a key, not become the prototype.
      if (key === '__proto__') Object.defineProperty(parent, key, { value: child, enumerable: true, writable: true, configurable: true });
      else parent[key] = child;
    }
    this.descend(child as object, path, i + 1);
  }
}

/**
 * A copy of `value` whose objects along each path, its ends included, are new (shallow copies), so their
 * keys and items may be set, added or removed without touching `value`; everything else is shared, and a
 * shared value is replaced rather than changed (an env entry with a new value is a new entry).
 */
export function copyForWrites<T extends object>(value: T, paths: readonly WritePath[]): T {
  const copier = new Copier();
  const root = copier.copy(value);
  for (const path of paths) copier.descend(root, path, 0);
  return root as T;
}
