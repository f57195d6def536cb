// Issue 23, point 4: a calico-node DaemonSet under another name is known by its calico/node container.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { calicoNodeTarget } from '../../../../src/targets/calico-node/calico-node.js';
import { contextWith, rulesOf, run } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';

function daemonSet(name: string, image: string, kind = 'DaemonSet', apiVersion = 'apps/v1'): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: 'kube-system' },
    spec: { template: { spec: { containers: [{ name: 'node', image, env: [{ name: 'FELIX_IPV6SUPPORT', value: 'false' }] }] } } } };
}

describe('calico-node recognised by its calico/node container (issue 23)', () => {
  for (const image of ['calico/node:v3.30.0', 'quay.io/calico/node:v3.30.0', 'docker.io/calico/node:v3.30.0', 'registry.example.com:5000/mirror/calico/node:v3.30.0', 'calico/node@sha256:' + 'a'.repeat(64)]) {
    it(`canal-node running ${image} is calico-node`, () => {
      assert.equal(calicoNodeTarget.matches(daemonSet('canal-node', image)), true);
    });
  }

  it('is judged like calico-node: FELIX_IPV6SUPPORT set, IP6 added', () => {
    const { analysis } = run(daemonSet('canal-node', 'quay.io/calico/node:v3.30.0'), contextWith());
    assert.ok(rulesOf(analysis.mutation.changes).includes('calico-node/felix-ipv6'));
    assert.ok(rulesOf(analysis.mutation.changes).includes('calico-node/ip6'));
  });

  it('not another image, not another kind, not a look-alike name', () => {
    assert.equal(calicoNodeTarget.matches(daemonSet('canal-node', 'calico/cni:v3.30.0')), false);
    assert.equal(calicoNodeTarget.matches(daemonSet('x', 'example.com/notcalico/node-exporter:v1')), false);
    assert.equal(calicoNodeTarget.matches(daemonSet('x', 'calico/nodes:v1')), false);
    assert.equal(calicoNodeTarget.matches(daemonSet('canal-node', 'calico/node:v3.30.0', 'Deployment')), false);
    assert.equal(calicoNodeTarget.matches(daemonSet('canal-node', 'calico/node:v3.30.0', 'DaemonSet', 'extensions/v1beta1')), true);
  });
});
