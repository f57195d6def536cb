// RFC 6902 patches are computed by diffing the object before and after the rules ran, so rules only
// edit objects and never build operations by hand (the approach of slok/kubewebhook).
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

export type PatchOperation = Operation;

/**
 * fast-json-patch's diff: a changed leaf is a `replace`, a new key an `add`, a dropped one a `remove`.
 * Lists are compared index by index, so the patch is not minimal in general (an item inserted before
 * the end replaces every later item); the rules append list items and edit in place, which keeps it small.
 */
export function createPatch(before: object, after: object): PatchOperation[] {
  return fastJsonPatch.compare(before, after);
}

export function encodePatch(patch: readonly PatchOperation[]): string {
  return Buffer.from(JSON.stringify(patch)).toString('base64');
}
