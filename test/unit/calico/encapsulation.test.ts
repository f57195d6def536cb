// Encapsulation coherence (issue 14, case 3).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ipv6Encapsulation } from '../../../src/calico/encapsulation.js';

describe('calico/encapsulation', () => {
  it('vxlan backend with an unencapsulated IPv6 pool: follow the IPv4 VXLAN mode (CrossSubnet stays, else Always)', () => {
    const verdict = ipv6Encapsulation('vxlan', 'CrossSubnet', 'Never');
    assert.equal(verdict.kind, 'set');
    assert.match((verdict as { why: string }).why, /runs no BIRD/);
    const cases: [string | undefined, string | undefined, string][] = [
      ['Always', 'Never', 'Always'], ['Never', undefined, 'Always'], [undefined, '', 'Always'], ['cross-subnet', 'off', 'CrossSubnet'],
    ];
    for (const [v4, v6, to] of cases) {
      const got = ipv6Encapsulation('vxlan', v4, v6);
      assert.equal(got.kind === 'set' ? got.to : got.kind, to, `${String(v4)} ${String(v6)}`);
    }
  });

  it('an encapsulated IPv6 pool, or a backend that routes (bird) or is not Calico\'s (none), is left alone', () => {
    assert.deepEqual(ipv6Encapsulation('vxlan', 'CrossSubnet', 'CrossSubnet'), { kind: 'ok' });
    assert.deepEqual(ipv6Encapsulation('vxlan', 'Never', 'Always'), { kind: 'ok' });
    assert.deepEqual(ipv6Encapsulation('bird', 'Always', 'Never'), { kind: 'ok' });
    assert.deepEqual(ipv6Encapsulation('none', undefined, undefined), { kind: 'ok' });
  });

  it('a mode calico-node does not recognize is invalid whatever the backend', () => {
    assert.equal(ipv6Encapsulation('bird', undefined, 'true').kind, 'invalid');
    assert.match((ipv6Encapsulation('vxlan', undefined, 'yes') as { why: string }).why, /calico-node exits/);
  });
});
