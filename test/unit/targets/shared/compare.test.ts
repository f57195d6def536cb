// Comparing what the cluster says with the configuration: CIDR lists, DNS lists, a URL's host.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareCidrList, compareDnsList, urlHost } from '../../../../src/targets/shared/compare.js';
import { addressKind } from '../../../../src/net/address.js';
import { configWith } from '../../../support/fixtures.js';

const v6 = configWith();
const dual = configWith({ mode: 'dual-stack' });

describe('compareCidrList', () => {
  it('ipv6-only: exactly the configured CIDR', () => {
    assert.deepEqual(compareCidrList(['fd20::/112'], v6.podCIDR, 'ipv6-only'), { ok: true, detail: 'fd20::/112' });
    assert.deepEqual(compareCidrList(['fd20:0::/112'], v6.podCIDR, 'ipv6-only').ok, true, 'compared as addresses, not text');
    assert.deepEqual(compareCidrList([], v6.podCIDR, 'ipv6-only'), { ok: false, reason: 'is not set' });
    assert.deepEqual(compareCidrList(['10.244.0.0/16'], v6.podCIDR, 'ipv6-only'), { ok: false, reason: 'has no IPv6 CIDR (10.244.0.0/16)' });
    assert.deepEqual(compareCidrList(['10.244.0.0/16', 'fd20::/112'], v6.podCIDR, 'ipv6-only'), { ok: false, reason: 'also holds IPv4 10.244.0.0/16, but the mode is ipv6-only' });
    assert.deepEqual(compareCidrList(['fd21::/112'], v6.podCIDR, 'ipv6-only'), { ok: false, reason: 'is fd21::/112, but fd20::/112 is configured' });
    assert.match((compareCidrList(['fd20::1/112'], v6.podCIDR, 'ipv6-only') as { reason: string }).reason, /host bits set/);
  });

  it('dual-stack: the configured IPv6 CIDR beside at most one IPv4 one', () => {
    assert.equal(compareCidrList(['10.244.0.0/16', 'fd20::/112'], dual.podCIDR, 'dual-stack').ok, true);
    assert.equal(compareCidrList(['fd20::/112', '10.244.0.0/16'], dual.podCIDR, 'dual-stack').ok, true);
    assert.equal(compareCidrList(['fd20::/112', 'fd21::/112'], dual.podCIDR, 'dual-stack').ok, false);
  });
});

describe('compareDnsList', () => {
  it('the first IPv6 address must be the configured one; ipv6-only takes no IPv4', () => {
    assert.equal(compareDnsList(['fd00:10:96::a'], v6.clusterDNS, 'ipv6-only').ok, true);
    assert.equal(compareDnsList(['fd00:10:96:0::a'], v6.clusterDNS, 'ipv6-only').ok, true);
    assert.deepEqual(compareDnsList(['10.96.0.10'], v6.clusterDNS, 'ipv6-only'), { ok: false, reason: 'holds IPv4 10.96.0.10, but the mode is ipv6-only' });
    assert.deepEqual(compareDnsList(['fd00:10:96::b'], v6.clusterDNS, 'ipv6-only'), { ok: false, reason: 'is fd00:10:96::b, but fd00:10:96::a is configured' });
    assert.equal(compareDnsList(['10.96.0.10', 'fd00:10:96::a'], dual.clusterDNS, 'dual-stack').ok, true);
    assert.deepEqual(compareDnsList([], v6.clusterDNS, 'ipv6-only'), { ok: false, reason: 'is not set' });
  });
});

describe('addressKind and urlHost', () => {
  it('tells IPv6, the any-addresses, IPv4, names and garbage apart', () => {
    assert.deepEqual(['fd00::1', '::', '[::]', '10.0.0.1', '0.0.0.0', '::ffff:10.0.0.1', 'api.example.com', 'not an address!'].map(addressKind),
      ['ipv6', 'ipv6-any', 'ipv6-any', 'ipv4', 'ipv4-any', 'ipv4', 'name', 'invalid']);
  });

  it('takes the host out of a URL, brackets removed', () => {
    assert.equal(urlHost('https://[fd00::1]:6443'), 'fd00::1');
    assert.equal(urlHost('http://10.0.0.1:8080'), '10.0.0.1');
    assert.equal(urlHost('api.example.com:6443'), 'api.example.com');
  });
});
