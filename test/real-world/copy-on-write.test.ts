// The engine copies only what the targets say they write (src/patch/copy-on-write.ts) and shares the rest
// of the request's object. Over every object of the real manifests, in each mode, on CREATE and UPDATE:
// the rules run on frozen input without throwing (no write outside the copy), and the result is the one a
// whole copy gives, patch included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyPatch, type Operation } from 'rfc6902';
import { analyze, patchOf } from '../../src/engine/analyze.js';
import { readManifestValues } from '../../src/manifests/manifest-file.js';
import { cloneJson } from '../../src/patch/clone-json.js';
import { targetsFor } from '../../src/targets/registry.js';
import { Report } from '../../src/targets/report.js';
import type { KubeObject, Operation as AdmissionOperation } from '../../src/k8s/object.js';
import type { RuleContext } from '../../src/targets/target.js';
import { configWith } from '../support/fixtures.js';
import { deepFrozen } from '../support/frozen.js';
import { REPO_ROOT } from '../support/repo-root.js';

const DIR = resolve(REPO_ROOT, process.env.REAL_FIXTURES_DIR ?? '../shared/fixtures/real');
const CONFIGS = { 'ipv6-only': configWith(), 'dual-stack': configWith({ mode: 'dual-stack' }), 'router id required': configWith({ routerID: 'require' }) };

function targetObjects(): { file: string; object: KubeObject }[] {
  const out: { file: string; object: KubeObject }[] = [];
  for (const folder of ['calico', 'kube-dns', 'operator']) {
    for (const name of readdirSync(join(DIR, folder)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      for (const value of readManifestValues(readFileSync(join(DIR, folder, name), 'utf8'))) {
        const object = value as KubeObject;
        if (object && typeof object === 'object' && targetsFor(object).length > 0) out.push({ file: `${folder}/${name}`, object });
      }
    }
  }
  return out;
}

/** What the engine gave before copy-on-write: every matched target mutating one whole copy. */
function wholeCopyMutated(object: KubeObject, ctx: RuleContext): KubeObject {
  const copy = cloneJson(object);
  for (const target of targetsFor(copy)) target.mutate?.(copy, ctx, new Report());
  return copy;
}

describe('real-world: the rules write only the copy the engine makes for them', () => {
  const objects = targetObjects();

  it('finds target objects of every kind the real manifests carry', () => {
    const kinds = new Set(objects.map(({ object }) => object.kind));
    for (const kind of ['DaemonSet', 'ConfigMap', 'Deployment', 'Service', 'Installation']) assert.ok(kinds.has(kind), `no ${kind} among the real manifests' targets`);
  });

  for (const [mode, config] of Object.entries(CONFIGS)) {
    for (const operation of ['CREATE', 'UPDATE'] as AdmissionOperation[]) {
      it(`${mode}, ${operation}: frozen input, the whole copy's result and a patch that gives it`, () => {
        let patched = 0;
        for (const { file, object } of objects) {
          const ctx: RuleContext = { config, operation, oldObject: operation === 'UPDATE' ? deepFrozen(structuredClone(object)) : undefined };
          const input = deepFrozen(structuredClone(object));
          const analysis = analyze(input, ctx);
          const expected = wholeCopyMutated(object, { ...ctx, oldObject: ctx.oldObject && structuredClone(ctx.oldObject) });
          const label = `${file} ${object.kind} ${object.metadata?.name ?? ''}`;
          assert.deepEqual(analysis.mutated, expected, label);
          assert.deepEqual(input, object, `${label}: the input is unchanged`);
          const patch = patchOf(analysis);
          if (patch.length > 0) patched++;
          const applied = structuredClone(object);
          assert.deepEqual(applyPatch(applied, patch as Operation[]), patch.map(() => null), label);
          assert.deepEqual(applied, expected, label);
        }
        assert.ok(patched > 0, 'some object was patched');
      });
    }
  }
});
