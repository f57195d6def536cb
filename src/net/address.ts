// What kind of address a flag or setting holds (ipaddr.js): IPv6, IPv4, the any-addresses, a host name.
import ipaddr from 'ipaddr.js';

export type AddressKind = 'ipv6' | 'ipv6-any' | 'ipv4' | 'ipv4-any' | 'name' | 'invalid';

/** What kind of address a flag or setting holds; `::` and `0.0.0.0` are the any-addresses. */
export function addressKind(text: string): AddressKind {
  const value = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return value === '0.0.0.0' ? 'ipv4-any' : 'ipv4';
  if (ipaddr.IPv6.isValid(value)) {
    const address = ipaddr.IPv6.parse(value);
    if (address.isIPv4MappedAddress()) return 'ipv4';
    return address.range() === 'unspecified' ? 'ipv6-any' : 'ipv6';
  }
  return /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(value) ? 'name' : 'invalid';
}
