// The check that the engine's copy-on-write (src/patch/copy-on-write.ts) changes nothing but speed: over a
// list of objects, in each mode, on CREATE and UPDATE, the rules run on frozen input and old object without
// throwing (no write outside the copy the targets' `writes` name), the input stays as it came, the result is
// the one a whole copy gives, and the patch applied with an independent RFC 6902 library gives that result.
import assert from 'node:assert/strict';
import { applyPatch, type Operation } from 'rfc6902';
import { analyze, patchOf } from '../../src/engine/analyze.js';
import { targetsFor } from '../../src/targets/registry.js';
import { Report } from '../../src/targets/report.js';
import type { KubeObject, Operation as AdmissionOperation } from '../../src/k8s/object.js';
import type { RuleContext } from '../../src/targets/target.js';
import { configWith } from './fixtures.js';
import { deepFrozen } from './frozen.js';

export const COPY_ON_WRITE_CONFIGS = { 'ipv6-only': configWith(), 'dual-stack': configWith({ mode: 'dual-stack' }), 'router id required': configWith({ routerID: 'require' }) };
export const COPY_ON_WRITE_OPERATIONS: readonly AdmissionOperation[] = ['CREATE', 'UPDATE'];

/** What the engine gave before copy-on-write: every matched target mutating one whole copy. */
function wholeCopyMutated(object: KubeObject, ctx: RuleContext): KubeObject {
  const copy = structuredClone(object);
  for (const target of targetsFor(copy)) target.mutate?.(copy, ctx, new Report());
  return copy;
}

/** Asserts the above for each object (labelled for messages); returns how many were patched. */
export function assertCopyOnWrite(objects: readonly { label: string; object: KubeObject }[], config: RuleContext['config'], operation: AdmissionOperation): number {
  let patched = 0;
  for (const { label, object } of objects) {
    const ctx: RuleContext = { config, operation, oldObject: operation === 'UPDATE' ? deepFrozen(structuredClone(object)) : undefined };
    const input = deepFrozen(structuredClone(object));
    const analysis = analyze(input, ctx);
    const expected = wholeCopyMutated(object, { ...ctx, oldObject: ctx.oldObject && structuredClone(ctx.oldObject) });
    assert.deepEqual(analysis.mutated, expected, label);
    assert.deepEqual(input, object, `${label}: the input is unchanged`);
    const patch = patchOf(analysis);
    if (patch.length > 0) patched++;
    const applied = structuredClone(object);
    assert.deepEqual(applyPatch(applied, patch as Operation[]), patch.map(() => null), label);
    assert.deepEqual(applied, expected, label);
  }
  return patched;
}
