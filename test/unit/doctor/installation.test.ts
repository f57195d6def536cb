// doctor's view of the operator's Installation: status.computed judged by the Installation rule, and the operator's conditions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { installationChecks } from '../../../src/doctor/installation.js';
import { configWith } from '../../support/fixtures.js';
import type { KubeObject } from '../../../src/rules/types.js';

const POOL_V6 = { name: 'default-ipv6-ippool', cidr: 'fd20::/112', blockSize: 122, encapsulation: 'None', natOutgoing: 'Enabled', nodeSelector: 'all()' };

function installation(computedNetwork: Record<string, unknown> | undefined, conditions: Record<string, unknown>[] = []): KubeObject {
  return {
    apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' },
    spec: { calicoNetwork: { ipPools: [{ cidr: '10.0.0.0/16' }] } },
    status: { ...(computedNetwork ? { computed: { cni: { type: 'Calico', ipam: { type: 'Calico' } }, calicoNetwork: computedNetwork } } : {}), conditions },
  };
}

const statusOf = (checks: { id: string; status: string }[]) => Object.fromEntries(checks.map((c) => [c.id, c.status]));

describe('doctor: the Installation', () => {
  it('an operator-computed IPv6-only setup passes every item', () => {
    const checks = installationChecks(installation({ bgp: 'Enabled', ipPools: [POOL_V6], nodeAddressAutodetectionV6: { firstFound: true } }, [{ type: 'Ready', status: 'True', reason: 'AllObjectsAvailable' }]), configWith());
    assert.deepEqual(statusOf(checks), {
      'installation.ipv6-pool/default': 'pass', 'installation.autodetection-v6/default': 'pass', 'installation.ip-none/default': 'pass', 'installation.operator-status/default': 'pass',
    });
    assert.match(checks[0]?.evidence ?? '', /^status\.computed: ipPools \[/);
  });

  it('status.computed is what counts: an IPv4-only result fails with the reason, and v4 autodetection fails ip-none', () => {
    const checks = installationChecks(installation({ ipPools: [{ cidr: '192.168.0.0/16', encapsulation: 'IPIP' }], nodeAddressAutodetectionV4: { firstFound: true } },
      [{ type: 'Degraded', status: 'True', reason: 'InvalidConfigurationError', message: 'error validating IP pool configuration' }]), configWith());
    assert.deepEqual(statusOf(checks), {
      'installation.ipv6-pool/default': 'fail', 'installation.autodetection-v6/default': 'fail', 'installation.ip-none/default': 'fail', 'installation.operator-status/default': 'fail',
    });
    assert.match(checks[1]?.fix ?? '', /IP6=none/);
    assert.match(checks[3]?.evidence ?? '', /InvalidConfigurationError error validating IP pool configuration/);
  });

  it('before the operator has reconciled: the spec is judged, and the status is unknown', () => {
    const checks = installationChecks(installation(undefined), configWith());
    assert.match(checks[0]?.evidence ?? '', /^spec \(the operator has not written status\.computed yet\)/);
    assert.equal(checks.find((c) => c.id.startsWith('installation.operator-status'))?.status, 'unknown');
  });

  it('dual-stack: no ip-none item', () => {
    const checks = installationChecks(installation({ ipPools: [{ cidr: '10.244.0.0/16' }, POOL_V6], nodeAddressAutodetectionV6: { firstFound: true } }), configWith({ mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16' }));
    assert.deepEqual(checks.map((c) => c.id), ['installation.ipv6-pool/default', 'installation.autodetection-v6/default', 'installation.operator-status/default']);
    assert.equal(checks[0]?.status, 'pass');
  });
});
