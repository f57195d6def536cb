// RFC 6902 patches are computed by diffing the object before and after the rules ran, so rules only
// edit objects and never build operations by hand (the approach of slok/kubewebhook).
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

export type PatchOperation = Operation;

/** Minimal for the edits rules make: changed leaves are `replace`, new list items and keys are `add`. */
export function createPatch(before: object, after: object): PatchOperation[] {
  return fastJsonPatch.compare(before, after);
}

export function encodePatch(patch: readonly PatchOperation[]): string {
  return Buffer.from(JSON.stringify(patch)).toString('base64');
}
