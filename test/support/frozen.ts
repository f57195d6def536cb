// Input the rules must not write: the engine shares every part of the request's object it does not copy
// for a target's writes (src/patch/copy-on-write.ts), so a write outside them would throw here (ES modules
// are strict) instead of silently changing the original and leaving the change out of the patch.
export function deepFrozen<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key of Reflect.ownKeys(value)) deepFrozen((value as Record<string | symbol, unknown>)[key]);
  return Object.freeze(value);
}
