// One admission request from its body's bytes to its answer's bytes: read once (by the caller), checked
// in one pass over the bytes (UTF-8, depth, object members), parsed once, decoded, reviewed, and the
// answer serialized once. No HTTP here, so it runs the same on the event loop and in the large-review
// worker; metrics and the review log come from the Reviewer's decorator.
import { refused, reviewBody } from './answer.js';
import type { Endpoint, Reviewer } from './handler.js';
import { clipLogged } from './instrumented.js';
import { countMembers, findDuplicateKey, JsonLimitError, scanJson } from './json-limits.js';
import { decodeReview, encodeReview, ReviewDecodeError, type ReviewVersion } from './review.js';

/** Why a body was refused before review, for the bad-request counter and the log (plain data). */
export interface Refusal {
  status: number;
  error: string;
  uid: string | undefined;
}

export interface BodyAnswer {
  /** HTTP status of the answer. */
  status: number;
  /** The AdmissionReview answer, serialized. */
  text: string;
  /** Set when the body was refused before review. */
  refusal?: Refusal;
}

/** The serialized answer refusing a request before review, with the HTTP status it names. */
export function refusalText(status: number, message: string, apiVersion: ReviewVersion = 'admission.k8s.io/v1', uid = ''): string {
  return JSON.stringify(reviewBody(apiVersion, uid, refused(status, message)));
}

function refuse(message: string, error: string, apiVersion?: ReviewVersion, uid?: string): BodyAnswer {
  return { status: 400, text: refusalText(400, message, apiVersion, uid), refusal: { status: 400, error, uid: clipLogged(uid) || undefined } };
}

function described(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

/** The answer to one body. Never throws for anything a client sends; the reviewer's decorator handles rule failures. */
export function answerBody(endpoint: Endpoint, raw: Buffer, review: Reviewer): BodyAnswer {
  let members: number;
  try {
    members = scanJson(raw).members;
  } catch (error) {
    if (!(error instanceof JsonLimitError)) throw error;
    return refuse(`malformed body: ${error.message}`, error.type);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return refuse(`malformed JSON body: ${(error as Error).message}`, 'json.parse');
  }
  // Strict, as express.json was: a bare string, number or null is not an AdmissionReview.
  if (typeof body !== 'object' || body === null) return refuse(`malformed JSON body: expected an object or a list, got ${described(body)}`, 'json.strict');
  if (countMembers(body) !== members) {
    // JSON.parse kept the last of a repeated key; name it instead (see json-limits.ts for why).
    const duplicate = findDuplicateKey(raw.toString('utf8'));
    const what = duplicate ? `key ${JSON.stringify(clipLogged(duplicate.key))} appears twice in ${clipLogged(duplicate.path)}` : 'a key appears twice in one object';
    return refuse(`malformed body: ${what}; the API server never sends duplicate keys`, what);
  }
  let request;
  try {
    request = decodeReview(body);
  } catch (error) {
    if (!(error instanceof ReviewDecodeError)) throw error;
    return refuse(`malformed AdmissionReview: ${error.message}`, clipLogged(error.message) ?? '', error.apiVersion, error.uid);
  }
  return { status: 200, text: JSON.stringify(encodeReview(request.apiVersion, review(endpoint, request).response)) };
}
