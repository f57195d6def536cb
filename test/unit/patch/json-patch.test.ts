// The patch (a diff by content for lists) must apply with an independent RFC 6902 implementation and give the
// edited object, for any JSON and any edit of it, and its size must follow the size of the change (moving
// one item is one remove and one add, however long the list); the clone must give exactly what a JSON
// round trip gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyPatch } from 'rfc6902';
import { createPatch, type PatchOperation } from '../../../src/patch/json-patch.js';
import { calicoNodeDaemonSet } from '../../support/reviews.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const key = fc.oneof(fc.constantFrom('a', 'b', 'env', 'name', 'value', '0', '1', 'a/b', '~x', '~1', '__proto__', 'toJSON', ''), fc.string({ maxLength: 4 }));
const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Json>(null, true, false, 0, 1, -0, 1.5, '', 'x', 'none'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A copy of `value` with random edits: leaves changed, keys added and removed, list items pushed and popped, types swapped. */
function edited(value: Json, choices: number[]): Json {
  let i = 0;
  const next = () => choices[i++ % choices.length] ?? 0;
  const walk = (v: Json): Json => {
    const c = next();
    if (c % 11 === 0) return ['changed', 7, null, [], {}][c % 5] as Json;
    if (Array.isArray(v)) {
      const out = v.map(walk);
      if (c % 7 === 1) out.push('added');
      if (c % 7 === 2) out.pop();
      if (c % 13 === 3) return Object.fromEntries(out.map((x, n) => [String(n), x]));
      return out;
    }
    if (v !== null && typeof v === 'object') {
      const out: Record<string, Json> = {};
      for (const k of Object.keys(v)) {
        if (next() % 9 === 4) continue;
        Object.defineProperty(out, k, { value: walk(v[k] as Json), enumerable: true, writable: true, configurable: true });
      }
      if (c % 5 === 3) out[`k${c}`] = 'new';
      if (c % 17 === 5) return Object.values(out);
      return out;
    }
    return v;
  };
  return walk(value);
}

const same = (a: unknown, b: unknown) => assert.equal(JSON.stringify(a), JSON.stringify(b));

test('createPatch applies with rfc6902 and gives the edited object', () => {
  fc.assert(
    fc.property(json, fc.array(fc.nat(1000), { minLength: 1, maxLength: 30 }), (before, choices) => {
      const root = { root: before };
      const after = { root: edited(before, choices) };
      // rfc6902 refuses to write "__proto__" keys (by design).
      if (JSON.stringify(after).includes('"__proto__"')) return;
      const patch = createPatch(root, after);
      const target = JSON.parse(JSON.stringify(root)) as object;
      const errors = applyPatch(target, JSON.parse(JSON.stringify(patch)) as Parameters<typeof applyPatch>[1]);
      assert.ok(errors.every((e) => e === null), JSON.stringify(errors));
      same(target, after);
    }),
    { numRuns: 3000 },
  );
});

function appliesWithRfc6902(before: unknown, after: unknown, patch: readonly PatchOperation[]): void {
  const target = JSON.parse(JSON.stringify(before)) as object;
  const errors = applyPatch(target, JSON.parse(JSON.stringify(patch)) as Parameters<typeof applyPatch>[1]);
  assert.ok(errors.every((e) => e === null), JSON.stringify(errors));
  same(target, after);
}

const bytes = (value: unknown) => JSON.stringify(value).length;

/** Distinct list items, as env entries and arguments are: strings and small objects. */
const item = fc.oneof(fc.string({ maxLength: 12 }).map((s) => `--${s}`), fc.record({ name: fc.string({ maxLength: 8 }), value: fc.string({ maxLength: 8 }) }));
const list = fc.uniqueArray(item, { minLength: 1, maxLength: 60, selector: (v) => JSON.stringify(v) });

test('the patch size follows the size of the change: items moved, inserted, removed or edited anywhere in a list', () => {
  const change = fc.oneof(
    fc.record({ kind: fc.constant('move' as const), from: fc.nat(), to: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), items: fc.array(item, { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('remove' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('edit' as const), at: fc.nat(), value: fc.string({ maxLength: 8 }) }),
  );
  fc.assert(
    fc.property(list, fc.array(change, { minLength: 1, maxLength: 3 }), (items, changes) => {
      const after = [...items];
      // What a minimal patch must at least carry, and how many operations it needs at most.
      let changedBytes = 0;
      let allowedOps = 0;
      for (const c of changes) {
        if (c.kind === 'move') {
          const [moved] = after.splice(c.from % after.length, 1);
          after.splice(c.to % (after.length + 1), 0, moved as (typeof after)[number]);
          changedBytes += bytes(moved);
          allowedOps += 2;
        } else if (c.kind === 'insert') {
          after.splice(c.at % (after.length + 1), 0, ...c.items);
          changedBytes += bytes(c.items);
          allowedOps += c.items.length;
        } else if (c.kind === 'remove') {
          const removed = after.splice(c.at % after.length, c.count);
          changedBytes += bytes(removed);
          allowedOps += removed.length;
        } else if (after.length > 0) {
          const at = c.at % after.length;
          after[at] = c.value;
          changedBytes += bytes(c.value);
          allowedOps += 1;
        }
        if (after.length === 0) after.push('--last');
        allowedOps += 1;
      }
      const before = { spec: { args: items } };
      const wanted = { spec: { args: after } };
      const patch = createPatch(before, wanted);
      appliesWithRfc6902(before, wanted, patch);
      assert.ok(patch.length <= allowedOps, `${patch.length} operations for ${allowedOps} changed items: ${JSON.stringify(patch)}`);
      // Each operation costs its path and framing (under 60 bytes here) plus the values it carries.
      assert.ok(bytes(patch) <= 2 * changedBytes + 60 * allowedOps, `${bytes(patch)} bytes for ${changedBytes} bytes changed`);
    }),
    { numRuns: 3000 },
  );
});

test('moving one argument in front of 12,000 others is one remove and one add', () => {
  const args = Array.from({ length: 12_001 }, (_, i) => `--flag-${i}=${'x'.repeat(100)}`);
  const moved = [args[12_000] as string, ...args.slice(0, 12_000)];
  const before = { spec: { args } };
  const after = { spec: { args: moved } };
  const patch = createPatch(before, after);
  assert.deepEqual(patch, [
    { op: 'remove', path: '/spec/args/12000' },
    { op: 'add', path: '/spec/args/0', value: args[12_000] },
  ]);
  appliesWithRfc6902(before, after, patch);
});

test('lists that share nothing still give a correct patch (by position)', () => {
  const before = { list: Array.from({ length: 3000 }, (_, i) => ({ n: i })) };
  const after = { list: Array.from({ length: 2000 }, (_, i) => ({ n: -i - 1 })) };
  const patch = createPatch(before, after);
  appliesWithRfc6902(before, after, patch);
  assert.equal(patch.length, 3000);
});

test('createPatch on a real DaemonSet edit', () => {
  const before = calicoNodeDaemonSet();
  const after = structuredClone(before) as ReturnType<typeof calicoNodeDaemonSet> & { spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } };
  const env = after.spec.template.spec.containers[0]?.env ?? [];
  const ip = env.find((e) => e.name === 'IP');
  if (ip) ip.value = 'none';
  env.push({ name: 'IP6', value: 'autodetect' });
  const patch = createPatch(before, after);
  assert.deepEqual(patch, [
    { op: 'replace', path: '/spec/template/spec/containers/0/env/5/value', value: 'none' },
    { op: 'add', path: '/spec/template/spec/containers/0/env/16', value: { name: 'IP6', value: 'autodetect' } },
  ]);
});

