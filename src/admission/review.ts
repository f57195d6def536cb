// AdmissionReview v1 and v1beta1 <-> one version-neutral model. The only code that knows the wire shape.
import { isRecord, type KubeObject, type Operation } from '../k8s/object.js';
import { clip } from '../text/clip.js';
import type { PatchOperation } from '../patch/json-patch.js';
import { encodePatch } from '../patch/json-patch.js';

const REVIEW_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type ReviewVersion = (typeof REVIEW_VERSIONS)[number];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface AdmissionRequest {
  apiVersion: ReviewVersion;
  uid: string;
  kind: GroupVersionKind;
  namespace: string | undefined;
  name: string | undefined;
  operation: Operation;
  object: KubeObject | undefined;
  oldObject: KubeObject | undefined;
  dryRun: boolean;
  /** `status`, `scale`, ...: a request for a subresource, not the object's spec. */
  subResource?: string | undefined;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason?: string; message: string };
  patch?: readonly PatchOperation[];
  warnings?: string[];
}

/** A body that is not a usable AdmissionReview; `uid` is kept when it could be read, to answer in kind. */
export class ReviewDecodeError extends Error {
  constructor(
    message: string,
    readonly apiVersion: ReviewVersion = 'admission.k8s.io/v1',
    readonly uid = '',
  ) {
    super(message);
    this.name = 'ReviewDecodeError';
  }
}

const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/** What a malformed field held, for the error message: its JSON or its shape, clipped so a huge value cannot make a huge answer. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  return clip(typeof value === 'object' && value !== null ? (Array.isArray(value) ? 'a list' : 'an object') : JSON.stringify(value), 80);
}

function optionalObject(value: unknown, field: string, apiVersion: ReviewVersion, uid: string): KubeObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new ReviewDecodeError(`request.${field} must be an object, got ${Array.isArray(value) ? 'a list' : typeof value}`, apiVersion, uid);
  return value as KubeObject;
}

function optionalString(value: unknown, field: string, apiVersion: ReviewVersion, uid: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ReviewDecodeError(`request.${field} must be a string, got ${typeof value}`, apiVersion, uid);
  return value;
}

export function decodeReview(body: unknown): AdmissionRequest {
  if (!isRecord(body)) throw new ReviewDecodeError(`the body must be an AdmissionReview object, got ${Array.isArray(body) ? 'a list' : body === null ? 'null' : typeof body}`);
  const apiVersion = body.apiVersion;
  if (!(REVIEW_VERSIONS as readonly unknown[]).includes(apiVersion)) {
    throw new ReviewDecodeError(`apiVersion must be one of ${REVIEW_VERSIONS.join(', ')}, got ${describeValue(apiVersion)}`);
  }
  const version = apiVersion as ReviewVersion;
  if (body.kind !== 'AdmissionReview') throw new ReviewDecodeError(`kind must be AdmissionReview, got ${describeValue(body.kind)}`, version);
  const request = body.request;
  if (!isRecord(request)) throw new ReviewDecodeError('the AdmissionReview has no request object', version);
  const uid = request.uid;
  if (typeof uid !== 'string' || uid === '') throw new ReviewDecodeError(`request.uid must be a non-empty string, got ${describeValue(uid)}`, version);
  const operation = request.operation;
  if (!(OPERATIONS as readonly unknown[]).includes(operation)) {
    throw new ReviewDecodeError(`request.operation must be one of ${OPERATIONS.join(', ')}, got ${describeValue(operation)}`, version, uid);
  }
  const kind = request.kind;
  if (!isRecord(kind) || typeof kind.kind !== 'string' || typeof kind.version !== 'string' || (kind.group !== undefined && typeof kind.group !== 'string')) {
    throw new ReviewDecodeError(`request.kind must be {group, version, kind} strings, got ${describeValue(kind)}`, version, uid);
  }
  if (request.dryRun !== undefined && request.dryRun !== null && typeof request.dryRun !== 'boolean') {
    throw new ReviewDecodeError(`request.dryRun must be a boolean, got ${typeof request.dryRun}`, version, uid);
  }
  return {
    apiVersion: version,
    uid,
    kind: { group: (kind.group as string | undefined) ?? '', version: kind.version, kind: kind.kind },
    namespace: optionalString(request.namespace, 'namespace', version, uid),
    name: optionalString(request.name, 'name', version, uid),
    operation: operation as Operation,
    object: optionalObject(request.object, 'object', version, uid),
    oldObject: optionalObject(request.oldObject, 'oldObject', version, uid),
    dryRun: request.dryRun === true,
    subResource: optionalString(request.subResource, 'subResource', version, uid),
  };
}

/** The answer, in the AdmissionReview version that was asked. */
export function encodeReview(apiVersion: ReviewVersion, response: AdmissionResponse): Record<string, unknown> {
  const out: Record<string, unknown> = { uid: response.uid, allowed: response.allowed };
  if (response.status) out.status = { ...response.status };
  if (response.patch && response.patch.length > 0) {
    out.patchType = 'JSONPatch';
    out.patch = encodePatch(response.patch);
  }
  if (response.warnings && response.warnings.length > 0) out.warnings = response.warnings;
  return { apiVersion, kind: 'AdmissionReview', response: out };
}

/**
 * The object as the rules should see it: the API server may leave out kind (v1beta1 clients) or the
 * namespace (on CREATE); both are taken from the request so that matching and messages work.
 */
export function objectForRules(object: KubeObject, request: AdmissionRequest): KubeObject {
  const filled: KubeObject = { ...object };
  if (typeof filled.kind !== 'string') filled.kind = request.kind.kind;
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  if (typeof metadata.namespace !== 'string' && request.namespace !== undefined) filled.metadata = { ...metadata, namespace: request.namespace };
  if (typeof metadata.name !== 'string' && request.name !== undefined) filled.metadata = { ...(filled.metadata ?? metadata), name: request.name };
  return filled;
}
