// CNI template parses are remembered per analysis (AnalysisMemo), never across analyses or apps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CniTemplate } from '../../../../src/targets/shared/cni-template.js';
import { AnalysisMemo } from '../../../../src/targets/target.js';

const TEXT = '{"type": "calico", "ipam": {"type": "calico-ipam"}}';

describe('CNI template parse memo', () => {
  it('one memo parses a text once, and an edit is remembered for the validation that follows', () => {
    const memo = new AnalysisMemo();
    const first = CniTemplate.parse(TEXT, memo);
    assert.equal(CniTemplate.parse(TEXT, memo), first);
    assert.ok(first.ok);
    const edited = first.template.withProperty(['ipam'], 'assign_ipv6', 'true');
    const again = CniTemplate.parse(edited.text, memo);
    assert.ok(again.ok);
    assert.equal(again.template, edited);
  });

  it('nothing is shared without a memo or between memos', () => {
    assert.notEqual(CniTemplate.parse(TEXT), CniTemplate.parse(TEXT));
    assert.notEqual(CniTemplate.parse(TEXT, new AnalysisMemo()), CniTemplate.parse(TEXT, new AnalysisMemo()));
  });
});
