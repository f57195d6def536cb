// Encapsulation coherence (issue 14, case 3).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ipv6Encapsulation } from '../../../src/calico/encapsulation.js';

describe('calico/encapsulation', () => {
  it('vxlan backend with an unencapsulated IPv6 pool: follow the IPv4 VXLAN mode (CrossSubnet stays, else Always)', () => {
    const verdict = ipv6Encapsulation('vxlan', 'CrossSubnet', 'Never', false);
    assert.equal(verdict.kind, 'set');
    assert.match((verdict as { why: string }).why, /runs no BIRD/);
    const cases: [string | undefined, string | undefined, string][] = [
      ['Always', 'Never', 'Always'], ['Never', undefined, 'Always'], [undefined, '', 'Always'], ['cross-subnet', 'off', 'CrossSubnet'],
    ];
    for (const [v4, v6, to] of cases) {
      const got = ipv6Encapsulation('vxlan', v4, v6, false);
      assert.equal(got.kind === 'set' ? got.to : got.kind, to, `${String(v4)} ${String(v6)}`);
    }
  });

  it('an encapsulated IPv6 pool, or a backend that routes (bird) or is not Calico\'s (none), is left alone', () => {
    assert.deepEqual(ipv6Encapsulation('vxlan', 'CrossSubnet', 'CrossSubnet', false), { kind: 'ok' });
    assert.deepEqual(ipv6Encapsulation('vxlan', 'Never', 'Always', false), { kind: 'ok' });
    assert.deepEqual(ipv6Encapsulation('bird', 'Always', 'Never', false), { kind: 'ok' });
    assert.deepEqual(ipv6Encapsulation('none', undefined, undefined, false), { kind: 'ok' });
  });

  it('Felix programming the unencapsulated routes (FELIX_PROGRAMCLUSTERROUTES=Enabled): an unencapsulated pool is kept with the vxlan backend', () => {
    assert.deepEqual(ipv6Encapsulation('vxlan', 'Always', 'Never', true), { kind: 'ok' });
    assert.deepEqual(ipv6Encapsulation('vxlan', undefined, undefined, true), { kind: 'ok' });
    assert.equal(ipv6Encapsulation('vxlan', undefined, 'yes', true).kind, 'invalid');
  });

  it('a mode calico-node does not recognize is invalid whatever the backend', () => {
    assert.equal(ipv6Encapsulation('bird', undefined, 'true', false).kind, 'invalid');
    assert.match((ipv6Encapsulation('vxlan', undefined, 'yes', false) as { why: string }).why, /calico-node exits/);
  });
});
