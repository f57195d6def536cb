// Every way an AdmissionReview answer can look, built here and nowhere else (controller-runtime's
// response.go is the model): allowed, patched, denied, errored, and refused before review (a bad
// request). The request's uid is set in one place, `respond`; the wire version in `reviewBody`.
import type { PatchOperation } from '../patch/json-patch.js';
import { encodeReview, type AdmissionResponse, type ReviewVersion } from './review.js';

/** An answer before it is addressed to a request. */
export type Answer = Omit<AdmissionResponse, 'uid'>;

function withWarnings(answer: Answer, warnings: readonly string[]): Answer {
  return warnings.length > 0 ? { ...answer, warnings: [...warnings] } : answer;
}

/** Admitted unchanged (with warnings for the user, if any). */
export function allowed(warnings: readonly string[] = []): Answer {
  return withWarnings({ allowed: true }, warnings);
}

/** Admitted with a JSON patch; an empty patch is a plain allowed. */
export function patched(patch: readonly PatchOperation[], warnings: readonly string[] = []): Answer {
  return patch.length > 0 ? withWarnings({ allowed: true, patch }, warnings) : allowed(warnings);
}

/** Refused by the rules: 403 for policy, 400 for an object they cannot read. */
export function denied(code: 400 | 403, message: string, warnings: readonly string[] = []): Answer {
  return withWarnings({ allowed: false, status: { code, reason: code === 400 ? 'BadRequest' : 'Forbidden', message } }, warnings);
}

/** A rule failed (a bug): refused with 500, so the API server applies the failurePolicy and the user sees why. */
export function errored(message: string): Answer {
  return { allowed: false, status: { code: 500, reason: 'InternalError', message } };
}

/** Refused before review: the request is not a usable AdmissionReview. The code is the HTTP status too. */
export function refused(httpStatus: number, message: string): Answer {
  return { allowed: false, status: { code: httpStatus, message } };
}

/** The answer addressed to the request: the one place the uid is set. */
export function respond(uid: string, answer: Answer): AdmissionResponse {
  return { uid, ...answer };
}

/**
 * The AdmissionReview body for an answer, in the version the request used (v1 when it could not be
 * read), with the uid when it could be read ('' otherwise).
 */
export function reviewBody(apiVersion: ReviewVersion, uid: string, answer: Answer): Record<string, unknown> {
  return encodeReview(apiVersion, respond(uid, answer));
}
