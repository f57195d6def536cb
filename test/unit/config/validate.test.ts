// DESIGN 2: invalid configuration stops the server with a message naming the key.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, rawConfigOf, validateConfig } from '../../../src/config/validate.js';
import { DEFAULT_RAW_CONFIG, type RawConfig } from '../../../src/config/types.js';
import { loadConfig, mergeConfig } from '../../../src/config/load.js';
import { version } from '../../../src/k8s/versions.js';

function raw(changes: Record<string, unknown>): RawConfig {
  return mergeConfig(changes as RawConfig);
}

function rejects(changes: Record<string, unknown>, key: string, reason: RegExp): void {
  assert.throws(() => validateConfig(raw(changes)), (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.key, key);
    assert.match(error.reason, reason);
    assert.ok(error.message.startsWith(`invalid configuration: ${key}: `), error.message);
    return true;
  });
}

describe('config: validation names the key', () => {
  it('the embedded default is valid and is the guide\'s example cluster', () => {
    const config = validateConfig(raw({}));
    assert.equal(config.mode, 'ipv6-only');
    assert.equal(config.podCIDR.text, 'fd20::/112');
    assert.equal(config.serviceCIDR.text, 'fd00:10:96::/112');
    assert.equal(config.clusterDNS.toString(), 'fd00:10:96::a');
    assert.equal(config.routerID, 'hash');
    assert.deepEqual(config.kubeDNS.minImageVersion, version(1, 14, 8));
    assert.equal(config.calicoVersion, undefined);
    assert.equal(config.validationAction, 'deny');
  });

  it('an IPv4 podCIDR', () => rejects({ podCIDR: '10.244.0.0/16' }, 'podCIDR', /is an IPv4 CIDR, not IPv6/));
  it('podCIDR with host bits set', () => rejects({ podCIDR: 'fd20::1/112' }, 'podCIDR', /has host bits set/));
  it('podCIDR that is not a CIDR', () => rejects({ podCIDR: 'fd20::' }, 'podCIDR', /is not a CIDR/));
  it('an IPv4 serviceCIDR', () => rejects({ serviceCIDR: '10.96.0.0/12' }, 'serviceCIDR', /IPv4/));
  it('clusterDNS outside serviceCIDR', () => rejects({ clusterDNS: 'fd00:99::a' }, 'clusterDNS', /lies outside serviceCIDR fd00:10:96::\/112/));
  it('an IPv4 clusterDNS', () => rejects({ clusterDNS: '10.96.0.10' }, 'clusterDNS', /is not an IPv6 address/));
  it('podCIDR overlapping serviceCIDR', () => rejects({ podCIDR: 'fd00:10:96::/120' }, 'podCIDR', /overlaps serviceCIDR/));
  it('an unknown key', () => rejects({ podCidr: 'fd20::/112' }, 'podCidr', /unknown key; known keys are mode, podCIDR/));
  it('a bad mode', () => rejects({ mode: 'ipv6' }, 'mode', /must be one of ipv6-only, dual-stack, got "ipv6"/));
  it('a bad routerID', () => rejects({ routerID: 'random' }, 'routerID', /must be one of hash, require/));
  it('a bad validationAction', () => rejects({ validationAction: 'audit' }, 'validationAction', /must be one of deny, warn/));
  it('a calicoVersion that is neither auto nor a version', () => rejects({ calicoVersion: 'newest' }, 'calicoVersion', /neither auto nor a version/));
  it('a kubeDNS.minImageVersion that is not a version', () => rejects({ kubeDNS: { minImageVersion: 'latest' } }, 'kubeDNS.minImageVersion', /is not a version/));
  it('kubeDNS that is not a mapping', () => rejects({ kubeDNS: '1.14.8' }, 'kubeDNS', /must be a mapping/));
  it('an empty or non-string value', () => {
    rejects({ podCIDR: '' }, 'podCIDR', /must be a non-empty string/);
    rejects({ mode: 6 }, 'mode', /must be a non-empty string, got 6/);
  });
  it('a top level that is not a mapping', () => {
    assert.throws(() => validateConfig([] as unknown as RawConfig), (e: unknown) => e instanceof ConfigError && e.key === '(top level)');
  });

  it('valid non-defaults are kept, canonicalized', () => {
    const config = validateConfig(raw({ mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16', podCIDR: 'FD20:0::/64', calicoVersion: 'v3.22', routerID: 'require', validationAction: 'warn' }));
    assert.deepEqual([config.mode, config.podCIDR.text, config.calicoVersion, config.routerID, config.validationAction],
      ['dual-stack', 'fd20::/64', version(3, 22, 0), 'require', 'warn']);
  });
});

describe('config: layering (file < environment < flags)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'calico-ipv6-webhook-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, 'podCIDR: fd20:1::/64\nmode: dual-stack\nipv4PodCIDR: 10.244.0.0/16\nkubeDNS:\n  minImageVersion: 1.14.10\n');

  it('the file overrides the default, the environment the file, flags the environment', () => {
    const env = { CALICO_IPV6_WEBHOOK_POD_CIDR: 'fd20:2::/64', CALICO_IPV6_WEBHOOK_MODE: 'ipv6-only' };
    assert.equal(loadConfig({ file }).podCIDR.text, 'fd20:1::/64');
    assert.deepEqual(loadConfig({ file }).kubeDNS.minImageVersion, version(1, 14, 10));
    assert.equal(loadConfig({ file, env }).podCIDR.text, 'fd20:2::/64');
    assert.equal(loadConfig({ file, env }).mode, 'ipv6-only');
    assert.equal(loadConfig({ file, env, flags: { podCIDR: 'fd20:3::/64' } }).podCIDR.text, 'fd20:3::/64');
  });

  it('a missing or unparseable file names --config', () => {
    assert.throws(() => loadConfig({ file: join(dir, 'absent.yaml') }), (e: unknown) => e instanceof ConfigError && e.key === '--config');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'mode: [unclosed\n');
    assert.throws(() => loadConfig({ file: broken }), (e: unknown) => e instanceof ConfigError && e.key === '--config');
  });

  it('an invalid value from the environment names its key', () => {
    assert.throws(() => loadConfig({ env: { CALICO_IPV6_WEBHOOK_CLUSTER_DNS: 'fd99::1' } }), (e: unknown) => e instanceof ConfigError && e.key === 'clusterDNS');
  });

  it('DEFAULT_RAW_CONFIG is frozen', () => {
    assert.ok(Object.isFrozen(DEFAULT_RAW_CONFIG));
  });
});

