import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_FILES } from '../../../src/generate/outputs.js';
import { REPO_ROOT } from '../../support/repo-root.js';

test('every generated file is committed as `npm run generate` writes it', () => {
  for (const file of GENERATED_FILES) {
    const path = join(REPO_ROOT, file.path);
    assert.ok(existsSync(path), `${file.path} is missing: run npm run generate`);
    assert.equal(readFileSync(path, 'utf8'), file.render(), `${file.path} is stale: run npm run generate`);
  }
});

test('the generated-file paths are distinct', () => {
  const paths = GENERATED_FILES.map((file) => file.path);
  assert.equal(new Set(paths).size, paths.length);
});
