// Reading the kernel's IPv6 state from a proc tree (/proc, or a copy of the host's mounted elsewhere).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';

/** Route flags from linux/ipv6_route.h. */
const RTF_UP = 0x0001;
export const RTF_GATEWAY = 0x0002;
export const RTF_REJECT = 0x0200;
/** Address flags from linux/if_addr.h. */
const IFA_F_DADFAILED = 0x08;
export const IFA_F_TENTATIVE = 0x40;
/** if_inet6 scope of a global (including unique-local) address. */
const SCOPE_GLOBAL = 0x00;

export interface Ipv6Route {
  destination: string;
  prefixLength: number;
  nextHop: string;
  metric: number;
  flags: number;
  device: string;
}

export interface Ipv6InterfaceAddress {
  address: string;
  prefixLength: number;
  scope: number;
  flags: number;
  device: string;
}

/** 32 hex digits as the kernel prints them, to the usual compressed form (fd00::1). */
export function hexToIpv6(hex: string): string {
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a 128-bit hex address: ${hex}`);
  const groups = hex.match(/.{4}/g) as string[];
  return ipaddr.IPv6.parse(groups.join(':')).toString();
}

/** /proc/net/ipv6_route: destination, prefix, source, source prefix, next hop, metric, refcnt, use, flags, device. */
export function parseIpv6Routes(text: string): Ipv6Route[] {
  const out: Ipv6Route[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest, destPrefix, , , nextHop, metric, , , flags, device] = f as [string, string, string, string, string, string, string, string, string, string];
    out.push({
      destination: hexToIpv6(dest),
      prefixLength: parseInt(destPrefix, 16),
      nextHop: hexToIpv6(nextHop),
      metric: parseInt(metric, 16),
      flags: parseInt(flags, 16),
      device,
    });
  }
  return out;
}

/** /proc/net/if_inet6: address, interface index, prefix length, scope, flags, device (all hex but the name). */
export function parseIfInet6(text: string): Ipv6InterfaceAddress[] {
  const out: Ipv6InterfaceAddress[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const [address, , prefix, scope, flags, device] = f as [string, string, string, string, string, string];
    out.push({ address: hexToIpv6(address), prefixLength: parseInt(prefix, 16), scope: parseInt(scope, 16), flags: parseInt(flags, 16), device });
  }
  return out;
}

/** A usable default route: ::/0, up, and not the kernel's `unreachable` placeholder on lo. */
export function isDefaultRoute(route: Ipv6Route): boolean {
  return route.prefixLength === 0 && route.destination === '::' && (route.flags & RTF_UP) !== 0 && (route.flags & RTF_REJECT) === 0;
}

export function isGlobalAddress(address: Ipv6InterfaceAddress): boolean {
  return address.scope === SCOPE_GLOBAL && (address.flags & IFA_F_DADFAILED) === 0;
}

export type ProcRead = { ok: true; text: string } | { ok: false; missing: boolean; reason: string };

export function readProcFile(procRoot: string, relative: string): ProcRead {
  const path = join(procRoot, relative);
  try {
    return { ok: true, text: readFileSync(path, 'utf8') };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { ok: false, missing: e.code === 'ENOENT' || e.code === 'ENOTDIR', reason: `${path}: ${e.code ?? e.message}` };
  }
}
