// The engine copies only what the targets say they write (src/patch/copy-on-write.ts) and shares the rest
// of the request's object: over every target object of the real manifests, the check of
// test/support/copy-on-write.ts (frozen input, unchanged, the whole copy's result, a patch that gives it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readManifestValues } from '../../src/manifests/manifest-file.js';
import { targetsFor } from '../../src/targets/registry.js';
import type { KubeObject } from '../../src/k8s/object.js';
import { assertCopyOnWrite, COPY_ON_WRITE_CONFIGS, COPY_ON_WRITE_OPERATIONS } from '../support/copy-on-write.js';
import { REPO_ROOT } from '../support/repo-root.js';

const DIR = resolve(REPO_ROOT, process.env.REAL_FIXTURES_DIR ?? '../shared/fixtures/real');

function targetObjects(): { label: string; object: KubeObject }[] {
  const out: { label: string; object: KubeObject }[] = [];
  for (const folder of ['calico', 'kube-dns', 'operator']) {
    for (const name of readdirSync(join(DIR, folder)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      for (const value of readManifestValues(readFileSync(join(DIR, folder, name), 'utf8'))) {
        const object = value as KubeObject;
        if (object && typeof object === 'object' && targetsFor(object).length > 0) out.push({ label: `${folder}/${name} ${object.kind} ${object.metadata?.name ?? ''}`, object });
      }
    }
  }
  return out;
}

describe('real-world: the rules write only the copy the engine makes for them', () => {
  const objects = targetObjects();

  it('finds target objects of every kind the real manifests carry', () => {
    const kinds = new Set(objects.map(({ object }) => object.kind));
    for (const kind of ['DaemonSet', 'ConfigMap', 'Deployment', 'Service', 'Installation']) assert.ok(kinds.has(kind), `no ${kind} among the real manifests' targets`);
  });

  for (const [mode, config] of Object.entries(COPY_ON_WRITE_CONFIGS)) {
    for (const operation of COPY_ON_WRITE_OPERATIONS) {
      it(`${mode}, ${operation}: frozen input, the whole copy's result and a patch that gives it`, () => {
        assert.ok(assertCopyOnWrite(objects, config, operation) > 0, 'some object was patched');
      });
    }
  }
});
