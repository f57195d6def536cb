// `doctor --host` on proc trees built here: forwarding 0/1, with and without a default route, with and
// without a global address, and a kernel without IPv6.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import type { Check } from '../../../src/doctor/check.js';
import { runHostChecks } from '../../../src/host/checks.js';
import { hexToIpv6, isDefaultRoute, parseIfInet6, parseIpv6Routes } from '../../../src/host/proc.js';

// Lines as the kernel prints them (taken from a real host).
const ROUTE_DEFAULT = '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0';
const ROUTE_ONLINK = 'fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0';
const ROUTE_LOOPBACK = '00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo';
/** The kernel's `unreachable default` on lo: ::/0 but RTF_REJECT, not a route anywhere. */
const ROUTE_REJECT_DEFAULT = '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo';
const ADDR_GLOBAL = 'fd000000000000000000000000000002 04 40 00 80     eth0';
const ADDR_GLOBAL_DADFAILED = '20010db8000000000000000000000002 04 40 00 88     eth0';
const ADDR_LOOPBACK = '00000000000000000000000000000001 01 80 10 80       lo';
const ADDR_LINK_LOCAL = 'fe8000000000000000fc00fffe000001 04 40 20 80     eth0';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Tree {
  forwarding?: string | null;
  routes?: string[] | null;
  addresses?: string[] | null;
}

/** A proc tree: null leaves a file out; the defaults are a healthy IPv6 host. */
function procTree(tree: Tree = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'ciw-proc-'));
  dirs.push(root);
  const forwarding = tree.forwarding === undefined ? '1\n' : tree.forwarding;
  if (forwarding !== null) {
    mkdirSync(join(root, 'sys/net/ipv6/conf/all'), { recursive: true });
    writeFileSync(join(root, 'sys/net/ipv6/conf/all/forwarding'), forwarding);
  }
  mkdirSync(join(root, 'net'), { recursive: true });
  const routes = tree.routes === undefined ? [ROUTE_ONLINK, ROUTE_DEFAULT, ROUTE_LOOPBACK, ROUTE_REJECT_DEFAULT] : tree.routes;
  if (routes !== null) writeFileSync(join(root, 'net/ipv6_route'), routes.map((l) => `${l}\n`).join(''));
  const addresses = tree.addresses === undefined ? [ADDR_GLOBAL, ADDR_LOOPBACK, ADDR_LINK_LOCAL] : tree.addresses;
  if (addresses !== null) writeFileSync(join(root, 'net/if_inet6'), addresses.map((l) => `${l}\n`).join(''));
  return root;
}

function byId(checks: Check[]): Record<string, Check> {
  return Object.fromEntries(checks.map((c) => [c.id, c]));
}

describe('proc parsing', () => {
  it('turns the kernel\'s 32 hex digits into compressed IPv6', () => {
    assert.equal(hexToIpv6('fd000000000000000000000000000001'), 'fd00::1');
    assert.equal(hexToIpv6('00000000000000000000000000000000'), '::');
    assert.throws(() => hexToIpv6('fd00'), /not a 128-bit hex address/);
  });

  it('reads routes with prefix, next hop, metric, flags and device', () => {
    const [route] = parseIpv6Routes(`${ROUTE_DEFAULT}\n`);
    assert.deepEqual(route, { destination: '::', prefixLength: 0, nextHop: 'fd00::1', metric: 1024, flags: 3, device: 'eth0' });
    assert.equal(isDefaultRoute(route!), true);
    assert.equal(isDefaultRoute(parseIpv6Routes(ROUTE_REJECT_DEFAULT)[0]!), false, 'the reject route on lo is not a default route');
    assert.equal(isDefaultRoute(parseIpv6Routes(ROUTE_ONLINK)[0]!), false);
  });

  it('reads addresses with prefix, scope and flags', () => {
    assert.deepEqual(parseIfInet6(ADDR_LINK_LOCAL), [{ address: 'fe80::fc:ff:fe00:1', prefixLength: 64, scope: 0x20, flags: 0x80, device: 'eth0' }]);
  });
});

