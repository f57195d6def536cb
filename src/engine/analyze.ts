// The one engine both front doors (the webhook server and the CLI) run: mutate a copy, then validate it.
import { ruleFor } from '../rules/registry.js';
import { Report, type KubeObject, type RuleContext, type TargetRule } from '../rules/types.js';
import { createPatch, type PatchOperation } from '../patch/json-patch.js';
import { cloneJson } from '../patch/clone-json.js';

export interface Analysis {
  rule: TargetRule | undefined;
  original: KubeObject;
  /** The object after mutation (the original itself when the object is not a target). */
  mutated: KubeObject;
  /** Changes the mutation made, warnings about them, and what it could not read. */
  mutation: Report;
  /** Problems and warnings found on the mutated object; empty when not asked for. */
  validation: Report;
}

export interface AnalyzeOptions {
  /** Skip the validation phase (the mutating endpoint does not need it). */
  validate?: boolean;
}

export function analyze(object: KubeObject, ctx: RuleContext, options: AnalyzeOptions = {}): Analysis {
  const rule = ruleFor(object);
  const mutation = new Report();
  const validation = new Report();
  if (!rule) return { rule, original: object, mutated: object, mutation, validation };
  const mutated = cloneJson(object);
  rule.mutate(mutated, ctx, mutation);
  if (options.validate !== false) rule.validate(mutated, ctx, validation);
  return { rule, original: object, mutated, mutation, validation };
}

export function patchOf(analysis: Analysis): PatchOperation[] {
  return analysis.rule && analysis.mutation.changes.length > 0 ? createPatch(analysis.original, analysis.mutated) : [];
}
