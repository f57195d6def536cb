// Issue 23, point 4: a CNI configuration inline in install-cni's CNI_NETWORK_CONFIG is judged like calico-config's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contextWith, rulesOf, run } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';

const CNI = `{\n  "name": "k8s-pod-network",\n  "cniVersion": "0.3.1",\n  "plugins": [\n    {\n      "type": "calico",\n      "mtu": __CNI_MTU__,\n      "ipam": {"type": "calico-ipam"}\n    }\n  ]\n}`;

function daemonSet(config: string, image = 'calico/node:v3.30.0'): KubeObject {
  const env = [{ name: 'CALICO_IPV6POOL_CIDR', value: 'fd20::/112' }, { name: 'IP6', value: 'autodetect' }, { name: 'FELIX_IPV6SUPPORT', value: 'true' }, { name: 'IP', value: 'none' }, { name: 'CALICO_ROUTER_ID', value: 'hash' }, { name: 'CALICO_IPV4POOL_CIDR', value: 'none' }];
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'kube-system' }, spec: { template: { spec: {
    initContainers: [{ name: 'install-cni', image: 'calico/cni:v3.30.0', env: [{ name: 'CNI_NETWORK_CONFIG', value: config }] }],
    containers: [{ name: 'calico-node', image, env }],
  } } } };
}
const inline = (object: KubeObject) => ((object.spec as { template: { spec: { initContainers: { env: { value: string }[] }[] } } }).template.spec.initContainers[0]?.env[0]?.value);
const PATH = 'spec.template.spec.initContainers[name=install-cni].env[name=CNI_NETWORK_CONFIG]';

describe('install-cni CNI_NETWORK_CONFIG inline (issue 23)', () => {
  it('calico-ipam gets the assign flags, edited in place (placeholders kept)', () => {
    const { mutated, analysis } = run(daemonSet(CNI), contextWith());
    assert.equal(inline(mutated), CNI.replace('{"type": "calico-ipam"}', '{"type": "calico-ipam",\n      "assign_ipv4": "false",\n      "assign_ipv6": "true"}'));
    assert.deepEqual(analysis.mutation.changes.filter((c) => c.rule.startsWith('calico-node/cni')).map((c) => [c.rule, c.path]), [
      ['calico-node/cni/assign', `${PATH} plugins[0].ipam.assign_ipv4`], ['calico-node/cni/assign', `${PATH} plugins[0].ipam.assign_ipv6`],
    ]);
    assert.deepEqual(run(mutated).patch, [], 'idempotent');
  });

  it('host-local ranges form, ipv6_pools outside podCIDR and a broken template are judged as in the ConfigMap', () => {
    const ranges = run(daemonSet(CNI.replace('{"type": "calico-ipam"}', '{"type": "host-local", "ranges": [[{"subnet": "usePodCidr"}]]}')), contextWith()).mutated;
    assert.match(inline(ranges) ?? '', /"subnet": "usePodCidrIPv6"/);
    const pools = run(daemonSet(CNI.replace('{"type": "calico-ipam"}', '{"type": "calico-ipam", "assign_ipv4": "false", "assign_ipv6": "true", "ipv6_pools": ["fd99::/112"]}'))).analysis;
    assert.deepEqual(rulesOf(pools.validation.problems), ['calico-node/cni/ipv6-pools']);
    const broken = run(daemonSet('{"plugins": [')).analysis;
    assert.ok([...broken.mutation.malformed, ...broken.validation.malformed].some((f) => f.rule === 'calico-node/cni/template'));
  });
});
