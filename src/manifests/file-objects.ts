// Which Kubernetes objects a manifest file's documents hold, as kubectl would send them: an object, the
// items of a `List`, or, for a saved AdmissionReview, the object under review (request.object, with the
// request's operation and oldObject). A document that is not an object (plain text, a list, a number) makes
// the file unusable, as it does for kubectl ("Object 'Kind' is missing"); so does a file without objects.
import { isRecord, type KubeObject, type Operation } from '../k8s/object.js';
import { ManifestError } from './errors.js';
import type { Step } from './structural-diff.js';

export interface FileObject {
  /** Where the object sits in its document: [], ['items', i] or ['request', 'object']. */
  path: Step[];
  object: KubeObject;
  /** An AdmissionReview's request: the operation and the stored object it was judged against. */
  operation?: Operation;
  oldObject?: KubeObject;
}

function isKubeObject(value: unknown): value is KubeObject {
  return isRecord(value) && typeof value.kind === 'string';
}

const OPERATIONS: readonly string[] = ['CREATE', 'UPDATE'];

function reviewed(review: KubeObject, where: string): FileObject[] {
  const request = isRecord(review.request) ? review.request : undefined;
  const operation = typeof request?.operation === 'string' ? request.operation : undefined;
  if (!request || !isKubeObject(request.object)) {
    throw new ManifestError(`${where}: an AdmissionReview with no request.object${operation ? ` (operation ${operation})` : ''} has no object to judge`);
  }
  if (operation !== undefined && !OPERATIONS.includes(operation)) {
    throw new ManifestError(`${where}: an AdmissionReview of a ${operation} is admitted untouched; only CREATE and UPDATE are judged`);
  }
  const found: FileObject = { path: ['request', 'object'], object: request.object, operation: (operation ?? 'CREATE') as Operation };
  if (isKubeObject(request.oldObject)) found.oldObject = request.oldObject;
  return [found];
}

function notAnObject(value: unknown): string {
  if (typeof value === 'string') return 'plain text, not a Kubernetes object';
  if (Array.isArray(value)) return 'a list, not a Kubernetes object (an object with apiVersion and kind)';
  if (isRecord(value)) return "a mapping with no kind, not a Kubernetes object (kubectl: Object 'Kind' is missing)";
  return `a ${typeof value}, not a Kubernetes object`;
}

/**
 * The objects of one document; [] for an empty one. `where` names the document for messages. A mapping
 * without a kind is skipped with a note rather than refused: Calico's own release manifests up to v3.1
 * open with Jekyll front matter (`layout: null`), and the rest of such a file is still worth judging.
 */
export function objectsOfDocument(value: unknown, where: string): { objects: FileObject[]; skipped?: string } {
  if (value === null || value === undefined) return { objects: [] };
  if (isRecord(value) && !isKubeObject(value)) return { objects: [], skipped: `${where} is ${notAnObject(value)}; skipped` };
  if (!isKubeObject(value)) throw new ManifestError(`${where} is ${notAnObject(value)}`);
  return { objects: objectsOf(value, where) };
}

function objectsOf(value: KubeObject, where: string): FileObject[] {
  if (value.kind === 'AdmissionReview') return reviewed(value, where);
  if (value.kind?.endsWith('List') === true && Array.isArray(value.items)) {
    return value.items.flatMap((item, i) => (isKubeObject(item) ? [{ path: ['items', i], object: item }] : []));
  }
  return [{ path: [], object: value }];
}

/** `items[2]`, `request.object`: where in its document an object sits, for labels. */
export function pathLabel(path: readonly Step[]): string {
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : `${i === 0 ? '' : '.'}${step}`)).join('');
}

/** The value with the part at `path` replaced (copies along the path; the rest shared). */
export function replacedAt(value: unknown, path: readonly Step[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [step, ...rest] = path as [Step, ...Step[]];
  if (Array.isArray(value) && typeof step === 'number') return value.map((item, i) => (i === step ? replacedAt(item, rest, replacement) : item));
  const record = value as Record<string, unknown>;
  return { ...record, [step]: replacedAt(record[step as string], rest, replacement) };
}