describe('config: ipv4PodCIDR, ipv6NATOutgoing and address checks (issue 14)', () => {
  const dual = { mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16' };
  it('dual-stack requires ipv4PodCIDR, naming the key', () => rejects({ mode: 'dual-stack' }, 'ipv4PodCIDR', /required in dual-stack mode/));
  it('ipv4PodCIDR is parsed and canonical', () => {
    const config = validateConfig(raw(dual));
    assert.equal(config.ipv4PodCIDR?.text, '10.244.0.0/16');
    assert.equal(validateConfig(raw({})).ipv4PodCIDR, undefined);
  });
  it('ipv4PodCIDR must be IPv4, host bits zero, routable and able to hold one /26 block', () => {
    rejects({ ...dual, ipv4PodCIDR: 'fd20::/112' }, 'ipv4PodCIDR', /is an IPv6 CIDR, not IPv4/);
    rejects({ ...dual, ipv4PodCIDR: '10.244.0.1/16' }, 'ipv4PodCIDR', /host bits set \(the network is 10.244.0.0\/16\)/);
    rejects({ ...dual, ipv4PodCIDR: '169.254.0.0/16' }, 'ipv4PodCIDR', /overlaps link-local \(169.254.0.0\/16\)/);
    rejects({ ...dual, ipv4PodCIDR: '128.0.0.0/1' }, 'ipv4PodCIDR', /overlaps link-local/);
    rejects({ ...dual, ipv4PodCIDR: '224.0.0.0/8' }, 'ipv4PodCIDR', /multicast/);
    rejects({ ...dual, ipv4PodCIDR: '10.244.0.0/27' }, 'ipv4PodCIDR', /cannot hold one \/26 block/);
  });
  it('ipv4PodCIDR is checked in ipv6-only too (a layered file may switch modes) but not required', () => {
    rejects({ ipv4PodCIDR: 'nonsense' }, 'ipv4PodCIDR', /is not a CIDR/);
    assert.equal(validateConfig(raw({ ipv4PodCIDR: '10.244.0.0/16' })).mode, 'ipv6-only');
  });
  it('a podCIDR overlapping link-local, multicast or loopback is refused by overlap, not by its first address', () => {
    rejects({ podCIDR: 'fe80::/112' }, 'podCIDR', /overlaps link-local \(fe80::\/10\)/);
    rejects({ podCIDR: 'fe00::/7' }, 'podCIDR', /overlaps link-local \(fe80::\/10\)/);
    rejects({ podCIDR: 'ff02::/112' }, 'podCIDR', /overlaps multicast \(ff00::\/8\)/);
    rejects({ podCIDR: '::/120' }, 'podCIDR', /overlaps loopback \(::1\)/);
  });
  it('a podCIDR smaller than one /122 block is refused', () => {
    rejects({ podCIDR: 'fd20::/123' }, 'podCIDR', /cannot hold one \/122 block/);
    assert.equal(validateConfig(raw({ podCIDR: 'fd20::/122' })).podCIDR.text, 'fd20::/122');
  });
  it('clusterDNS may not be the service range\'s network address or its first address', () => {
    rejects({ clusterDNS: 'fd00:10:96::' }, 'clusterDNS', /is the network address of serviceCIDR fd00:10:96::\/112/);
    rejects({ clusterDNS: 'fd00:10:96::1' }, 'clusterDNS', /is the first address \(the `kubernetes` Service's\) of serviceCIDR/);
    assert.equal(validateConfig(raw({ clusterDNS: 'fd00:10:96::2' })).clusterDNS.toString(), 'fd00:10:96::2');
  });
  it('ipv6NATOutgoing: auto is true for a ULA podCIDR and false for a global one; true/false (string or YAML boolean) win', () => {
    assert.deepEqual([validateConfig(raw({})).ipv6NATOutgoing, validateConfig(raw({})).ipv6NATOutgoingSetting], [true, 'auto']);
    assert.equal(validateConfig(raw({ podCIDR: '2001:db8:42::/64' })).ipv6NATOutgoing, false);
    assert.equal(validateConfig(raw({ ipv6NATOutgoing: 'false' })).ipv6NATOutgoing, false);
    assert.equal(validateConfig(raw({ ipv6NATOutgoing: false })).ipv6NATOutgoingSetting, 'false');
    assert.equal(validateConfig(raw({ podCIDR: '2001:db8:42::/64', ipv6NATOutgoing: true })).ipv6NATOutgoing, true);
    rejects({ ipv6NATOutgoing: 'yes' }, 'ipv6NATOutgoing', /must be one of auto, true, false/);
  });
  it('flags and environment variables set both keys', () => {
    const env = { CALICO_IPV6_WEBHOOK_MODE: 'dual-stack', CALICO_IPV6_WEBHOOK_IPV4_POD_CIDR: '10.1.0.0/16', CALICO_IPV6_WEBHOOK_IPV6_NAT_OUTGOING: 'false' };
    const fromEnv = loadConfig({ env });
    assert.deepEqual([fromEnv.ipv4PodCIDR?.text, fromEnv.ipv6NATOutgoing], ['10.1.0.0/16', false]);
    const fromFlags = loadConfig({ env, flags: { ipv4PodCIDR: '10.2.0.0/16', ipv6NATOutgoing: 'true' } });
    assert.deepEqual([fromFlags.ipv4PodCIDR?.text, fromFlags.ipv6NATOutgoing], ['10.2.0.0/16', true]);
  });
});

describe('config: written back as text (how it reaches the large-review worker)', () => {
  it('validateConfig(rawConfigOf(config)) is the same configuration, for every kind of setting', () => {
    const cases: Partial<Record<keyof RawConfig, unknown>>[] = [
      {},
      { mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16', ipv6NATOutgoing: 'false' },
      { calicoVersion: 'v3.29.1', routerID: 'require', validationAction: 'warn', kubeDNS: { minImageVersion: '1.15.2' } },
      { podCIDR: '2001:db8:42::/56', serviceCIDR: '2001:db8:43::/112', clusterDNS: '2001:db8:43::a', ipv6NATOutgoing: true },
    ];
    for (const changes of cases) {
      const config = validateConfig(raw(changes));
      assert.deepEqual(validateConfig(rawConfigOf(config)), config, JSON.stringify(changes));
    }
  });
});
