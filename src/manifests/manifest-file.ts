// The offline engine over a manifest file (`fix` and `check`): the same analysis the webhook runs, with
// the file itself standing in for the cluster (its calico/node version, its ConfigMaps). The file is read
// as Kubernetes reads it (kube-yaml.ts, json-edit.ts, encoding.ts); `List` items are objects of their
// own. Changes are written back as text edits only, and a document whose edits cannot be placed without
// changing something else is left as it is and reported (refused), never re-serialized.
import { isDeepStrictEqual } from 'node:util';
import { analyze, isTarget, patchOf, type Analysis } from '../engine/analyze.js';
import type { WebhookConfig } from '../config/types.js';
import { calicoVersionOfObject } from '../rules/registry.js';
import { describeObject, isRecord, stringData } from '../k8s/object.js';
import type { KubeObject } from '../k8s/object.js';
import type { RuleContext } from '../rules/target.js';
import type { PatchOperation } from '../patch/json-patch.js';
import { decodeManifest, encodeManifest } from './encoding.js';
import { ManifestError } from './errors.js';
import { editJson, readJson } from './json-edit.js';
import { parseChunk, splitDocuments, UnreadableDocument, type Chunk, type KubeDocument } from './kube-yaml.js';
import { structuralDiff, type Change, type Step } from './structural-diff.js';
import { applyTextEdits, documentEdits, UnplaceableEdit } from './yaml-edit.js';

export { ManifestError } from './errors.js';

export interface DocumentResult {
  /** The document's position in the file (0-based). */
  index: number;
  label: string;
  /** Where the object sits in its document: [] or ['items', i] for an item of a List. */
  at: Step[];
  analysis: Analysis | undefined;
  patch: PatchOperation[];
  /** Why this document's changes were not written (the document is left as it was). */
  refused?: string;
}

export interface FileResult {
  /** The whole file with every target corrected; byte for byte the input where nothing changed. */
  fixedText: string;
  documents: DocumentResult[];
}

/** One document of the file as kubectl splits it. */
interface Source {
  index: number;
  start: number;
  end: number;
  /** Set for YAML; a JSON file is one source without it. */
  doc: KubeDocument | undefined;
  value: unknown;
}

interface Target {
  source: Source;
  /** Where the object sits in its document: [] or ['items', i] for a List item. */
  path: Step[];
  object: KubeObject;
}

function isKubeObject(value: unknown): value is KubeObject {
  return isRecord(value) && typeof value.kind === 'string';
}

/** A `List` or `*List` (what `kubectl get -o yaml` prints): its items are the objects. */
function targetsOf(source: Source): Target[] {
  const value = source.value;
  if (!isKubeObject(value)) return [];
  if (value.kind?.endsWith('List') === true && Array.isArray(value.items)) {
    return value.items.flatMap((item, i) => (isKubeObject(item) ? [{ source, path: ['items', i], object: item }] : []));
  }
  return [{ source, path: [], object: value }];
}

/** ConfigMap keys in the same file answer env valueFrom references, as the cluster would. */
function configMapLookup(objects: KubeObject[]): RuleContext['lookupConfigMapKey'] {
  return (namespace, name, key) => {
    for (const object of objects) {
      if (object.kind !== 'ConfigMap' || object.metadata?.name !== name) continue;
      const ns = object.metadata?.namespace;
      if (ns !== undefined && ns !== namespace) continue;
      const value = isRecord(object.data) ? object.data[key] : undefined;
      if (typeof value === 'string') return value;
    }
    return undefined;
  };
}

/** Whole ConfigMaps of the same file answer envFrom; one that is not in the file cannot be known here. */
function configMapData(objects: KubeObject[]): RuleContext['lookupConfigMap'] {
  return (namespace, name) => {
    const found = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === name && (o.metadata?.namespace === undefined || o.metadata.namespace === namespace));
    return found ? stringData(found) : undefined;
  };
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function readValue(doc: KubeDocument, where: string): unknown {
  try {
    return doc.value();
  } catch (error) {
    if (error instanceof UnreadableDocument) throw new ManifestError(`${where}: ${error.message}`);
    if (error instanceof RangeError) throw new ManifestError(`${where}: nested too deeply to read`);
    throw error;
  }
}

