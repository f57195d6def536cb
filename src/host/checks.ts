// `doctor --host`: the guide's host prerequisites, read from the proc tree of the machine doctor runs on.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fail, pass, unknown, type Check } from '../doctor/check.js';
import { IFA_F_TENTATIVE, RTF_GATEWAY, isDefaultRoute, isGlobalAddress, parseIfInet6, parseIpv6Routes, readProcFile } from './proc.js';

const FORWARDING = 'sys/net/ipv6/conf/all/forwarding';
const ROUTES = 'net/ipv6_route';
const ADDRESSES = 'net/if_inet6';

/** A missing IPv6 file means a kernel without IPv6 (ipv6.disable=1): a failure, not a mystery. */
function noIpv6(procRoot: string): boolean {
  return !existsSync(join(procRoot, 'sys/net/ipv6')) && !existsSync(join(procRoot, ADDRESSES));
}

function forwarding(procRoot: string): Check {
  const id = 'host.ipv6-forwarding';
  const title = 'net.ipv6.conf.all.forwarding is 1';
  const fix = 'sysctl -w net.ipv6.conf.all.forwarding=1, and persist it in /etc/sysctl.d/ (e.g. 99-ipv6-forwarding.conf)';
  const read = readProcFile(procRoot, FORWARDING);
  if (!read.ok) {
    return read.missing && noIpv6(procRoot)
      ? fail(id, title, `${read.reason}: this kernel has IPv6 disabled`, 'enable IPv6 in the kernel (remove ipv6.disable=1 from the boot command line), then set net.ipv6.conf.all.forwarding=1')
      : unknown(id, title, `cannot read ${read.reason}`, `run doctor --host where ${join(procRoot, FORWARDING)} is readable (mount the host's /proc and pass --proc-root)`);
  }
  const value = read.text.trim();
  return value === '1'
    ? pass(id, title, `${FORWARDING} = 1`)
    : fail(id, title, `${FORWARDING} = ${JSON.stringify(value)}: the host does not forward IPv6, so pods are unreachable from other hosts`, fix);
}

/**
 * Reads and parses one IPv6 proc file, or says why it cannot: missing on a kernel without IPv6 is a
 * failure (with how to enable it), unreadable or not in the kernel's format is unknown.
 */
function readParsed<T>(procRoot: string, file: string, parse: (text: string) => T, id: string, title: string, enableFix: string, missingMeansNoIpv6: boolean):
  { ok: true; value: T } | { ok: false; check: Check } {
  const read = readProcFile(procRoot, file);
  if (!read.ok) {
    return {
      ok: false,
      check: read.missing && missingMeansNoIpv6
        ? fail(id, title, `${read.reason}: this kernel has IPv6 disabled`, enableFix)
        : unknown(id, title, `cannot read ${read.reason}`, 'run doctor --host where the host\'s proc tree is readable'),
    };
  }
  try {
    return { ok: true, value: parse(read.text) };
  } catch (error) {
    return { ok: false, check: unknown(id, title, `${file} is not in the kernel's format: ${(error as Error).message}`, 'check --proc-root points at a proc tree') };
  }
}

function defaultRoute(procRoot: string): Check {
  const id = 'host.default-route';
  const title = 'a default IPv6 route exists';
  const fix = 'add a default IPv6 route (ip -6 route add default via <gateway> dev <interface>) and persist it in the network configuration; '
    + 'note that with forwarding=1 the kernel ignores router advertisements unless accept_ra=2';
  const routes = readParsed(procRoot, ROUTES, parseIpv6Routes, id, title, 'enable IPv6 in the kernel, then add a default IPv6 route', noIpv6(procRoot));
  if (!routes.ok) return routes.check;
  const defaults = routes.value.filter(isDefaultRoute);
  if (defaults.length === 0) {
    const rejects = routes.value.filter((r) => r.prefixLength === 0 && r.destination === '::').length;
    return fail(id, title, `no usable ::/0 route in ${ROUTES} (${routes.value.length} routes${rejects ? `, ${rejects} unreachable/reject default` : ''})`, fix);
  }
  const described = defaults.map((r) => `default ${(r.flags & RTF_GATEWAY) !== 0 ? `via ${r.nextHop} ` : ''}dev ${r.device} metric ${r.metric}`);
  return pass(id, title, described.join('; '));
}

function globalAddress(procRoot: string): Check {
  const id = 'host.global-address';
  const title = 'the host has a global IPv6 address';
  const fix = 'give the host a global or unique-local IPv6 address (scope global) that the other hosts can reach, and use it as the kubelet --node-ip';
  const addresses = readParsed(procRoot, ADDRESSES, parseIfInet6, id, title, 'enable IPv6 in the kernel, then add a global IPv6 address', true);
  if (!addresses.ok) return addresses.check;
  const global = addresses.value.filter(isGlobalAddress);
  if (global.length === 0) {
    const others = addresses.value.map((a) => `${a.address}/${a.prefixLength} dev ${a.device} scope 0x${a.scope.toString(16).padStart(2, '0')}`);
    return fail(id, title, `no scope-global address in ${ADDRESSES}${others.length ? ` (only ${others.join(', ')})` : ' (no IPv6 addresses)'}`, fix);
  }
  return pass(id, title, global.map((a) => `${a.address}/${a.prefixLength} dev ${a.device}${(a.flags & IFA_F_TENTATIVE) !== 0 ? ' (tentative: duplicate address detection still running)' : ''}`).join('; '));
}

/** The three host prerequisites of the guide, in its order. */
export function runHostChecks(procRoot: string): Check[] {
  return [forwarding(procRoot), defaultRoute(procRoot), globalAddress(procRoot)];
}
