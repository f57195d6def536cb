// In-place edits of the CNI template: reading a value, and replacing one member by another (issue 14: the
// dual-stack host-local two-range form), every other byte kept.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CniTemplate } from '../../../../src/targets/shared/cni-template.js';

const CANAL_TEMPLATE = `{
  "name": "k8s-pod-network",
  "plugins": [
    {
      "type": "calico",
      "mtu": __CNI_MTU__,
      "ipam": {
          "type": "host-local",
          "subnet": "usePodCidr"
      },
      "kubernetes": { "kubeconfig": "__KUBECONFIG_FILEPATH__" }
    }
  ]
}`;

function parse(text: string): CniTemplate {
  const parsed = CniTemplate.parse(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.template;
}

describe('cni-template: valueAt and withMemberReplaced', () => {
  it('valueAt reads through placeholders; the last duplicate wins', () => {
    const template = parse(CANAL_TEMPLATE);
    assert.equal(template.valueAt(['plugins', 0, 'ipam', 'subnet']), 'usePodCidr');
    assert.equal(template.valueAt(['plugins', 0, 'nope']), undefined);
    assert.equal(parse('{"a": 1, "a": 2}').valueAt(['a']), 2);
  });

  it('the subnet member becomes the two-range form in its place; the rest is byte-identical', () => {
    const ranges = '[[{"subnet": "usePodCidr"}], [{"subnet": "usePodCidrIPv6"}]]';
    const edited = parse(CANAL_TEMPLATE).withMemberReplaced(['plugins', 0, 'ipam'], 'subnet', 'ranges', ranges);
    assert.equal(edited.text, CANAL_TEMPLATE.replace('"subnet": "usePodCidr"', `"ranges": ${ranges}`));
    assert.deepEqual(JSON.parse(JSON.stringify(edited.valueAt(['plugins', 0, 'ipam']))), { type: 'host-local', ranges: [[{ subnet: 'usePodCidr' }], [{ subnet: 'usePodCidrIPv6' }]] });
  });

  it('a missing member or broken JSON text is an error, not a silent no-op', () => {
    assert.throws(() => parse(CANAL_TEMPLATE).withMemberReplaced(['plugins', 0, 'ipam'], 'ranges', 'x', '1'), /no member ranges/);
    assert.throws(() => parse(CANAL_TEMPLATE).withMemberReplaced(['plugins', 0, 'ipam'], 'subnet', 'ranges', '[[{'), /broke it/);
  });
});
