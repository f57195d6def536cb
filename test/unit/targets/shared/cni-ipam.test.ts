// Issue 23, point 4: host-local in the `ranges` form gets the treatment of the `subnet` form.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contextWith, rulesOf, run } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';

function configMap(ipam: string): KubeObject {
  const text = `{\n  "name": "k8s-pod-network",\n  "cniVersion": "0.3.1",\n  "plugins": [\n    {\n      "type": "calico",\n      "mtu": __CNI_MTU__,\n      "ipam": ${ipam}\n    }\n  ]\n}`;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'calico-config', namespace: 'kube-system' }, data: { cni_network_config: text } };
}
const text = (object: KubeObject) => (object.data as Record<string, string>).cni_network_config as string;
const V3_24 = { calicoVersion: 'v3.24.0' };

describe('host-local ranges form (issue 23)', () => {
  const ranges = '{"type": "host-local", "ranges": [[{"subnet": "usePodCidr"}]]}';

  it('ipv6-only: usePodCidr inside ranges becomes usePodCidrIPv6, in place', () => {
    const before = configMap(ranges);
    const { mutated, analysis } = run(before, contextWith({ overrides: V3_24 }));
    assert.equal(text(mutated), text(before).replace('"subnet": "usePodCidr"', '"subnet": "usePodCidrIPv6"'));
    assert.deepEqual(analysis.mutation.changes.map((c) => [c.rule, c.path]), [['calico-config/host-local-subnet', 'data.cni_network_config plugins[0].ipam.ranges[0][0].subnet']]);
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('dual-stack: a range set for the IPv6 pod CIDR is added beside the IPv4 one', () => {
    const { mutated } = run(configMap(ranges), contextWith({ overrides: { ...V3_24, mode: 'dual-stack' } }));
    assert.match(text(mutated), /"ranges": \[\[\{"subnet":"usePodCidr"\}\],\[\{"subnet":"usePodCidrIPv6"\}\]\]/);
  });

  it('already dual-stack ranges: nothing to change (idempotent)', () => {
    const dual = configMap('{"type": "host-local", "ranges": [[{"subnet": "usePodCidr"}], [{"subnet": "usePodCidrIPv6"}]]}');
    const { patch } = run(dual, contextWith({ overrides: { ...V3_24, mode: 'dual-stack' } }));
    assert.deepEqual(patch, []);
  });

  it('dual-stack before v3.22: refused, as the subnet form is', () => {
    const { analysis } = run(configMap(ranges), contextWith({ overrides: { calicoVersion: 'v3.20.0', mode: 'dual-stack' } }));
    assert.deepEqual(rulesOf(analysis.validation.problems), ['calico-config/host-local-subnet']);
    assert.equal(analysis.validation.problems[0]?.path, 'data.cni_network_config plugins[0].ipam.ranges');
  });

  it('unknown Calico version: a warning, as for the subnet form', () => {
    const { analysis } = run(configMap(ranges));
    assert.ok(analysis.validation.warnings.some((w) => /host-local uses usePodCidr; .* Calico version is unknown/.test(w)));
  });
});
