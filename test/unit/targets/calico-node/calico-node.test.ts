// DESIGN 3.1: the calico-node DaemonSet, rule line by rule line, on hand-written manifests of each era.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { calicoNodeTarget } from '../../../../src/targets/calico-node/calico-node.js';
import { validationVerdict } from '../../../../src/engine/verdict.js';
import {
  NODE_CONTAINER_PATH, contextWith, envPointer, envValue, fixtureObject, indexOfEnv, nodeEnv, rulesOf, run, withEnv, withImage,
} from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';

const V2_6 = fixtureObject('calico-node/calico-node-v2.6.12.yaml');
const V3_1 = fixtureObject('calico-node/calico-node-v3.1.3.yaml');
const V3_5 = fixtureObject('calico-node/calico-node-v3.5.0.yaml');
const V3_6_2 = fixtureObject('calico-node/calico-node-v3.6.2.yaml');
const V3_20 = fixtureObject('calico-node/calico-node-v3.20.0.yaml');
const V3_24 = fixtureObject('calico-node/calico-node-v3.24.0.yaml');
const V3_30 = fixtureObject('calico-node/calico-node-v3.30.0.yaml');
const MASTER = fixtureObject('calico-node/calico-node-master.yaml');
const DIGEST = fixtureObject('calico-node/calico-node-digest.yaml');
const OPERATOR = fixtureObject('calico-node/calico-node-operator.yaml');
const CANAL = fixtureObject('calico-node/canal-v3.24.0.yaml');

const envPath = (name: string) => `${NODE_CONTAINER_PATH}.env[name=${name}]`;

/**
 * An object already in the guide's final shape for its version: what tests of single variables start from.
 * Since issue 14 that includes no IPv4 pool (v3.29+) and NAT outgoing for the ULA pod CIDR.
 */
function ipv6Ready(object: KubeObject, extra: Record<string, unknown> = {}): KubeObject {
  const noIpv4Pool = object === V3_30 ? { CALICO_IPV4POOL_CIDR: 'none' } : {};
  return withEnv(object, { IP: 'none', IP6: 'autodetect', FELIX_IPV6SUPPORT: 'true', CALICO_IPV6POOL_CIDR: 'fd20::/112', CALICO_ROUTER_ID: 'hash', ...noIpv4Pool, CALICO_IPV6POOL_NAT_OUTGOING: 'true', ...extra });
}

function problemOf(object: KubeObject, rule: string, ctx = contextWith()) {
  const found = run(object, ctx).analysis.validation.problems.filter((p) => p.rule === rule);
  assert.equal(found.length, 1, `expected one ${rule} problem`);
  return found[0]!;
}

