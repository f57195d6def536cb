// Address ranges by overlap (issue 14): a range is judged by every address in it, not by its first one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressAt, cidrHolds, cidrHoldsAddress, cidrsOverlap, isUniqueLocal, parseCidrOf, parseIpv4Cidr, reservedOverlap, type AnyCidr } from '../../../src/net/ranges.js';
import ipaddr from 'ipaddr.js';

function cidr(text: string): AnyCidr {
  const family = text.includes(':') ? 'ipv6' : 'ipv4';
  const parsed = parseCidrOf(family, text);
  if (!parsed.ok) throw new Error(`${text} ${parsed.reason}`);
  return parsed.cidr;
}

describe('net/ranges', () => {
  it('parses either family strictly, canonical text', () => {
    assert.equal(cidr('FD20:0:0::/64').text, 'fd20::/64');
    assert.equal(cidr('10.244.0.0/16').text, '10.244.0.0/16');
    assert.deepEqual(parseIpv4Cidr('10.244.0.1/16'), { ok: false, reason: 'has host bits set (the network is 10.244.0.0/16)' });
    assert.deepEqual(parseIpv4Cidr('fd20::/64'), { ok: false, reason: 'is an IPv6 CIDR, not IPv4' });
    assert.deepEqual(parseCidrOf('ipv6', '10.0.0.0/8'), { ok: false, reason: 'is an IPv4 CIDR, not IPv6' });
    assert.deepEqual(parseCidrOf('ipv6', '::ffff:10.0.0.0/104'), { ok: false, reason: 'is an IPv4-mapped range, not IPv6' });
    assert.deepEqual(parseIpv4Cidr('10.0.0.0'), { ok: false, reason: 'is not a CIDR (no /prefix)' });
    assert.deepEqual(parseIpv4Cidr('10.0.0.0/33'), { ok: false, reason: 'is not a valid CIDR' });
  });

  it('overlap: either containing the other, in both directions; families never overlap', () => {
    assert.equal(cidrsOverlap(cidr('fd00::/8'), cidr('fd00:10:96::/112')), true);
    assert.equal(cidrsOverlap(cidr('fd00:10:96::/112'), cidr('fd00::/8')), true);
    assert.equal(cidrsOverlap(cidr('fd20::/112'), cidr('fd00:10:96::/112')), false);
    assert.equal(cidrsOverlap(cidr('10.0.0.0/8'), cidr('::/0')), false);
    assert.equal(cidrHolds(cidr('fd00::/8'), cidr('fd00:10:96::/112')), true);
    assert.equal(cidrHolds(cidr('fd00:10:96::/112'), cidr('fd00::/8')), false);
    assert.equal(cidrHoldsAddress(cidr('10.96.0.0/12'), ipaddr.parse('10.96.0.10')), true);
    assert.equal(cidrHoldsAddress(cidr('10.96.0.0/12'), ipaddr.parse('fd00::1')), false);
  });

  it('reserved ranges are found by overlap, named with their CIDR', () => {
    const cases: [string, string | undefined][] = [
      ['fe80::/64', 'link-local (fe80::/10)'],
      ['fe00::/7', 'link-local (fe80::/10)'], // its network address fe00:: is not link-local; fe80:: lies inside
      ['ff00::/8', 'multicast (ff00::/8)'],
      ['8000::/1', 'link-local (fe80::/10)'],
      ['::/127', 'loopback (::1)'],
      ['::/0', 'link-local (fe80::/10)'],
      ['fd20::/112', undefined],
      ['2001:db8::/32', undefined],
      ['169.254.1.0/24', 'link-local (169.254.0.0/16)'],
      ['224.0.0.0/24', 'multicast (224.0.0.0/4)'],
      ['127.0.0.0/16', 'loopback (127.0.0.0/8)'],
      ['0.0.0.0/0', 'link-local (169.254.0.0/16)'],
      ['10.244.0.0/16', undefined],
    ];
    for (const [text, expected] of cases) assert.equal(reservedOverlap(cidr(text)), expected, text);
    const fe00 = cidr('fe00::/7');
    assert.equal(reservedOverlap({ address: fe00.address as ipaddr.IPv6, prefix: fe00.prefix, text: fe00.text }), 'link-local (fe80::/10)');
  });

  it('unique local is fc00::/7 as a whole', () => {
    assert.equal(isUniqueLocal(cidr('fd20::/112')), true);
    assert.equal(isUniqueLocal(cidr('fc00::/7')), true);
    assert.equal(isUniqueLocal(cidr('fc00::/6')), false);
    assert.equal(isUniqueLocal(cidr('2001:db8::/64')), false);
  });

  it('addressAt counts from the network address, with carry', () => {
    assert.equal(addressAt(cidr('fd00:10:96::/112'), 0).toString(), 'fd00:10:96::');
    assert.equal(addressAt(cidr('fd00:10:96::/112'), 10).toString(), 'fd00:10:96::a');
    assert.equal(addressAt(cidr('10.96.0.0/12'), 1).toString(), '10.96.0.1');
    assert.equal(addressAt(cidr('10.96.0.0/12'), 256).toString(), '10.96.1.0');
  });
});