/** Comments and blank lines before the first `---` are a preamble, not a document of their own. */
function isPreamble(text: string): boolean {
  return text.split('\n').every((line) => /^\s*(#.*)?$/.test(line));
}

function chunksOf(text: string): Chunk[] {
  try {
    return splitDocuments(text);
  } catch (error) {
    if (error instanceof UnreadableDocument) throw new ManifestError(error.message);
    throw error;
  }
}

function yamlSources(text: string): Source[] {
  const chunks = chunksOf(text);
  const counted = chunks.length > 1 && isPreamble(text.slice(chunks[0]?.start ?? 0, chunks[0]?.end ?? 0)) ? chunks.slice(1) : chunks;
  return counted.map((chunk, index) => {
    const parsed = parseChunk(text.slice(chunk.start, chunk.end));
    const firstLine = lineOf(text, chunk.start);
    if (!('doc' in parsed)) {
      throw new ManifestError(`not valid YAML at line ${firstLine + parsed.line - 1}, column ${parsed.col}: ${parsed.message.replace(/ at line \d+, column \d+:?$/, '')} (document ${index + 1})`);
    }
    return { index, start: chunk.start, end: chunk.end, doc: parsed, value: readValue(parsed, `document ${index + 1} (line ${firstLine})`) };
  });
}

function sourcesOf(text: string): Source[] {
  const json = readJson(text);
  return json ? [{ index: 0, start: 0, end: text.length, doc: undefined, value: json.value }] : yamlSources(text);
}

function lineEnding(text: string): string {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

/** The document's value with each target replaced by its mutated object: what the edited text must read as. */
function expectedValue(source: Source, analysed: { target: Target; analysis: Analysis }[]): unknown {
  let value = source.value;
  for (const { target, analysis } of analysed) {
    if (target.path.length === 0) value = analysis.mutated;
    else {
      const list = value as { items: unknown[] };
      value = { ...list, items: list.items.map((item, i) => (i === target.path[1] ? analysis.mutated : item)) };
    }
  }
  return value;
}

function rereadYaml(text: string): unknown {
  const parsed = parseChunk(text);
  try {
    return 'doc' in parsed ? parsed.value() : undefined;
  } catch {
    return undefined;
  }
}

/** The document's new text, or the reason it cannot be written without changing something else. */
function editedDocument(text: string, source: Source, changes: Change[], expected: unknown, where: string): string | { refused: string } {
  const own = text.slice(source.start, source.end);
  const eol = lineEnding(text);
  let edited: string;
  try {
    edited = source.doc ? applyTextEdits(own, documentEdits(own, source.doc, changes, expected, eol, where)) : editJson(own, changes, eol);
  } catch (error) {
    if (error instanceof UnplaceableEdit) return { refused: error.message };
    throw error;
  }
  if (!isDeepStrictEqual(source.doc ? rereadYaml(edited) : readJson(edited)?.value, expected)) return { refused: `${where}: the edited text would not read back as exactly the corrected object, so it is left unchanged` };
  return edited;
}

function analyzeText(text: string, config: WebhookConfig): FileResult {
  const sources = sourcesOf(text);
  const targets = sources.flatMap(targetsOf);
  const objects = targets.map((t) => t.object);
  const calicoVersionHint = objects.map((o) => calicoVersionOfObject(o)).find((v) => v !== undefined);
  const ctx: RuleContext = { config, operation: 'CREATE', lookupConfigMapKey: configMapLookup(objects), lookupConfigMap: configMapData(objects), calicoVersionHint };

  const documents: DocumentResult[] = [];
  const edits: { start: number; end: number; text: string; order: number }[] = [];
  for (const source of sources) {
    const mine = targets.filter((t) => t.source === source);
    if (mine.length === 0) {
      documents.push({ index: source.index, label: `document ${source.index + 1}`, at: [], analysis: undefined, patch: [] });
      continue;
    }
    const analysed = mine.map((target) => ({ target, analysis: analyze(target.object, ctx) }));
    const results = analysed.map(({ target, analysis }): DocumentResult => ({
      index: source.index,
      label: `${describeObject(target.object)} (document ${source.index + 1}${target.path.length > 0 ? `, items[${String(target.path[1])}]` : ''})`,
      at: target.path,
      analysis: isTarget(analysis) ? analysis : undefined,
      patch: patchOf(analysis),
    }));
    documents.push(...results);
    const changes = analysed.flatMap(({ target, analysis }, i) => ((results[i] as DocumentResult).patch.length > 0 ? structuralDiff(target.object, analysis.mutated, target.path) : []));
    if (changes.length === 0) continue;
    const where = `document ${source.index + 1}`;
    const edited = editedDocument(text, source, changes, expectedValue(source, analysed.filter((_, i) => (results[i] as DocumentResult).patch.length > 0)), where);
    if (typeof edited === 'string') edits.push({ start: source.start, end: source.end, text: edited, order: 0 });
    else for (const result of results) if (result.patch.length > 0) result.refused = edited.refused;
  }
  return { fixedText: applyTextEdits(text, edits), documents };
}

/** Each document's value as Kubernetes reads the text (what the meaning tests compare). */
export function readManifestValues(text: string): unknown[] {
  return sourcesOf(text).map((source) => source.value);
}

/** Analyses decoded text. A leading byte order mark is kept as it came. */
export function analyzeManifest(text: string, config: WebhookConfig): FileResult {
  if (!text.startsWith('\uFEFF')) return analyzeText(text, config);
  const result = analyzeText(text.slice(1), config);
  return { ...result, fixedText: `\uFEFF${result.fixedText}` };
}

/** Analyses a file's bytes: decoded as kubectl does, the result encoded back the same way. */
export function analyzeManifestBytes(bytes: Uint8Array, config: WebhookConfig): FileResult & { fixedBytes: Buffer } {
  const { text, encoding } = decodeManifest(bytes);
  const result = analyzeText(text, config);
  return { ...result, fixedBytes: result.fixedText === text ? Buffer.from(bytes) : encodeManifest(result.fixedText, encoding) };
}
