// Every answer the webhook gives, from the one module that builds them, in the version asked, with the uid.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowed, denied, errored, patched, refused, respond, reviewBody } from '../../../src/admission/answer.js';

describe('answers', () => {
  it('allowed: warnings only when there are some', () => {
    assert.deepEqual(allowed(), { allowed: true });
    assert.deepEqual(allowed(['careful']), { allowed: true, warnings: ['careful'] });
  });

  it('patched: an empty patch is a plain allowed', () => {
    const patch = [{ op: 'add' as const, path: '/data/x', value: 'y' }];
    assert.deepEqual(patched(patch, ['w']), { allowed: true, patch, warnings: ['w'] });
    assert.deepEqual(patched([]), { allowed: true });
  });

  it('denied: 403 Forbidden for policy, 400 BadRequest for an unreadable object, warnings kept', () => {
    assert.deepEqual(denied(403, 'no', ['w']), { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'no' }, warnings: ['w'] });
    assert.deepEqual(denied(400, 'cannot read'), { allowed: false, status: { code: 400, reason: 'BadRequest', message: 'cannot read' } });
  });

  it('errored: 500 InternalError; refused: the HTTP status, no reason', () => {
    assert.deepEqual(errored('boom'), { allowed: false, status: { code: 500, reason: 'InternalError', message: 'boom' } });
    assert.deepEqual(refused(415, 'content type'), { allowed: false, status: { code: 415, message: 'content type' } });
  });

  it('respond sets the uid; reviewBody answers in the version asked, the patch base64 JSONPatch', () => {
    assert.deepEqual(respond('u-1', allowed()), { uid: 'u-1', allowed: true });
    const patch = [{ op: 'replace' as const, path: '/spec/clusterIP', value: 'fd00:10:96::a' }];
    for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const) {
      const body = reviewBody(apiVersion, 'u-2', patched(patch)) as { apiVersion: string; kind: string; response: Record<string, unknown> };
      assert.equal(body.apiVersion, apiVersion);
      assert.equal(body.kind, 'AdmissionReview');
      assert.equal(body.response.uid, 'u-2');
      assert.equal(body.response.patchType, 'JSONPatch');
      assert.deepEqual(JSON.parse(Buffer.from(String(body.response.patch), 'base64').toString('utf8')), patch);
    }
    assert.deepEqual(reviewBody('admission.k8s.io/v1', '', refused(400, 'bad')).response, { uid: '', allowed: false, status: { code: 400, message: 'bad' } });
  });
});
