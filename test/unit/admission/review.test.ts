// AdmissionReview decoding into the version-neutral request, and the object as the rules see it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeReview, objectForRules, ReviewDecodeError } from '../../../src/admission/review.js';

const body = (request: Record<string, unknown>, apiVersion = 'admission.k8s.io/v1') => ({ apiVersion, kind: 'AdmissionReview', request });
const REQUEST = { uid: 'u-1', kind: { group: 'apps', version: 'v1', kind: 'DaemonSet' }, operation: 'CREATE', namespace: 'kube-system', name: 'calico-node', object: { metadata: {} } };

function refusal(value: unknown): ReviewDecodeError {
  try {
    decodeReview(value);
  } catch (error) {
    if (error instanceof ReviewDecodeError) return error;
    throw error;
  }
  throw new Error('decoded');
}

describe('decodeReview', () => {
  it('v1 and v1beta1 decode to one model; empty strings and null are absent; group defaults to core', () => {
    for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']) {
      const request = decodeReview(body({ ...REQUEST, kind: { version: 'v1', kind: 'ConfigMap' }, name: '', oldObject: null, dryRun: true }, apiVersion));
      assert.equal(request.apiVersion, apiVersion);
      assert.deepEqual(request.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
      assert.equal(request.name, undefined);
      assert.equal(request.oldObject, undefined);
      assert.equal(request.dryRun, true);
    }
  });

  it('refuses what is not a usable review, saying what, keeping the version and uid once they are known', () => {
    assert.match(refusal([]).message, /AdmissionReview object, got a list/);
    assert.match(refusal(body(REQUEST, 'admission.k8s.io/v2')).message, /apiVersion must be one of/);
    const noRequest = refusal({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview' });
    assert.equal(noRequest.apiVersion, 'admission.k8s.io/v1beta1');
    assert.equal(noRequest.uid, '');
    const badOperation = refusal(body({ ...REQUEST, operation: 'PATCH' }));
    assert.equal(badOperation.uid, 'u-1');
    assert.match(badOperation.message, /request.operation must be one of CREATE, UPDATE, DELETE, CONNECT, got "PATCH"/);
    assert.match(refusal(body({ ...REQUEST, object: 'x' })).message, /request.object must be an object, got string/);
    assert.match(refusal(body({ ...REQUEST, dryRun: 'yes' })).message, /request.dryRun must be a boolean/);
  });

  it('a huge found value is clipped in the message', () => {
    const message = refusal(body({ ...REQUEST, operation: 'X'.repeat(10_000) })).message;
    assert.ok(message.length < 300, `${message.length} characters`);
    assert.match(message, /…\(10002 chars\)$/);
  });
});

describe('objectForRules', () => {
  it('fills kind, namespace and name from the request when the object lacks them, without touching the original', () => {
    const request = decodeReview(body(REQUEST));
    const object = { metadata: { generateName: 'x-' } };
    const filled = objectForRules(object, request);
    assert.equal(filled.kind, 'DaemonSet');
    assert.deepEqual(filled.metadata, { generateName: 'x-', namespace: 'kube-system', name: 'calico-node' });
    assert.deepEqual(object, { metadata: { generateName: 'x-' } });
    const own = { kind: 'DaemonSet', metadata: { name: 'canal', namespace: 'calico' } };
    assert.deepEqual(objectForRules(own, request), own);
  });
});
