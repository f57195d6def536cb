// Kubernetes' CEL IP and CIDR library (k8s.io/apiserver pkg/cel/library/ip.go, cidr.go) and its list
// indexOf/lastIndexOf (lists.go) for
// @marcbachmann/cel-js, so tests can evaluate the generated policies as the API server does. Parsing
// follows Go's netip (strict dotted quads, no zones, no IPv4-mapped IPv6), as parseIPAddr and parseCIDR do.
import ipaddr from 'ipaddr.js';
import type { Environment } from '@marcbachmann/cel-js';

export class CelIP {
  constructor(readonly bits: 32 | 128, readonly value: bigint) {}
  toString(): string {
    if (this.bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((this.value >> s) & 255n)).join('.');
    const bytes = Array.from({ length: 16 }, (_, i) => Number((this.value >> BigInt(8 * (15 - i))) & 255n));
    return ipaddr.fromByteArray(bytes).toString();
  }
}

export class CelCIDR {
  constructor(readonly ip: CelIP, readonly prefix: number) {}
  mask(): bigint {
    const host = BigInt(this.ip.bits - this.prefix);
    return ((1n << BigInt(this.ip.bits)) - 1n) ^ ((1n << host) - 1n);
  }
  contains(ip: CelIP): boolean {
    return ip.bits === this.ip.bits && (ip.value & this.mask()) === (this.ip.value & this.mask());
  }
  toString(): string {
    return `${this.ip.toString()}/${this.prefix}`;
  }
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** netip.ParseAddr plus parseIPAddr's refusals (ip.go:321-333); undefined where the API server errors. */
export function parseIP(raw: string): CelIP | undefined {
  if (V4.test(raw)) return new CelIP(32, raw.split('.').reduce((a, o) => (a << 8n) | BigInt(o), 0n));
  if (!/^[0-9a-fA-F:.]+$/.test(raw) || !raw.includes(':') || !ipaddr.IPv6.isValid(raw)) return undefined;
  const tail = raw.slice(raw.lastIndexOf(':') + 1);
  if (tail.includes('.') && !V4.test(tail)) return undefined;
  const v6 = ipaddr.IPv6.parse(raw);
  if (v6.isIPv4MappedAddress()) return undefined;
  return new CelIP(128, v6.toByteArray().reduce((a, b) => (a << 8n) | BigInt(b), 0n));
}

/** netip.ParsePrefix plus parseCIDR's refusal of IPv4-mapped addresses (cidr.go:281-292). */
export function parseCIDR(raw: string): CelCIDR | undefined {
  const slash = raw.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(raw.slice(0, slash));
  const bits = raw.slice(slash + 1);
  if (!ip || !/^(0|[1-9]\d{0,2})$/.test(bits) || Number(bits) > ip.bits) return undefined;
  return new CelCIDR(ip, Number(bits));
}

function must<T>(value: T | undefined, raw: string): T {
  if (value === undefined) throw new Error(`network address parse error during conversion from string: ${raw}`);
  return value;
}

/** Registers ip(), cidr(), isIP(), isCIDR(), string() and the methods the generated policies call. */
export function withNetLibrary(env: Environment): Environment {
  const method = (receiverType: string, name: string, returnType: string, handler: (...a: never[]) => unknown, params: { name: string; type: string }[] = []) =>
    env.registerFunction({ name, receiverType, returnType, handler: handler as (...a: unknown[]) => unknown, params });
  env.registerType('net.IP', CelIP).registerType('net.CIDR', CelCIDR);
  env.registerFunction('ip(string): net.IP', (s: string) => must(parseIP(s), s));
  env.registerFunction('cidr(string): net.CIDR', (s: string) => must(parseCIDR(s), s));
  env.registerFunction('isIP(string): bool', (s: string) => parseIP(s) !== undefined);
  env.registerFunction('isCIDR(string): bool', (s: string) => parseCIDR(s) !== undefined);
  env.registerFunction('string(net.IP): string', (x: CelIP) => x.toString());
  env.registerFunction('string(net.CIDR): string', (x: CelCIDR) => x.toString());
  // ip.go family(): 4 or 6 (ip.go:227-240).
  method('net.IP', 'family', 'int', (x: CelIP) => (x.bits === 32 ? 4n : 6n));
  // cidr.go cidrToIP (254-263): the prefix's address as written; masked (265-275): host bits cleared.
  method('net.CIDR', 'ip', 'net.IP', (x: CelCIDR) => x.ip);
  method('net.CIDR', 'masked', 'net.CIDR', (x: CelCIDR) => new CelCIDR(new CelIP(x.ip.bits, x.ip.value & x.mask()), x.prefix));
  method('net.CIDR', 'prefixLength', 'int', (x: CelCIDR) => BigInt(x.prefix));
  // cidr.go:207-219: Prefix.Contains; 221-233: overlaps and no longer prefix.
  method('net.CIDR', 'containsIP', 'bool', (x: CelCIDR, ip: CelIP) => x.contains(ip), [{ name: 'ip', type: 'net.IP' }]);
  method('net.CIDR', 'containsIP', 'bool', (x: CelCIDR, s: string) => x.contains(must(parseIP(s), s)), [{ name: 'ip', type: 'string' }]);
  method('net.CIDR', 'containsCIDR', 'bool', (x: CelCIDR, o: CelCIDR) => x.prefix <= o.prefix && x.contains(o.ip), [{ name: 'cidr', type: 'net.CIDR' }]);
  method('net.CIDR', 'containsCIDR', 'bool', (x: CelCIDR, s: string) => { const o = must(parseCIDR(s), s); return x.prefix <= o.prefix && x.contains(o.ip); }, [{ name: 'cidr', type: 'string' }]);
  // k8s.io/apiserver pkg/cel/library/lists.go:77-90,162-170: <list<T>>.indexOf(T), .lastIndexOf(T), -1 when absent.
  // The generated policies compare strings and bools only, where === is CEL's equality.
  const at = (last: boolean) => (list: unknown[], x: unknown) => BigInt(last ? list.lastIndexOf(x) : list.indexOf(x));
  method('list', 'indexOf', 'int', at(false) as never, [{ name: 'x', type: 'dyn' }]);
  method('list', 'lastIndexOf', 'int', at(true) as never, [{ name: 'x', type: 'dyn' }]);
  return env;
}
