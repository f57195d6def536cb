// The byte-level checks on a body before and after JSON.parse: UTF-8, depth, duplicate keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countMembers, findDuplicateKey, JsonLimitError, MAX_JSON_DEPTH, scanJson } from '../../../src/admission/json-limits.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('scanJson', () => {
  it('counts object members, ignoring braces and colons inside strings', () => {
    const text = '{"a": {"b": "x:{}\\"", "c": [1, {"d": 2}]}}';
    const scan = scanJson(bytes(text));
    assert.equal(scan.members, countMembers(JSON.parse(text)));
    assert.equal(scan.members, 4);
    assert.equal(scan.depth, 4);
  });

  it('refuses nesting over the limit and invalid UTF-8, with the error type', () => {
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    assert.throws(() => scanJson(bytes(deep)), (e: unknown) => e instanceof JsonLimitError && e.type === 'json.depth' && e.status === 400);
    assert.doesNotThrow(() => scanJson(bytes(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)));
    assert.throws(() => scanJson(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), (e: unknown) => e instanceof JsonLimitError && e.type === 'json.utf8');
  });
});

describe('duplicate keys', () => {
  it('a duplicate shows as fewer members after parsing, and findDuplicateKey names it with its path', () => {
    const text = '{"request": {"object": {"spec": {"clusterIP": "10.96.0.10", "clusterIP": "fd00:10:96::a"}}}}';
    assert.notEqual(countMembers(JSON.parse(text)), scanJson(bytes(text)).members);
    assert.deepEqual(findDuplicateKey(text), { key: 'clusterIP', path: 'request.object.spec' });
  });

  it('keys are compared after unescaping; list items and odd keys get readable paths', () => {
    assert.deepEqual(findDuplicateKey('{"a": [{"x": 1}, {"\\u0078": 2, "x": 3}]}'), { key: 'x', path: 'a[1]' });
    assert.deepEqual(findDuplicateKey('{"my key": {"k": 1, "k": 2}}'), { key: 'k', path: '["my key"]' });
    assert.equal(findDuplicateKey('{"a": 1, "b": {"a": 2}}'), undefined);
  });
});
