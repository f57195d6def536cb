// The offline engine over a manifest file (`fix` and `check`): the same analysis the webhook runs, with
// the file itself standing in for the cluster (its calico/node version, its ConfigMaps). The file is read
// as Kubernetes reads it (kube-yaml.ts, json-edit.ts, encoding.ts); `List` items are objects of their
// own. Changes are written back as text edits only, and a document whose edits cannot be placed without
// changing something else is left as it is and reported (refused), never re-serialized.
import { isDeepStrictEqual } from 'node:util';
import { analyze, isTarget, type Analysis } from '../engine/analyze.js';
import type { WebhookConfig } from '../config/types.js';
import { calicoVersionOfObject } from '../targets/registry.js';
import { configMapsAmong } from '../k8s/config-maps.js';
import { describeObject } from '../k8s/object.js';
import type { RuleContext } from '../targets/target.js';
import { decodeManifest, encodeManifest } from './encoding.js';
import { ManifestError } from './errors.js';
import { editJson, readJson } from './json-edit.js';
import { looksLikeJson, readJsonStream } from './json-stream.js';
import { objectsOfDocument, pathLabel, replacedAt, type FileObject } from './file-objects.js';
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
  /** What fix writes: the engine's changes as edits addressed in the original object; [] when nothing changed. */
  edits: Change[];
  /** Why this document's changes were not written (the document is left as it was). */
  refused?: string;
}

export interface FileResult {
  /** The whole file with every target corrected; byte for byte the input where nothing changed. */
  fixedText: string;
  documents: DocumentResult[];
  /** Documents that were not judged and why (a mapping without a kind). */
  notes: string[];
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

interface Target extends FileObject {
  source: Source;
}

function targetsOf(text: string, source: Source, notes: string[]): Target[] {
  const where = `document ${source.index + 1} (line ${lineOf(text, source.start)})`;
  const { objects, skipped } = objectsOfDocument(source.value, where);
  if (skipped) notes.push(skipped);
  return objects.map((found) => ({ ...found, source }));
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

/** The YAML documents of the text from offset `from` on (after a JSON value, kubectl's fallback); indices from `first`. */
function yamlSources(text: string, from = 0, first = 0): Source[] {
  const chunks = chunksOf(text.slice(from)).map((c) => ({ start: c.start + from, end: c.end + from }));
  const counted = chunks.length > 1 && isPreamble(text.slice(chunks[0]?.start ?? 0, chunks[0]?.end ?? 0)) ? chunks.slice(1) : chunks;
  return counted.map((chunk, i) => {
    const index = first + i;
    const parsed = parseChunk(text.slice(chunk.start, chunk.end));
    const firstLine = lineOf(text, chunk.start);
    if (!('doc' in parsed)) {
      throw new ManifestError(`not valid YAML at line ${firstLine + parsed.line - 1}, column ${parsed.col}: ${parsed.message.replace(/ at line \d+, column \d+:?$/, '')} (document ${index + 1})`);
    }
    return { index, start: chunk.start, end: chunk.end, doc: parsed, value: readValue(parsed, `document ${index + 1} (line ${firstLine})`) };
  });
}

/** The file's documents as kubectl's YAMLOrJSONDecoder reads them: a JSON stream, YAML, or JSON then YAML. */
function sourcesOf(text: string): Source[] {
  if (!looksLikeJson(text)) return yamlSources(text);
  const stream = readJsonStream(text);
  const json: Source[] = stream.values.map((v, index) => ({ index, start: v.start, end: v.end, doc: undefined, value: v.value }));
  if (!stream.failure) return json;
  // After two good values the stream is unambiguously JSON; before that kubectl tries the rest as YAML.
  if (json.length > 1) throw new ManifestError(stream.failure.message);
  try {
    return [...json, ...yamlSources(text, stream.failure.rest, json.length)];
  } catch (error) {
    if (error instanceof ManifestError) throw new ManifestError(stream.failure.message);
    throw error;
  }
}

function lineEnding(text: string): string {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

/** The document's value with each target replaced by its mutated object: what the edited text must read as. */
function expectedValue(source: Source, analysed: { target: Target; analysis: Analysis }[]): unknown {
  let value = source.value;
  for (const { target, analysis } of analysed) value = replacedAt(value, target.path, analysis.mutated);
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
  const notes: string[] = [];
  const targets = sources.flatMap((source) => targetsOf(text, source, notes));
  if (targets.length === 0) throw new ManifestError(noObjects(text, notes));
  const objects = targets.map((t) => t.object);
  const calicoVersionHint = objects.map((o) => calicoVersionOfObject(o)).find((v) => v !== undefined);
  const ctx: RuleContext = { config, operation: 'CREATE', // ConfigMaps of the same file answer env references, as the cluster would; one not in the file cannot be known here.
    configMaps: configMapsAmong(objects), calicoVersionHint };

  const documents: DocumentResult[] = [];
  const edits: { start: number; end: number; text: string; order: number }[] = [];
  for (const source of sources) {
    const mine = targets.filter((t) => t.source === source);
    if (mine.length === 0) {
      documents.push({ index: source.index, label: `document ${source.index + 1}`, at: [], analysis: undefined, edits: [] });
      continue;
    }
    // A saved AdmissionReview is judged as the API server asked: its operation, against its oldObject.
    const analysed = mine.map((target) => ({ target, analysis: analyze(target.object, target.operation ? { ...ctx, operation: target.operation, oldObject: target.oldObject } : ctx) }));
    const results = analysed.map(({ target, analysis }): DocumentResult => ({
      index: source.index,
      label: `${describeObject(target.object)} (document ${source.index + 1}${target.path.length > 0 ? `, ${pathLabel(target.path)}` : ''})`,
      at: target.path,
      analysis: isTarget(analysis) ? analysis : undefined,
      // The one diff of the object: it is both what changed and the edits placed in the text.
      edits: isTarget(analysis) && analysis.mutation.changes.length > 0 ? structuralDiff(target.object, analysis.mutated, target.path) : [],
    }));
    documents.push(...results);
    const changes = results.flatMap((result) => result.edits);
    if (changes.length === 0) continue;
    const where = `document ${source.index + 1}`;
    const edited = editedDocument(text, source, changes, expectedValue(source, analysed.filter((_, i) => (results[i] as DocumentResult).edits.length > 0)), where);
    if (typeof edited === 'string') edits.push({ start: source.start, end: source.end, text: edited, order: 0 });
    else for (const result of results) if (result.edits.length > 0) result.refused = edited.refused;
  }
  return { fixedText: applyTextEdits(text, edits), documents, notes };
}

/** Why a file holds nothing to judge, in one line. */
function noObjects(text: string, notes: readonly string[]): string {
  if (notes[0] !== undefined) return `no Kubernetes objects in it: ${notes[0].replace(/; skipped$/, '')}`;
  return text.trim() === '' ? 'no Kubernetes objects in it (the file is empty)' : 'no Kubernetes objects in it (only empty documents or comments)';
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
