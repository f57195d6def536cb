// The offline engine over a multi-document YAML file (`fix` and `check`): the same analysis the webhook
// runs, with the file itself standing in for the cluster (its calico/node version, its ConfigMaps).
import { parseAllDocuments, type Document } from 'yaml';
import { isDeepStrictEqual } from 'node:util';
import { analyze, isTarget, patchOf, type Analysis } from '../engine/analyze.js';
import type { WebhookConfig } from '../config/types.js';
import { calicoVersionOfObject } from '../rules/registry.js';
import { describeObject, isRecord } from '../k8s/object.js';
import type { KubeObject } from '../k8s/object.js';
import type { RuleContext } from '../rules/target.js';
import type { PatchOperation } from '../patch/json-patch.js';
import { applyTextEdits, documentEdits, patchedDocumentText, type TextEdit } from './yaml-edit.js';

export class ManifestError extends Error {}

export interface DocumentResult {
  index: number;
  label: string;
  analysis: Analysis | undefined;
  patch: PatchOperation[];
}

export interface FileResult {
  /** The whole file with every target corrected; byte for byte the input where nothing changed. */
  fixedText: string;
  documents: DocumentResult[];
}

function objectsOf(docs: Document[]): (KubeObject | undefined)[] {
  return docs.map((doc) => {
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    return isRecord(value) && typeof value.kind === 'string' ? (value as KubeObject) : undefined;
  });
}

/** ConfigMap keys in the same file answer env valueFrom references, as the cluster would. */
function configMapLookup(objects: (KubeObject | undefined)[]): RuleContext['lookupConfigMapKey'] {
  return (namespace, name, key) => {
    for (const object of objects) {
      if (object?.kind !== 'ConfigMap' || object.metadata?.name !== name) continue;
      const ns = object.metadata?.namespace;
      if (ns !== undefined && ns !== namespace) continue;
      const value = isRecord(object.data) ? object.data[key] : undefined;
      if (typeof value === 'string') return value;
    }
    return undefined;
  };
}

export function analyzeManifest(src: string, config: WebhookConfig): FileResult {
  // Duplicate keys occur in real manifests (a lost `---`); like kubectl, the last one wins.
  const docs = parseAllDocuments(src, { uniqueKeys: false });
  if (!Array.isArray(docs)) return { fixedText: src, documents: [] };
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) throw new ManifestError(`not valid YAML at line ${error.linePos?.[0]?.line ?? '?'}, column ${error.linePos?.[0]?.col ?? '?'}: ${error.message.split('\n')[0]}`);
  }
  const objects = objectsOf(docs);
  const calicoVersionHint = objects.map((o) => (o ? calicoVersionOfObject(o) : undefined)).find((v) => v !== undefined);
  const ctx: RuleContext = { config, operation: 'CREATE', lookupConfigMapKey: configMapLookup(objects), calicoVersionHint };

  const documents: DocumentResult[] = objects.map((object, index) => {
    if (!object) return { index, label: `document ${index + 1}`, analysis: undefined, patch: [] };
    const analysis = analyze(object, ctx);
    return { index, label: `${describeObject(object)} (document ${index + 1})`, analysis: isTarget(analysis) ? analysis : undefined, patch: patchOf(analysis) };
  });
  return { fixedText: fixedText(src, docs, documents), documents };
}

/**
 * Each changed document's new text replaces that document's range: its own text edits when re-parsing
 * them reproduces the patched object exactly, else the document re-serialized. Edits are applied per
 * document first because two documents can edit the same offset (an append at the end of one and a
 * re-serialization of the next, which starts there), and one must not overwrite the other.
 */
function fixedText(src: string, docs: Document[], results: DocumentResult[]): string {
  const changed = results.filter((r) => r.patch.length > 0);
  if (changed.length === 0) return src;
  const replacements: TextEdit[] = [];
  for (const result of changed) {
    const doc = docs[result.index] as Document;
    const [start, , end] = docRange(doc);
    const docEdits = documentEdits(src, doc, result.patch);
    const edited = docEdits && editedDocument(src, doc, docEdits, result.analysis?.mutated);
    replacements.push({ start, end, text: edited ?? withDocStart(src, doc, patchedDocumentText(doc, result.patch)), order: 0 });
  }
  return applyTextEdits(src, replacements);
}

function docRange(doc: Document): [number, number, number] {
  if (!doc.range) throw new ManifestError('a YAML document without a position');
  return doc.range;
}

/** The document's text with its edits applied, or undefined when it does not parse back to `expected`. */
function editedDocument(src: string, doc: Document, edits: TextEdit[], expected: KubeObject | undefined): string | undefined {
  const [start, , end] = docRange(doc);
  const shifted = edits.map((e) => ({ ...e, start: e.start - start, end: e.end - start }));
  const text = applyTextEdits(src.slice(start, end), shifted);
  const reparsed = parseAllDocuments(text, { uniqueKeys: false });
  if (!Array.isArray(reparsed) || reparsed.length !== 1 || reparsed[0]?.errors.length) return undefined;
  return isDeepStrictEqual(reparsed[0]?.toJS(), expected) ? text : undefined;
}

/** The re-serialized document replaces its own range, which starts at its `---` when it has one. */
function withDocStart(src: string, doc: Document, text: string): string {
  const startsWithMarker = src.startsWith('---', docRange(doc)[0]);
  const body = text.replace(/^(#[^\n]*\n)*---\n?/, '');
  return startsWithMarker ? `---\n${body}` : body;
}