describe('doctor --host checks', () => {
  it('a healthy host passes all three, with what was read as evidence', () => {
    const checks = runHostChecks(procTree());
    assert.deepEqual(checks.map((c) => [c.id, c.status]), [
      ['host.ipv6-forwarding', 'pass'], ['host.default-route', 'pass'], ['host.global-address', 'pass'],
    ]);
    const c = byId(checks);
    assert.equal(c['host.default-route']!.evidence, 'default via fd00::1 dev eth0 metric 1024');
    assert.equal(c['host.global-address']!.evidence, 'fd00::2/64 dev eth0');
    assert.ok(checks.every((x) => x.fix === ''));
  });

  it('forwarding 0 fails with the sysctl fix; the other checks are unaffected', () => {
    const c = byId(runHostChecks(procTree({ forwarding: '0\n' })));
    assert.equal(c['host.ipv6-forwarding']!.status, 'fail');
    assert.match(c['host.ipv6-forwarding']!.evidence, /forwarding = "0"/);
    assert.match(c['host.ipv6-forwarding']!.fix, /sysctl -w net\.ipv6\.conf\.all\.forwarding=1/);
    assert.equal(c['host.default-route']!.status, 'pass');
  });

  it('no default route fails; the kernel\'s reject ::/0 on lo does not count as one', () => {
    const onlyReject = byId(runHostChecks(procTree({ routes: [ROUTE_ONLINK, ROUTE_LOOPBACK, ROUTE_REJECT_DEFAULT] })));
    assert.equal(onlyReject['host.default-route']!.status, 'fail');
    assert.match(onlyReject['host.default-route']!.evidence, /no usable ::\/0 route .*1 unreachable\/reject default/);
    assert.match(onlyReject['host.default-route']!.fix, /ip -6 route add default via/);
    const empty = byId(runHostChecks(procTree({ routes: [] })));
    assert.equal(empty['host.default-route']!.status, 'fail');
  });

  it('no global address fails, listing the addresses there are; a DAD-failed global address does not count', () => {
    const c = byId(runHostChecks(procTree({ addresses: [ADDR_LOOPBACK, ADDR_LINK_LOCAL, ADDR_GLOBAL_DADFAILED] })));
    assert.equal(c['host.global-address']!.status, 'fail');
    assert.match(c['host.global-address']!.evidence, /fe80::fc:ff:fe00:1\/64 dev eth0 scope 0x20/);
    assert.match(c['host.global-address']!.evidence, /2001:db8::2\/64 dev eth0 scope 0x00/);
  });

  it('a kernel without IPv6 fails every check, saying so', () => {
    const checks = runHostChecks(procTree({ forwarding: null, routes: null, addresses: null }));
    assert.deepEqual(checks.map((c) => c.status), ['fail', 'fail', 'fail']);
    assert.ok(checks.every((c) => /IPv6 disabled/.test(c.evidence)), JSON.stringify(checks));
  });

  it('forwarding unreadable while IPv6 exists is unknown, not a failure', () => {
    const root = procTree({ forwarding: null });
    mkdirSync(join(root, 'sys/net/ipv6/conf'), { recursive: true });
    const c = byId(runHostChecks(root));
    assert.equal(c['host.ipv6-forwarding']!.status, 'unknown');
  });

  it('runs on this machine\'s /proc and gives a verdict for each check', () => {
    const checks = runHostChecks('/proc');
    assert.equal(checks.length, 3);
    assert.ok(checks.every((c) => ['pass', 'fail', 'unknown'].includes(c.status) && c.evidence.length > 0));
  });
});

function captureIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stdoutRaw: (t) => out.push(typeof t === 'string' ? t : Buffer.from(t).toString('utf8')), stderr: (l) => err.push(l), readStdin: () => '', env: {} };
}

describe('calico-ipv6-webhook doctor --host', () => {
  it('exit 0 and a table when everything passes', async () => {
    const io = captureIo();
    assert.equal(await main(['doctor', '--host', '--proc-root', procTree()], io), 0);
    assert.match(io.out[0]!, /^STATUS\s+CHECK\s+EVIDENCE$/);
    assert.match(io.out.join('\n'), /3 checks: 3 pass, 0 fail, 0 unknown/);
  });

  it('exit 1 and JSON with -o json when a check fails', async () => {
    const io = captureIo();
    assert.equal(await main(['doctor', '--host', '--proc-root', procTree({ forwarding: '0' }), '-o', 'json'], io), 1);
    const parsed = JSON.parse(io.out.join('\n')) as { summary: Record<string, number>; checks: Check[] };
    assert.deepEqual(parsed.summary, { pass: 2, fail: 1, unknown: 0 });
    assert.equal(parsed.checks[0]!.status, 'fail');
  });

  it('a missing --proc-root is a usage error (exit 2)', async () => {
    const io = captureIo();
    assert.equal(await main(['doctor', '--host', '--proc-root', '/nonexistent/proc'], io), 2);
    assert.match(io.err.join('\n'), /--proc-root \/nonexistent\/proc does not exist/);
  });
});
