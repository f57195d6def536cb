// The meaning test (issue 11): Kubernetes' own decoder (test/yaml-reference: apimachinery's
// YAMLOrJSONDecoder and sigs.k8s.io/yaml, built by scripts/build-yaml-reference.sh) reads every real
// manifest and every file of the generated corpus before and after fix. fix's reading must agree with it,
// and the output must mean exactly the input with the engine's own patch applied: nothing else changes
// meaning. A second fix of the output changes no byte.
import { describe, it, test } from 'node:test';
import { patchOf } from '../../src/engine/analyze.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyPatch, type Operation } from 'rfc6902';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { analyzeManifestBytes, readManifestValues, ManifestError } from '../../src/manifests/manifest-file.js';
import { decodeManifest } from '../../src/manifests/encoding.js';
import { aliasBomb, corpus, type CorpusFile } from '../support/manifest-corpus.js';
import { REPO_ROOT } from '../support/repo-root.js';

const REFERENCE = join(REPO_ROOT, '.cache/bin/yaml-reference');
const DIR = resolve(REPO_ROOT, process.env.REAL_FIXTURES_DIR ?? '../shared/fixtures/real');
const CONFIG = loadConfig({});

type Read = { ok: true; docs: unknown[] } | { ok: false; error: string };

/** Every document as Kubernetes reads the bytes; integers exact (BigInt), as the decoder wrote them. */
function reference(bytes: Uint8Array): Read {
  const run = spawnSync(REFERENCE, ['-'], { input: bytes, maxBuffer: 1 << 28 });
  if (run.error) throw run.error;
  if (run.status !== 0) return { ok: false, error: run.stderr.toString() };
  const lines = run.stdout.toString().split('\n').filter((l) => l !== '');
  return { ok: true, docs: lines.map((line) => parse(line, { schema: 'json', intAsBigInt: true }) as unknown) };
}

function mapNumbers(value: unknown, f: (n: number | bigint) => unknown): unknown {
  if (typeof value === 'number' || typeof value === 'bigint') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapNumbers(v, f));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapNumbers(v, f)]));
  return value;
}

const asNumbers = (value: unknown): unknown => mapNumbers(value, Number);
const exactIntegers = (value: unknown): unknown => mapNumbers(value, (n) => (typeof n === 'number' && Number.isSafeInteger(n) ? BigInt(n) : n));

function readAll(read: Read, what: string): unknown[] {
  assert.ok(read.ok, `the Kubernetes decoder reads ${what}: ${read.ok ? '' : read.error}`);
  return read.docs.filter((d) => d !== null);
}

function checkMeaning(file: CorpusFile): void {
  const input = readAll(reference(file.bytes), 'the input');
  const { text } = decodeManifest(file.bytes);
  const mine = readManifestValues(text);
  assert.deepEqual(mine.filter((d) => d !== null), input.map(asNumbers), 'fix reads the file as Kubernetes does');

  const result = analyzeManifestBytes(file.bytes, CONFIG);
  // The expected meaning: the input as Kubernetes read it, with the engine's patch applied to each
  // target that fix wrote (a refused document must come out unchanged).
  const position = new Map(mine.map((v, i) => [i, v === null ? -1 : mine.slice(0, i).filter((d) => d !== null).length]));
  const expected = structuredClone(input);
  for (const doc of result.documents) {
    if (doc.edits.length === 0 || doc.refused) continue;
    const prefix = doc.at.map((s) => `/${String(s)}`).join('');
    const ops = (doc.analysis ? patchOf(doc.analysis) : []).map((op) => ({ ...op, path: `${prefix}${op.path}`, ...('value' in op ? { value: exactIntegers(op.value) } : {}) }));
    const target = expected[position.get(doc.index) ?? -1];
    assert.ok(target !== undefined, `document ${doc.index + 1} is one the decoder read`);
    assert.deepEqual(applyPatch(target, ops as Operation[]), ops.map(() => null), 'the patch applies to what Kubernetes read');
  }
  const output = readAll(reference(result.fixedBytes), 'fix\'s output');
  assert.deepEqual(output, expected, 'outside the fields the rules change, input and output mean the same');

  const again = analyzeManifestBytes(result.fixedBytes, CONFIG);
  assert.ok(Buffer.compare(again.fixedBytes, result.fixedBytes) === 0, 'fix of fix\'s output is byte-identical');
}

if (!existsSync(REFERENCE)) {
  test('meaning test', () => assert.fail(`${REFERENCE} is missing: run bash scripts/build-yaml-reference.sh (npm run test:real does)`));
} else {
  describe('meaning: the generated corpus read by the Kubernetes decoder before and after fix', () => {
    for (const file of corpus()) it(file.name, () => checkMeaning(file));
  });

  describe('meaning: real manifests read by the Kubernetes decoder before and after fix', () => {
    const files = ['calico', 'kube-dns', 'operator'].flatMap((sub) => (existsSync(join(DIR, sub)) ? readdirSync(join(DIR, sub)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(DIR, sub, f)) : []));
    if (files.length === 0) it('real manifests', { skip: `REAL-WORLD SUITE SKIPPED: no manifests in ${DIR} (set REAL_FIXTURES_DIR)` }, () => undefined);
    for (const path of files) {
      const bytes = readFileSync(path);
      it(path.slice(DIR.length + 1), () => checkMeaning({ name: path, bytes }));
      it(`${path.slice(DIR.length + 1)} with CRLF line endings`, () => checkMeaning({ name: path, bytes: Buffer.from(bytes.toString('utf8').replace(/\r?\n/g, '\r\n')) }));
    }
  });

  describe('meaning: what Kubernetes refuses, fix refuses', () => {
    it('an alias bomb: the decoder fails on excessive aliasing, fix exits 2 naming the document', () => {
      const bomb = Buffer.from(`apiVersion: v1\nkind: Namespace\nmetadata: {name: fine}\n---\n${aliasBomb()}`);
      const read = reference(bomb);
      assert.ok(!read.ok && /excessive aliasing/.test(read.error), read.ok ? 'read' : read.error);
      assert.throws(() => analyzeManifestBytes(bomb, CONFIG), (e: unknown) => e instanceof ManifestError && /^document 2 \(line 5\): excessive aliasing/.test(e.message));
    });
  });
}