describe('calico-node: target selection', () => {
  it('matches DaemonSets named calico-node and canal, and any other running calico/node (issue 23)', () => {
    assert.equal(calicoNodeTarget.matches(V3_24), true);
    assert.equal(calicoNodeTarget.matches(CANAL), true);
    assert.equal(calicoNodeTarget.matches({ ...V3_24, kind: 'Deployment' }), false);
    assert.equal(calicoNodeTarget.matches({ ...V3_24, metadata: { name: 'canal-node' } }), true, 'its calico/node container says what it is');
    const typha = { ...V3_24, metadata: { name: 'calico-typha' }, spec: { template: { spec: { containers: [{ name: 'calico-typha', image: 'calico/typha:v3.24.0' }] } } } };
    assert.equal(calicoNodeTarget.matches(typha), false);
  });

  it('finds the calico/node container by image in any registry when it is not named calico-node (Canal)', () => {
    const { mutated, patch } = run(CANAL);
    const calico = (mutated.spec as { template: { spec: { containers: { name: string; env?: { name: string; value: string }[] }[] } } }).template.spec.containers;
    assert.equal(calico[0]?.env, undefined, 'kube-flannel is untouched');
    // Canal's backend is none: flannel carries the traffic and no BIRD runs, so no router ID is added.
    assert.deepEqual(calico[1]?.env?.map((e) => [e.name, e.value]), [
      ['DATASTORE_TYPE', 'kubernetes'], ['CALICO_NETWORKING_BACKEND', 'none'], ['CLUSTER_TYPE', 'k8s,canal'], ['IP', 'none'],
      ['FELIX_IPV6SUPPORT', 'true'], ['CALICO_IPV6POOL_CIDR', 'fd20::/112'], ['IP6', 'autodetect'], ['CALICO_IPV6POOL_NAT_OUTGOING', 'true'],
    ]);
    assert.ok(patch.every((op) => op.path.startsWith('/spec/template/spec/containers/1/env/')));
    // The finding path names the container by its own name.
    assert.ok(run(CANAL).analysis.mutation.changes.every((c) => c.path.startsWith('spec.template.spec.containers[name=calico].env[')));
  });

  it('a calico-node DaemonSet without a calico/node container is left alone with a warning', () => {
    const object = structuredClone(V3_24);
    (object.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers = [{ name: 'other', image: 'busybox' }];
    const { patch, analysis } = run(object);
    assert.deepEqual(patch, []);
    assert.deepEqual(analysis.validation.warnings, ['calico-node: no container named calico-node or running calico/node was found; nothing was checked']);
  });
});

describe('calico-node: the upstream manifest becomes the guide\'s IPv6-only shape in one patch', () => {
  it('v3.24.0: exact patch and exact change findings', () => {
    const { patch, analysis } = run(V3_24);
    assert.deepEqual(patch, [
      { op: 'replace', path: `${envPointer(V3_24, 10)}/value`, value: 'true' },
      { op: 'replace', path: `${envPointer(V3_24, 5)}/value`, value: 'none' },
      { op: 'add', path: envPointer(V3_24, 12), value: { name: 'CALICO_IPV6POOL_CIDR', value: 'fd20::/112' } },
      { op: 'add', path: envPointer(V3_24, 13), value: { name: 'IP6', value: 'autodetect' } },
      { op: 'add', path: envPointer(V3_24, 14), value: { name: 'CALICO_IPV6POOL_NAT_OUTGOING', value: 'true' } },
      { op: 'add', path: envPointer(V3_24, 15), value: { name: 'CALICO_ROUTER_ID', value: 'hash' } },
    ]);
    assert.deepEqual(analysis.mutation.changes.map(({ rule, path, found, expected }) => ({ rule, path, found, expected })), [
      { rule: 'calico-node/ipv6-pool', path: envPath('CALICO_IPV6POOL_CIDR'), found: 'absent', expected: '"fd20::/112"' },
      { rule: 'calico-node/ip6', path: envPath('IP6'), found: 'absent', expected: '"autodetect"' },
      { rule: 'calico-node/felix-ipv6', path: envPath('FELIX_IPV6SUPPORT'), found: '"false"', expected: '"true"' },
      // v3.24 has no CALICO_IPV4POOL_CIDR=none (v3.29); the ULA pod CIDR needs NAT for IPv6 egress (issue 14).
      { rule: 'calico-node/ipv6-nat-outgoing', path: envPath('CALICO_IPV6POOL_NAT_OUTGOING'), found: 'absent', expected: '"true"' },
      { rule: 'calico-node/ip-none', path: envPath('IP'), found: '"autodetect"', expected: '"none"' },
      { rule: 'calico-node/router-id', path: envPath('CALICO_ROUTER_ID'), found: 'absent', expected: '"hash"' },
    ]);
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('every value the rule writes is a string (never a YAML boolean)', () => {
    const { mutated } = run(withEnv(V3_30, { FELIX_IPV6SUPPORT: true }));
    for (const entry of nodeEnv(mutated)) if ('value' in entry) assert.equal(typeof entry.value, 'string', entry.name);
  });

  it('the original object is not changed by the engine', () => {
    const before = structuredClone(V3_24);
    run(V3_24);
    assert.deepEqual(V3_24, before);
  });
});

describe('calico-node: CALICO_IPV6POOL_CIDR', () => {
  it('absent: podCIDR is added (from the configured podCIDR, canonical text)', () => {
    const { mutated } = run(V3_30, contextWith({ overrides: { podCIDR: 'fd20:0:0::/96' } }));
    assert.equal(envValue(mutated, 'CALICO_IPV6POOL_CIDR'), 'fd20::/96');
  });

  it('empty: replaced by podCIDR in place, found shown as ""', () => {
    const object = withEnv(V3_30, { CALICO_IPV6POOL_CIDR: '' });
    const { patch, analysis } = run(object);
    assert.ok(patch.some((op) => op.op === 'replace' && op.path === `${envPointer(object, indexOfEnv(object, 'CALICO_IPV6POOL_CIDR'))}/value` && op.value === 'fd20::/112'));
    assert.deepEqual(analysis.mutation.changes.find((c) => c.rule === 'calico-node/ipv6-pool')?.found, '""');
  });

  it('equal to podCIDR (spelled differently) passes with no pool warning', () => {
    const { analysis } = run(ipv6Ready(V3_30, { CALICO_IPV6POOL_CIDR: 'fd20:0::0/112' }));
    assert.deepEqual(analysis.validation.problems, []);
    assert.ok(!analysis.validation.warnings.some((w) => w.includes('proper subset')));
    assert.ok(!analysis.mutation.changes.some((c) => c.rule === 'calico-node/ipv6-pool'), 'a present pool is never rewritten');
  });

  it('outside podCIDR: problem calico-node/ipv6-pool ("inconsistent pool")', () => {
    const p = problemOf(ipv6Ready(V3_30, { CALICO_IPV6POOL_CIDR: 'fd30::/112' }), 'calico-node/ipv6-pool');
    assert.equal(p.path, envPath('CALICO_IPV6POOL_CIDR'));
    assert.equal(p.found, '"fd30::/112"');
    assert.equal(p.expected, 'inside podCIDR fd20::/112 (normally equal)');
    assert.match(p.fix, /^inconsistent pool: .*set CALICO_IPV6POOL_CIDR to fd20::\/112/);
  });

  it('wider than podCIDR (contains it) is outside too', () => {
    problemOf(ipv6Ready(V3_30, { CALICO_IPV6POOL_CIDR: 'fd20::/64' }), 'calico-node/ipv6-pool');
  });

  it('a proper subset of podCIDR: a warning, not a problem', () => {
    const { analysis } = run(ipv6Ready(V3_30, { CALICO_IPV6POOL_CIDR: 'fd20::/112' }), contextWith({ overrides: { podCIDR: 'fd20::/64' } }));
    assert.deepEqual(analysis.validation.problems, []);
    assert.ok(analysis.validation.warnings.includes('calico-node: CALICO_IPV6POOL_CIDR fd20::/112 is a proper subset of podCIDR fd20::/64; they are normally equal'));
  });

  it('host bits set: problem naming the network', () => {
    const p = problemOf(ipv6Ready(V3_30, { CALICO_IPV6POOL_CIDR: 'fd20::1/112' }), 'calico-node/ipv6-pool');
    assert.equal(p.found, '"fd20::1/112"');
    assert.match(p.fix, /has host bits set \(the network is fd20::\/112\)/);
  });

  for (const [pool, range] of [['fe80::/112', 'link-local (fe80::/10)'], ['ff00::/112', 'multicast (ff00::/8)'], ['::1/128', 'loopback (::1)']] as const) {
    it(`${pool} is refused as ${range}`, () => {
      // Configuration validation refuses such a podCIDR (issue 14), so the pool is checked against the default one.
      const p = problemOf(ipv6Ready(V3_30, { CALICO_IPV6POOL_CIDR: pool }), 'calico-node/ipv6-pool');
      assert.equal(p.expected, 'a routable IPv6 range');
      assert.ok(p.fix.includes(range), p.fix);
    });
  }

  it('not a CIDR, or an IPv4 CIDR: problem', () => {
    assert.match(problemOf(ipv6Ready(V3_30, { CALICO_IPV6POOL_CIDR: 'fd20::' }), 'calico-node/ipv6-pool').fix, /is not a CIDR/);
    assert.match(problemOf(ipv6Ready(V3_30, { CALICO_IPV6POOL_CIDR: '10.244.0.0/16' }), 'calico-node/ipv6-pool').fix, /is an IPv4 CIDR, not IPv6/);
  });
});

describe('calico-node: CALICO_IPV6POOL_BLOCK_SIZE', () => {
  for (const bad of ['115', '129', 'big', '120.5']) {
    it(`block size ${bad} (outside 116..128) is a problem`, () => {
      const p = problemOf(ipv6Ready(V3_30, { CALICO_IPV6POOL_BLOCK_SIZE: bad }), 'calico-node/block-size');
      assert.equal(p.path, envPath('CALICO_IPV6POOL_BLOCK_SIZE'));
      assert.equal(p.found, JSON.stringify(bad));
      assert.equal(p.expected, 'a whole number from 116 to 128');
    });
  }

  for (const ok of ['116', '122', '128']) {
    it(`block size ${ok} is accepted with a /112 pool`, () => {
      assert.deepEqual(run(ipv6Ready(V3_30, { CALICO_IPV6POOL_BLOCK_SIZE: ok })).analysis.validation.problems, []);
    });
  }

  it('pool prefix longer than the block size: problem on the pool', () => {
    const p = problemOf(ipv6Ready(V3_30, { CALICO_IPV6POOL_CIDR: 'fd20::/120', CALICO_IPV6POOL_BLOCK_SIZE: '116' }), 'calico-node/block-size');
    assert.equal(p.path, envPath('CALICO_IPV6POOL_CIDR'));
    assert.equal(p.found, '/120');
    assert.equal(p.expected, '/116 or larger (the block size)');
  });

  it('the default block size is 122: a /124 pool is refused', () => {
    // A /124 podCIDR is refused by configuration validation (issue 14); the pool is a /124 inside the default one.
    const p = problemOf(ipv6Ready(V3_30, { CALICO_IPV6POOL_CIDR: 'fd20::/124' }), 'calico-node/block-size');
    assert.equal(p.expected, '/122 or larger (the block size)');
  });

  it('before v3.3 the pool must be /122 or larger, and BLOCK_SIZE is ignored with a warning', () => {
    const object = withEnv(V3_1, { CALICO_IPV6POOL_CIDR: 'fd20::/123', CALICO_IPV6POOL_BLOCK_SIZE: '124' });
    const { analysis } = run(object, contextWith({ overrides: { podCIDR: 'fd20::/120' } }));
    const p = analysis.validation.problems.find((f) => f.rule === 'calico-node/block-size');
    assert.deepEqual(p && { path: p.path, found: p.found, expected: p.expected }, { path: envPath('CALICO_IPV6POOL_CIDR'), found: '/123', expected: '/122 or larger (a smaller prefix length)' });
    assert.ok(analysis.validation.warnings.includes('calico-node: CALICO_IPV6POOL_BLOCK_SIZE is ignored before Calico v3.3 (running v3.1.3); blocks are /122'));
    // /122 itself is fine before v3.3.
    const fine = run(withEnv(V2_6, { CALICO_IPV6POOL_CIDR: 'fd20::/122' }), contextWith({ overrides: { podCIDR: 'fd20::/120' } }));
    assert.ok(!fine.analysis.validation.problems.some((f) => f.rule === 'calico-node/block-size'));
  });
});

describe('calico-node: IP6', () => {
  it('absent: set to autodetect (added)', () => {
    assert.equal(envValue(run(V3_24).mutated, 'IP6'), 'autodetect');
  });

  it('empty: set to autodetect (an empty IP6 does not autodetect in Calico)', () => {
    const object = withEnv(V3_24, { IP6: '' });
    const { patch, analysis } = run(object);
    assert.ok(patch.some((op) => op.op === 'replace' && op.path === `${envPointer(object, indexOfEnv(object, 'IP6'))}/value` && op.value === 'autodetect'));
    assert.deepEqual(analysis.mutation.changes.find((c) => c.rule === 'calico-node/ip6')?.found, '""');
  });

  it('none: problem, not rewritten', () => {
    const { analysis, mutated } = run(withEnv(V3_24, { IP6: 'none' }));
    assert.equal(envValue(mutated, 'IP6'), 'none');
    const p = analysis.validation.problems.find((f) => f.rule === 'calico-node/ip6');
    assert.deepEqual(p && [p.path, p.found, p.expected], [envPath('IP6'), '"none"', '"autodetect"']);
    assert.match(p!.fix, /IP6=none turns IPv6 off/);
  });

  it('a literal address in a DaemonSet: problem (every node would get it)', () => {
    const p = problemOf(ipv6Ready(V3_24, { IP6: 'fd00::10' }), 'calico-node/ip6');
    assert.equal(p.found, '"fd00::10"');
    assert.match(p.fix, /one literal address in a DaemonSet/);
  });

  it('autodetect: untouched, no finding', () => {
    const { analysis } = run(ipv6Ready(V3_30));
    assert.deepEqual(analysis.mutation.changes, []);
    assert.deepEqual(analysis.validation.problems, []);
  });
});

describe('calico-node: FELIX_IPV6SUPPORT', () => {
  it('"false" becomes "true"', () => {
    const object = V3_24;
    const change = run(object).analysis.mutation.changes.find((c) => c.rule === 'calico-node/felix-ipv6');
    assert.deepEqual(change && [change.found, change.expected], ['"false"', '"true"']);
  });

  it('absent: "true" is added', () => {
    const object = withEnv(V3_30, { FELIX_IPV6SUPPORT: undefined });
    const { analysis, mutated } = run(object);
    assert.equal(envValue(mutated, 'FELIX_IPV6SUPPORT'), 'true');
    assert.equal(analysis.mutation.changes.find((c) => c.rule === 'calico-node/felix-ipv6')?.found, 'absent');
  });

  it('a YAML boolean true becomes the string "true"', () => {
    const object = withEnv(V3_30, { FELIX_IPV6SUPPORT: true });
    const { patch, analysis } = run(object);
    assert.ok(patch.some((op) => op.op === 'replace' && op.path === `${envPointer(object, indexOfEnv(object, 'FELIX_IPV6SUPPORT'))}/value` && op.value === 'true'));
    const change = analysis.mutation.changes.find((c) => c.rule === 'calico-node/felix-ipv6');
    assert.deepEqual(change && [change.found, change.expected], ['true', '"true"']);
  });

  it('the string "true" is left alone', () => {
    assert.ok(!run(withEnv(V3_30, { FELIX_IPV6SUPPORT: 'true' })).analysis.mutation.changes.some((c) => c.rule === 'calico-node/felix-ipv6'));
  });
});

describe('calico-node: IP (ipv6-only)', () => {
  for (const [label, value] of [['absent', undefined], ['empty', ''], ['autodetect', 'autodetect']] as const) {
    it(`${label} becomes none on calico/node >= v3.2`, () => {
      const { mutated, analysis } = run(withEnv(V3_30, { IP: value }));
      assert.equal(envValue(mutated, 'IP'), 'none');
      assert.equal(analysis.mutation.changes.find((c) => c.rule === 'calico-node/ip-none')?.found, value === undefined ? 'absent' : JSON.stringify(value));
      assert.deepEqual(analysis.validation.problems, []);
    });
  }

  it('exactly v3.2.0 is enough for IP=none', () => {
    assert.equal(envValue(run(withImage(V3_24, 'calico/node:v3.2.0')).mutated, 'IP'), 'none');
  });

  it('v3.1.3: not rewritten, problem naming v3.2', () => {
    const { mutated, analysis } = run(V3_1);
    assert.equal(envValue(mutated, 'IP'), 'autodetect');
    const p = analysis.validation.problems.find((f) => f.rule === 'calico-node/ip-none');
    assert.ok(p);
    assert.equal(p.path, envPath('IP'));
    assert.equal(p.found, '"autodetect"');
    assert.equal(p.expected, '"none" (IPv6-only)');
    assert.match(p.fix, /calico\/node v3\.1\.3 cannot run IPv6-only: IP=none needs calico\/node >= v3\.2\.0/);
  });

  it('v2.6.12 with IP="": the same refusal', () => {
    const p = run(V2_6).analysis.validation.problems.find((f) => f.rule === 'calico-node/ip-none');
    assert.equal(p?.found, '""');
    assert.match(p!.fix, />= v3\.2\.0/);
  });

  it('IP=none written by hand on calico/node < v3.2 is refused too (it does not exist there)', () => {
    const p = problemOf(withEnv(V3_1, { IP: 'none', CALICO_ROUTER_ID: { valueFrom: { configMapKeyRef: { name: 'router', key: 'id' } } } }), 'calico-node/ip-none');
    assert.equal(p.found, '"none"');
    assert.match(p.fix, />= v3\.2\.0/);
  });

  it('a literal IPv4 address: problem, not rewritten', () => {
    const { mutated, analysis } = run(withEnv(V3_30, { IP: '10.0.0.5' }));
    assert.equal(envValue(mutated, 'IP'), '10.0.0.5');
    const p = analysis.validation.problems.find((f) => f.rule === 'calico-node/ip-none');
    assert.equal(p?.found, '"10.0.0.5"');
    assert.match(p!.fix, /literal IPv4 address on an IPv6-only node/);
  });
});

describe('calico-node: CALICO_ROUTER_ID', () => {
  it('added as hash from v3.6.2 on', () => {
    const { mutated, analysis } = run(V3_6_2);
    assert.equal(envValue(mutated, 'CALICO_ROUTER_ID'), 'hash');
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('below v3.25: a warning about the multicast range; from v3.25: none', () => {
    const warning = 'calico-node: CALICO_ROUTER_ID=hash before Calico v3.25 can give a node a router ID in 224.0.0.0/4, which its BGP peers refuse ("Bad BGP Identifier", projectcalico/calico#5146, fixed in v3.25.0); upgrade calico/node';
    assert.ok(run(V3_24).analysis.validation.warnings.includes(warning));
    assert.ok(run(V3_6_2).analysis.validation.warnings.includes(warning));
    assert.ok(!run(withImage(V3_24, 'calico/node:v3.25.0')).analysis.validation.warnings.includes(warning));
    assert.ok(!run(V3_30).analysis.validation.warnings.includes(warning));
  });

  it('routerID=require: not added; problem "IP=none requires CALICO_ROUTER_ID"', () => {
    const ctx = contextWith({ overrides: { routerID: 'require' } });
    const { mutated, analysis } = run(V3_30, ctx);
    assert.equal(envValue(mutated, 'CALICO_ROUTER_ID'), undefined);
    const p = analysis.validation.problems.find((f) => f.rule === 'calico-node/router-id');
    assert.deepEqual(p && [p.path, p.found, p.expected], [envPath('CALICO_ROUTER_ID'), 'absent', '"hash"']);
    assert.match(p!.fix, /^IP=none requires CALICO_ROUTER_ID/);
  });

  it('routerID=require with the variable set by hand: accepted', () => {
    assert.deepEqual(run(ipv6Ready(V3_30), contextWith({ overrides: { routerID: 'require' } })).analysis.validation.problems, []);
  });

  it('an empty CALICO_ROUTER_ID counts as absent: set to hash', () => {
    const object = withEnv(V3_30, { CALICO_ROUTER_ID: '' });
    const { mutated, patch, analysis } = run(object);
    assert.equal(envValue(mutated, 'CALICO_ROUTER_ID'), 'hash');
    assert.ok(patch.some((op) => op.op === 'replace' && op.path === `${envPointer(object, indexOfEnv(object, 'CALICO_ROUTER_ID'))}/value`));
    assert.equal(analysis.mutation.changes.find((c) => c.rule === 'calico-node/router-id')?.found, '""');
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('one literal dotted quad for every node: problem', () => {
    const p = problemOf(ipv6Ready(V3_30, { CALICO_ROUTER_ID: '10.0.0.1' }), 'calico-node/router-id');
    assert.equal(p.found, '"10.0.0.1"');
    assert.equal(p.expected, '"hash"');
    assert.match(p.fix, /one literal router ID in a DaemonSet is shared by every node/);
  });

  it('below v3.6.2 (v3.5.0): not added; problem naming v3.6.2', () => {
    const { mutated, analysis } = run(V3_5);
    assert.equal(envValue(mutated, 'IP'), 'none');
    assert.equal(envValue(mutated, 'CALICO_ROUTER_ID'), undefined);
    const p = analysis.validation.problems.find((f) => f.rule === 'calico-node/router-id');
    assert.equal(p?.expected, 'a router ID for each node');
    assert.match(p!.fix, /^IP=none requires CALICO_ROUTER_ID; calico\/node v3\.5\.0 has no "hash", so upgrade to >= v3\.6\.2/);
  });

  it('hash written by hand below v3.6.2: problem', () => {
    const p = problemOf(ipv6Ready(V3_5), 'calico-node/router-id');
    assert.equal(p.found, '"hash"');
    assert.match(p.fix, /CALICO_ROUTER_ID=hash needs calico\/node >= v3\.6\.2 \(running v3\.5\.0\)/);
  });

  it('with the vxlan or none backend no BIRD runs, so no router ID is added or required (rc.local:45-61)', () => {
    for (const backend of ['vxlan', 'none']) {
      const object = withEnv(V3_30, { CALICO_NETWORKING_BACKEND: backend, CALICO_IPV6POOL_VXLAN: 'Always' });
      const { mutated, analysis } = run(object);
      assert.equal(envValue(mutated, 'CALICO_ROUTER_ID'), undefined, backend);
      assert.equal(envValue(mutated, 'IP'), 'none', backend);
      assert.ok(!analysis.validation.problems.some((p) => p.rule === 'calico-node/router-id'), backend);
      // Under routerID=require too: nothing reads it.
      assert.ok(!run(object, contextWith({ overrides: { routerID: 'require' } })).analysis.validation.problems.some((p) => p.rule === 'calico-node/router-id'), backend);
    }
    // The legacy CALICO_NETWORKING=false is the none backend (rc.local:2-9).
    assert.equal(envValue(run(withEnv(V3_30, { CALICO_NETWORKING: 'false' })).mutated, 'CALICO_ROUTER_ID'), undefined);
  });

  it('BIRD still runs with the bird backend when Felix programs the routes: the router ID is still required', () => {
    const object = withEnv(V3_30, { CALICO_NETWORKING_BACKEND: 'bird', FELIX_PROGRAMCLUSTERROUTES: 'Enabled' });
    assert.equal(envValue(run(withImage(object, 'calico/node:v3.31.7')).mutated, 'CALICO_ROUTER_ID'), 'hash');
    const p = problemOf(withImage(object, 'calico/node:v3.31.7'), 'calico-node/router-id', contextWith({ overrides: { routerID: 'require' } }));
    assert.match(p.fix, /^IP=none requires CALICO_ROUTER_ID/);
  });

  it('a backend that cannot be read may be bird: the router ID is still required', () => {
    const object = withEnv(V3_30, { CALICO_NETWORKING_BACKEND: { valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'calico_backend' } } } });
    const ctx = contextWith({ overrides: { routerID: 'require' }, configMaps: { lookupConfigMap: () => undefined } });
    assert.ok(run(object, ctx).analysis.validation.problems.some((p) => p.rule === 'calico-node/router-id'));
  });

  it('not required when IP is not none (dual-stack)', () => {
    const { mutated, analysis } = run(V3_30, contextWith({ overrides: { mode: 'dual-stack' } }));
    assert.equal(envValue(mutated, 'CALICO_ROUTER_ID'), undefined);
    assert.ok(!analysis.validation.problems.some((p) => p.rule === 'calico-node/router-id'));
  });
});

describe('calico-node: NO_DEFAULT_POOLS, VXLAN, IPv4 pool, backend', () => {
  it('NO_DEFAULT_POOLS=true with a pool CIDR: problem calico-node/no-default-pools', () => {
    const p = problemOf(ipv6Ready(V3_30, { NO_DEFAULT_POOLS: 'true' }), 'calico-node/no-default-pools');
    assert.deepEqual([p.path, p.found, p.expected], [envPath('CALICO_IPV6POOL_CIDR'), '"fd20::/112"', 'absent while NO_DEFAULT_POOLS=true']);
  });

  it('NO_DEFAULT_POOLS=true without a pool: no pool added, a warning to create an IPPool', () => {
    const { mutated, analysis } = run(withEnv(V3_30, { NO_DEFAULT_POOLS: 'true' }));
    assert.equal(envValue(mutated, 'CALICO_IPV6POOL_CIDR'), undefined);
    assert.ok(!analysis.mutation.changes.some((c) => c.rule === 'calico-node/ipv6-pool'));
    assert.ok(analysis.validation.warnings.includes('calico-node: NO_DEFAULT_POOLS=true, so no IPv6 pool is created; create an IPPool with cidr fd20::/112'));
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('CALICO_IPV6POOL_VXLAN before v3.23: warning; from v3.23 or "Never": none', () => {
    const text = 'calico-node: CALICO_IPV6POOL_VXLAN=Always needs Calico >= v3.23 for IPv6 VXLAN (running v3.20.0)';
    assert.ok(run(withEnv(V3_20, { CALICO_IPV6POOL_VXLAN: 'Always' })).analysis.validation.warnings.includes(text));
    assert.ok(!run(withEnv(V3_24, { CALICO_IPV6POOL_VXLAN: 'Always' })).analysis.validation.warnings.some((w) => w.includes('CALICO_IPV6POOL_VXLAN')));
    assert.ok(!run(withEnv(V3_20, { CALICO_IPV6POOL_VXLAN: 'Never' })).analysis.validation.warnings.some((w) => w.includes('CALICO_IPV6POOL_VXLAN')));
  });

  it('an IPv4 pool in ipv6-only mode: warning ("none" from v3.29 on)', () => {
    assert.ok(run(withEnv(V3_24, { CALICO_IPV4POOL_CIDR: '192.168.0.0/16' })).analysis.validation.warnings.includes(
      'calico-node: CALICO_IPV4POOL_CIDR=192.168.0.0/16 creates an IPv4 pool in an IPv6-only cluster; remove it (the value "none" needs Calico v3.29)'));
    assert.ok(run(withEnv(V3_30, { CALICO_IPV4POOL_CIDR: '192.168.0.0/16' })).analysis.validation.warnings.includes(
      'calico-node: CALICO_IPV4POOL_CIDR=192.168.0.0/16 creates an IPv4 pool in an IPv6-only cluster; set it to "none"'));
    assert.ok(!run(withEnv(V3_30, { CALICO_IPV4POOL_CIDR: 'none' })).analysis.validation.warnings.some((w) => w.includes('IPv4 pool')));
    assert.ok(!run(withEnv(V3_30, { CALICO_IPV4POOL_CIDR: '192.168.0.0/16' }), contextWith({ overrides: { mode: 'dual-stack' } })).analysis.validation.warnings.some((w) => w.includes('IPv4 pool')));
  });

  it('vxlan backend before v3.23 (literal env): problem calico-node/backend', () => {
    const p = problemOf(withEnv(V3_20, { CALICO_NETWORKING_BACKEND: 'vxlan' }), 'calico-node/backend');
    assert.deepEqual([p.path, p.found], [envPath('CALICO_NETWORKING_BACKEND'), '"vxlan"']);
    assert.match(p.fix, /needs Calico >= v3\.23 \(running v3\.20\.0\)/);
  });

  it('vxlan backend before v3.23 through the calico-config valueFrom lookup: problem', () => {
    const lookups: string[] = [];
    const ctx = contextWith({
      configMaps: {
        lookupConfigMapKey: (namespace, name, key) => {
          lookups.push(`${namespace}/${name}/${key}`);
          return name === 'calico-config' && key === 'calico_backend' ? 'vxlan' : undefined;
        },
      },
    });
    const p = problemOf(V3_20, 'calico-node/backend', ctx);
    assert.equal(p.found, '"vxlan"');
    assert.ok(lookups.includes('kube-system/calico-config/calico_backend'));
  });

  it('vxlan backend from v3.23 on, or bird: no problem', () => {
    assert.ok(!run(withEnv(V3_24, { CALICO_NETWORKING_BACKEND: 'vxlan' })).analysis.validation.problems.some((p) => p.rule === 'calico-node/backend'));
    assert.ok(!run(withEnv(V3_20, { CALICO_NETWORKING_BACKEND: 'bird' })).analysis.validation.problems.some((p) => p.rule === 'calico-node/backend'));
  });
});

describe('calico-node: duplicates, valueFrom and envFrom', () => {
  it('a variable that appears twice: the last (effective) entry is patched, with a warning', () => {
    const object = structuredClone(V3_30);
    nodeEnv(object).splice(0, 0, { name: 'FELIX_IPV6SUPPORT', value: 'true' });
    const last = indexOfEnv(object, 'FELIX_IPV6SUPPORT');
    const { patch, mutated, analysis } = run(object);
    const felixOps = patch.filter((op) => op.path.startsWith(envPointer(object, 0)) || op.path === `${envPointer(object, last)}/value`);
    assert.deepEqual(felixOps, [{ op: 'replace', path: `${envPointer(object, last)}/value`, value: 'true' }]);
    assert.equal(nodeEnv(mutated)[0]?.value, 'true', 'the shadowed first entry is untouched');
    assert.ok(analysis.mutation.warnings.includes(
      `calico-node: FELIX_IPV6SUPPORT appears 2 times in env; the last entry (env[${last}]) is the one calico-node reads and the one checked`));
  });

  it('a target variable given by valueFrom is left untouched, with a warning', () => {
    const object = withEnv(V3_30, { IP6: { valueFrom: { configMapKeyRef: { name: 'node-addresses', key: 'ip6' } } } });
    const { patch, mutated, analysis } = run(object);
    assert.ok(!patch.some((op) => op.path.startsWith(envPointer(object, indexOfEnv(object, 'IP6')))));
    assert.deepEqual(nodeEnv(mutated).filter((e) => e.name === 'IP6'), [{ name: 'IP6', valueFrom: { configMapKeyRef: { name: 'node-addresses', key: 'ip6' } } }]);
    assert.ok(analysis.validation.warnings.includes('calico-node: IP6 comes from ConfigMap node-addresses key ip6, which the webhook cannot read here; it was not checked or changed'));
    assert.ok(!analysis.validation.problems.some((p) => p.rule === 'calico-node/ip6'));
  });

  it('a valueFrom that is not a ConfigMap key (fieldRef) is reported as such', () => {
    const object = withEnv(V3_30, { IP: { valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } } });
    const { mutated, analysis } = run(object);
    assert.equal(nodeEnv(mutated).find((e) => e.name === 'IP')?.value, undefined);
    assert.ok(analysis.validation.warnings.includes('calico-node: IP comes from a valueFrom other than a ConfigMap key, which the webhook cannot read here; it was not checked or changed'));
  });

  it('a valueFrom resolved through the lookup is checked, never rewritten', () => {
    const object = withEnv(ipv6Ready(V3_30), { IP6: { valueFrom: { configMapKeyRef: { name: 'node-addresses', key: 'ip6' } } } });
    const ctx = contextWith({ configMaps: { lookupConfigMapKey: (_ns, name, key) => (name === 'node-addresses' && key === 'ip6' ? 'none' : undefined) } });
    const { patch, analysis } = run(object, ctx);
    assert.deepEqual(patch, []);
    assert.equal(analysis.validation.problems.find((p) => p.rule === 'calico-node/ip6')?.found, '"none"');
  });

  it('NO_DEFAULT_POOLS resolved through the lookup stops the pool from being added (mutation and validation agree)', () => {
    const object = withEnv(V3_30, { NO_DEFAULT_POOLS: { valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'no_default_pools' } } } });
    const ctx = contextWith({ configMaps: { lookupConfigMapKey: (_ns, name, key) => (name === 'calico-config' && key === 'no_default_pools' ? 'true' : undefined) } });
    const { mutated, analysis } = run(object, ctx);
    assert.equal(envValue(mutated, 'CALICO_IPV6POOL_CIDR'), undefined);
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('envFrom does not hide a target variable: env is what is checked and patched', () => {
    const { mutated } = run(V3_24);
    const container = (mutated.spec as { template: { spec: { containers: { envFrom?: unknown }[] } } }).template.spec.containers[0];
    assert.deepEqual(container?.envFrom, [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }]);
    assert.equal(envValue(mutated, 'IP6'), 'autodetect');
  });

  it('env that is not a list of named entries: malformed (400), no patch', () => {
    const object = structuredClone(V3_30);
    (object.spec as { template: { spec: { containers: { env: unknown }[] } } }).template.spec.containers[0]!.env = [{ value: 'x' }];
    const { patch, analysis } = run(object);
    assert.deepEqual(patch, []);
    assert.deepEqual(rulesOf(analysis.mutation.malformed), ['calico-node/shape']);
    assert.equal(validationVerdict(analysis, 'deny').code, 400);
  });
});

describe('calico-node: dual-stack, UPDATE and the operator', () => {
  it('dual-stack: IP stays autodetect; pool, IP6 and Felix IPv6 are added beside it', () => {
    const { mutated, analysis } = run(V3_30, contextWith({ overrides: { mode: 'dual-stack' } }));
    assert.equal(envValue(mutated, 'IP'), 'autodetect');
    assert.equal(envValue(mutated, 'IP6'), 'autodetect');
    assert.equal(envValue(mutated, 'FELIX_IPV6SUPPORT'), 'true');
    assert.equal(envValue(mutated, 'CALICO_IPV6POOL_CIDR'), 'fd20::/112');
    // Issue 14: the IPv4 pool is the configured ipv4PodCIDR (10.244.0.0/16 in the test configuration), not 192.168.0.0/16.
    assert.equal(envValue(mutated, 'CALICO_IPV4POOL_CIDR'), '10.244.0.0/16');
    assert.deepEqual(rulesOf(analysis.mutation.changes), ['calico-node/ipv6-pool', 'calico-node/ip6', 'calico-node/felix-ipv6', 'calico-node/ipv4-pool', 'calico-node/ipv6-nat-outgoing']);
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('dual-stack: IP=none or a literal IPv4 address is a problem', () => {
    const ctx = contextWith({ overrides: { mode: 'dual-stack' } });
    assert.equal(problemOf(ipv6Ready(V3_30), 'calico-node/ip', ctx).expected, '"autodetect" (dual-stack keeps IPv4)');
    assert.equal(problemOf(ipv6Ready(V3_30, { IP: '10.1.2.3' }), 'calico-node/ip', ctx).found, '"10.1.2.3"');
  });

  it('UPDATE from an IPv4 calico-node: a warning that pools are not converted', () => {
    const warning = 'calico-node: this update turns an IPv4 calico-node to IPv6; the guide covers new clusters, and an existing IPPool is not changed by the pool variables (create the IPv6 IPPool yourself)';
    assert.ok(run(V3_30, contextWith({ operation: 'UPDATE', oldObject: V3_30 })).analysis.validation.warnings.includes(warning));
    assert.ok(!run(V3_30, contextWith({ operation: 'CREATE' })).analysis.validation.warnings.includes(warning));
    const alreadyIpv6 = ipv6Ready(V3_30);
    assert.ok(!run(alreadyIpv6, contextWith({ operation: 'UPDATE', oldObject: alreadyIpv6 })).analysis.validation.warnings.includes(warning));
  });

  it('operator-managed calico-node (calico-system): a warning, no patch', () => {
    const { patch, analysis } = run(OPERATOR);
    assert.deepEqual(patch, []);
    assert.deepEqual(analysis.mutation.changes, []);
    assert.deepEqual(analysis.validation.problems, []);
    assert.deepEqual(analysis.validation.warnings, [
      'calico-node: this DaemonSet is managed by the Tigera operator (owner reference Installation default (operator.tigera.io/v1)), which reverts manual changes; set IPv6 in the Installation resource (spec.calicoNetwork.ipPools) instead',
    ]);
  });

  it('owned by the operator in another namespace: the same', () => {
    const object = structuredClone(OPERATOR);
    object.metadata!.namespace = 'kube-system';
    assert.deepEqual(run(object).patch, []);
    // Issue 14: the namespace alone is not the operator's mark; a plain DaemonSet there is fixed like any other.
    const plain = structuredClone(V3_30);
    plain.metadata!.namespace = 'calico-system';
    assert.ok(run(plain).patch.length > 0);
    assert.ok(!run(plain).analysis.validation.warnings.some((w) => w.includes('Tigera operator')));
  });
});

describe('calico-node: the Calico version', () => {
  it('master is treated as the newest release: hash added, no multicast warning', () => {
    const { mutated, analysis } = run(MASTER);
    assert.equal(envValue(mutated, 'CALICO_ROUTER_ID'), 'hash');
    assert.deepEqual(analysis.validation.warnings.filter((w) => w.includes('v3.25') || w.includes('assuming')), []);
  });

  it('a digest: falls back to calicoVersion, with a warning', () => {
    const { mutated, analysis } = run(DIGEST, contextWith({ overrides: { calicoVersion: 'v3.5.0' } }));
    assert.equal(envValue(mutated, 'CALICO_ROUTER_ID'), undefined, 'v3.5.0 has no hash');
    assert.ok(analysis.validation.warnings.some((w) => /^calico-node: the image docker\.io\/calico\/node@sha256:\w+ names no version; assuming Calico v3\.5\.0 from calicoVersion$/.test(w)));
  });

  it('a digest with calicoVersion auto: the newest is assumed, with a warning to set calicoVersion', () => {
    const { mutated, analysis } = run(DIGEST);
    assert.equal(envValue(mutated, 'CALICO_ROUTER_ID'), 'hash');
    assert.ok(analysis.validation.warnings.some((w) => w.endsWith('names no version; assuming a current Calico release (set calicoVersion to be exact)')));
  });

  it('a digest with a hint from the same file: the hint is used', () => {
    const { analysis } = run(DIGEST, contextWith({ calicoVersionHint: { major: 3, minor: 1, patch: 3 } }));
    assert.ok(analysis.validation.warnings.some((w) => w.endsWith('assuming Calico v3.1.3 from the calico/node image')));
    assert.ok(analysis.validation.problems.some((p) => p.rule === 'calico-node/ip-none'));
  });

  it('an image tag wins over calicoVersion', () => {
    const { analysis } = run(V3_1, contextWith({ overrides: { calicoVersion: 'v3.30.0' } }));
    assert.ok(analysis.validation.problems.some((p) => p.rule === 'calico-node/ip-none'));
  });
});
