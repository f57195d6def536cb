// doctor's view of the operator's Installation: the stored spec by the Installation rules, each item judged
// again on status.computed (what the operator renders calico-node from), and the operator's conditions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { guideItems, runClusterChecks } from '../../../src/doctor/run.js';
import type { ClusterSnapshot } from '../../../src/doctor/snapshot.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { configWith } from '../../support/fixtures.js';

const POOL_V6 = { name: 'default-ipv6-ippool', cidr: 'fd20::/112', blockSize: 122, encapsulation: 'None', natOutgoing: 'Enabled', nodeSelector: 'all()' };
const GOOD_NETWORK = { bgp: 'Enabled', ipPools: [POOL_V6], nodeAddressAutodetectionV6: { firstFound: true } };

function installation(spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec, status };
}

function checks(object: KubeObject | undefined, config = configWith()) {
  const snapshot: ClusterSnapshot = {
    pods: { ok: true, value: [] }, kubeadmConfig: { ok: true, value: undefined }, settings: {},
    kubeletConfig: { ok: true, value: undefined }, nodes: { ok: true, value: [] }, configz: {},
    targets: { objects: object ? [object] : [], failures: [] }, context: { configMaps: {}, calicoVersionHint: undefined, failures: [] },
    scope: { all: false, namespaces: ['kube-system'] },
  };
  return runClusterChecks(snapshot, config).filter((c) => c.id.startsWith('installation.'));
}

const statusOf = (list: { id: string; status: string }[]) => Object.fromEntries(list.map((c) => [c.id, c.status]));
const READY = { conditions: [{ type: 'Ready', status: 'True', reason: 'AllObjectsAvailable' }] };

describe('doctor: the Installation', () => {
  it('a good spec that the operator computed the same way, and Ready: every item passes', () => {
    const list = checks(installation({ calicoNetwork: GOOD_NETWORK }, { ...READY, computed: { calicoNetwork: GOOD_NETWORK } }));
    assert.deepEqual(statusOf(list), {
      'installation.ipv6-pool//default': 'pass', 'installation.autodetection-v6//default': 'pass', 'installation.ip-none//default': 'pass', 'installation.operator-status//default': 'pass',
    });
    assert.match(list[0]?.evidence ?? '', /^status\.computed: ipPools \[/);
  });

  it('status.computed counts: v4 autodetection defaulted by the operator fails ip-none; Degraded fails with its message', () => {
    const computed = { calicoNetwork: { ...GOOD_NETWORK, nodeAddressAutodetectionV4: { firstFound: true } } };
    const degraded = { conditions: [{ type: 'Degraded', status: 'True', reason: 'InvalidConfigurationError', message: 'error validating IP pool configuration' }] };
    const list = checks(installation({ calicoNetwork: GOOD_NETWORK }, { ...degraded, computed }));
    assert.equal(statusOf(list)['installation.ip-none//default'], 'fail');
    assert.equal(statusOf(list)['installation.ipv6-pool//default'], 'pass');
    const status = list.find((c) => c.id === 'installation.operator-status//default');
    assert.equal(status?.status, 'fail');
    assert.match(status?.evidence ?? '', /InvalidConfigurationError error validating IP pool configuration/);
  });

  it('a stored spec without IPv6 fails with the rules\' reasons (what the webhook would change)', () => {
    const list = checks(installation({ calicoNetwork: { ipPools: [{ cidr: '192.168.0.0/16' }] } }, READY));
    assert.equal(statusOf(list)['installation.ipv6-pool//default'], 'fail');
    assert.equal(statusOf(list)['installation.autodetection-v6//default'], 'fail');
    assert.match(list[0]?.evidence ?? '', /the webhook would change: \[installation\/ipv6-pool\]/);
  });

  it('a computed spec that lost the IPv6 pool fails, though the stored spec is right', () => {
    const list = checks(installation({ calicoNetwork: GOOD_NETWORK }, { ...READY, computed: { calicoNetwork: { ...GOOD_NETWORK, ipPools: [{ cidr: '192.168.0.0/16' }] } } }));
    assert.equal(statusOf(list)['installation.ipv6-pool//default'], 'fail');
    assert.match(list[0]?.evidence ?? '', /^status\.computed: \[installation\/ipv6-pool\]/);
  });

  it('no Installation (a manifest install, or no operator CRD): nothing reported, and not among the guide\'s items', () => {
    assert.deepEqual(checks(undefined), []);
    assert.equal(guideItems('ipv6-only').some((i) => i.startsWith('installation.')), false);
  });

  it('dual-stack: no ip-none item', () => {
    const list = checks(installation({ calicoNetwork: { ...GOOD_NETWORK, ipPools: [{ cidr: '10.244.0.0/16' }, POOL_V6] } }, READY), configWith({ mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16' }));
    assert.deepEqual(list.map((c) => c.id), ['installation.ipv6-pool//default', 'installation.autodetection-v6//default', 'installation.operator-status//default']);
  });
});
