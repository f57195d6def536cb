// DESIGN 3.2: the calico-config / canal-config CNI template. Only the ipam object changes; every other
// byte of the template, unquoted placeholders included, must come out exactly as it went in.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { calicoConfigTarget } from '../../../../src/targets/calico-config/calico-config.js';
import { CniTemplate, neutralizePlaceholders, positionAt } from '../../../../src/targets/shared/cni-template.js';
import { validationVerdict } from '../../../../src/engine/verdict.js';
import { contextWith, fixtureObject, rulesOf, run } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';

/** calico-ipam's flags are *string (cni-plugin/pkg/types/types.go:84-85): a boolean fails json.Unmarshal. */
const BOOLEAN_FIX = 'calico-ipam cannot read a JSON boolean here: assign_ipv4 and assign_ipv6 are strings in its configuration (cni-plugin/pkg/types/types.go), so it fails to unmarshal the configuration and every pod fails to get an address';
const CONFLIST = fixtureObject('calico-config/calico-config-conflist.yaml');
const SINGLE = fixtureObject('calico-config/calico-config-v2.6-single-plugin.yaml');
const CANAL = fixtureObject('calico-config/canal-config-flannel-delegate.yaml');
const HOST_LOCAL = fixtureObject('calico-config/calico-config-host-local.yaml');
const BOOLEANS = fixtureObject('calico-config/calico-config-boolean-flags.yaml');
const UNPARSEABLE = fixtureObject('calico-config/calico-config-unparseable.yaml');
const PLACEHOLDERS = fixtureObject('calico-config/calico-config-placeholders.yaml');

function template(object: KubeObject): string {
  return (object.data as Record<string, string>).cni_network_config as string;
}

function withTemplate(object: KubeObject, text: string): KubeObject {
  const copy = structuredClone(object);
  (copy.data as Record<string, string>).cni_network_config = text;
  return copy;
}

/** The text with `addition` inserted right after `anchor`, which must occur exactly once. */
function insertedAfter(text: string, anchor: string, addition: string): string {
  const at = text.indexOf(anchor);
  assert.ok(at >= 0 && text.indexOf(anchor, at + 1) < 0, `anchor ${JSON.stringify(anchor)} must occur once`);
  return text.slice(0, at + anchor.length) + addition + text.slice(at + anchor.length);
}

/** [start, end) of the JSON object that opens at the first `"ipam": {` of the text. */
function ipamRange(text: string): [number, number] {
  const start = text.indexOf('{', text.indexOf('"ipam"'));
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return [start, i + 1];
  }
  throw new Error('unbalanced ipam object');
}

function assertOnlyIpamChanged(before: string, after: string): void {
  const [start, end] = ipamRange(before);
  const [start2, end2] = ipamRange(after);
  assert.equal(start2, start);
  assert.equal(after.slice(0, start2), before.slice(0, start), 'every byte before the ipam object is unchanged');
  assert.equal(after.slice(end2), before.slice(end), 'every byte after the ipam object is unchanged');
}

describe('calico-config: target selection', () => {
  it('matches ConfigMaps named calico-config and canal-config only', () => {
    assert.equal(calicoConfigTarget.matches(CONFLIST), true);
    assert.equal(calicoConfigTarget.matches(CANAL), true);
    assert.equal(calicoConfigTarget.matches({ ...CONFLIST, metadata: { name: 'kube-dns' } }), false);
    assert.equal(calicoConfigTarget.matches({ ...CONFLIST, kind: 'Secret' }), false);
  });

  it('a calico-config without cni_network_config (or without data) is admitted untouched', () => {
    for (const object of [{ ...CONFLIST, data: { calico_backend: 'bird' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'calico-config' } }]) {
      const { patch, analysis } = run(object);
      assert.deepEqual(patch, []);
      assert.deepEqual([analysis.validation.problems, analysis.validation.malformed], [[], []]);
    }
  });
});

describe('calico-config: calico-ipam assigns IPv6 only', () => {
  it('conflist (v3.x): both flags added as strings, one replace of the template, the rest byte-identical', () => {
    const before = template(CONFLIST);
    const { patch, analysis, mutated } = run(CONFLIST);
    const expected = insertedAfter(before, '"type": "calico-ipam"', ',\n          "assign_ipv4": "false",\n          "assign_ipv6": "true"');
    assert.deepEqual(patch, [{ op: 'replace', path: '/data/cni_network_config', value: expected }]);
    assert.equal(template(mutated), expected);
    assert.ok(template(mutated).includes('"mtu": __CNI_MTU__,'), 'the unquoted placeholder is kept');
    assertOnlyIpamChanged(before, template(mutated));
    assert.deepEqual(analysis.mutation.changes.map(({ rule, path, found, expected: e }) => ({ rule, path, found, expected: e })), [
      { rule: 'calico-config/assign', path: 'data.cni_network_config plugins[0].ipam.assign_ipv4', found: 'absent', expected: '"false"' },
      { rule: 'calico-config/assign', path: 'data.cni_network_config plugins[0].ipam.assign_ipv6', found: 'absent', expected: '"true"' },
    ]);
    assert.deepEqual(analysis.validation.problems, []);
  });

  it('the other data keys are not touched', () => {
    const { mutated } = run(CONFLIST);
    const { cni_network_config: _t, ...rest } = mutated.data as Record<string, string>;
    const { cni_network_config: _o, ...original } = CONFLIST.data as Record<string, string>;
    assert.deepEqual(rest, original);
  });

  it('single plugin (v2.6): the root ipam object is edited', () => {
    const before = template(SINGLE);
    const { mutated, analysis } = run(SINGLE);
    assert.equal(template(mutated), insertedAfter(before, '"type": "calico-ipam"', ',\n        "assign_ipv4": "false",\n        "assign_ipv6": "true"'));
    assertOnlyIpamChanged(before, template(mutated));
    assert.deepEqual(analysis.mutation.changes.map((c) => c.path), ['data.cni_network_config ipam.assign_ipv4', 'data.cni_network_config ipam.assign_ipv6']);
  });

  it("Canal's flannel delegate: delegate.ipam is edited; net-conf.json is the flannel target's (issue 14)", () => {
    const before = template(CANAL);
    const { mutated, analysis } = run(CANAL);
    assert.equal(template(mutated), insertedAfter(before, '"type": "calico-ipam"', ',\n            "assign_ipv4": "false",\n            "assign_ipv6": "true"'));
    const own = analysis.results.find((r) => r.target.id === 'calico-config')?.mutation.changes ?? [];
    assert.deepEqual(own.map((c) => c.path), ['data.cni_network_config delegate.ipam.assign_ipv4', 'data.cni_network_config delegate.ipam.assign_ipv6']);
    const flannel = analysis.results.find((r) => r.target.id === 'flannel')?.mutation.changes ?? [];
    assert.deepEqual(flannel.map((c) => c.path), ['data.net-conf.json EnableIPv6', 'data.net-conf.json IPv6Network', 'data.net-conf.json EnableIPv4']);
  });

  it('JSON booleans become strings (cni-plugin#461), each replaced in place; the message says the plugin fails, not that it ignores them (issue 23)', () => {
    const before = template(BOOLEANS);
    const { mutated, analysis } = run(BOOLEANS);
    assert.equal(template(mutated), before.replace('"assign_ipv4": true', '"assign_ipv4": "false"').replace('"assign_ipv6": false', '"assign_ipv6": "true"'));
    assert.deepEqual(analysis.mutation.changes.map((c) => [c.found, c.expected, c.fix]), [
      ['true', '"false"', BOOLEAN_FIX],
      ['false', '"true"', BOOLEAN_FIX],
    ]);
  });

  it('a string value other than the wanted one is replaced ("true" -> "false")', () => {
    const text = template(CONFLIST).replace('"type": "calico-ipam"', '"type": "calico-ipam", "assign_ipv4": "true", "assign_ipv6": "true"');
    const { mutated, analysis } = run(withTemplate(CONFLIST, text));
    assert.equal(template(mutated), text.replace('"assign_ipv4": "true"', '"assign_ipv4": "false"'));
    assert.deepEqual(rulesOf(analysis.mutation.changes), ['calico-config/assign']);
  });

  it('already right: no change, no patch', () => {
    const { patch } = run(run(CONFLIST).mutated);
    assert.deepEqual(patch, []);
  });

  it('placeholders everywhere (one unquoted just after the ipam object) survive byte for byte', () => {
    const before = template(PLACEHOLDERS);
    const { mutated } = run(PLACEHOLDERS);
    const after = template(mutated);
    assertOnlyIpamChanged(before, after);
    for (const placeholder of ['"__LOG_LEVEL__"', '__CNI_MTU__,', '{"allow_ip_forwarding": __ALLOW_IP_FORWARDING__}', '__KUBERNETES_SERVICE_HOST__:__KUBERNETES_SERVICE_PORT__']) {
      assert.ok(after.includes(placeholder), placeholder);
    }
    assert.equal(after, insertedAfter(before, '"ipv6_pools": ["fd20::/112"]', ',\n      "assign_ipv4": "false",\n      "assign_ipv6": "true"'));
  });

  it('CRLF line endings are kept for inserted members', () => {
    const text = template(CONFLIST).replace(/\n/g, '\r\n');
    const after = template(run(withTemplate(CONFLIST, text)).mutated);
    assert.ok(!/[^\r]\n/.test(after), 'no bare LF introduced');
    assert.ok(after.includes('"type": "calico-ipam",\r\n          "assign_ipv4": "false",\r\n'));
  });

  it('a duplicated flag: the last (effective, as Go reads JSON) occurrence is fixed, and a second pass is clean', () => {
    const text = template(CONFLIST).replace('"type": "calico-ipam"', '"type": "calico-ipam", "assign_ipv4": "false", "assign_ipv4": "true", "assign_ipv6": "true"');
    const first = run(withTemplate(CONFLIST, text));
    assert.equal(template(first.mutated), text.replace('"assign_ipv4": "true"', '"assign_ipv4": "false"'));
    assert.deepEqual(run(first.mutated).analysis.mutation.changes, []);
  });

  it('a duplicated ipam key: the last ipam object is the one edited', () => {
    const text = template(CONFLIST).replace('"ipam": {', '"ipam": {"type": "host-local"}, "ipam": {');
    const { mutated, analysis } = run(withTemplate(CONFLIST, text));
    assert.equal(template(mutated), insertedAfter(text, '"type": "calico-ipam"', ',\n          "assign_ipv4": "false",\n          "assign_ipv6": "true"'));
    assert.equal(analysis.mutation.changes.length, 2);
  });

  it('dual-stack: assign_ipv4 "true" (IPv4 stays), assign_ipv6 "true"', () => {
    const { mutated } = run(BOOLEANS, contextWith({ overrides: { mode: 'dual-stack' } }));
    assert.equal(template(mutated), template(BOOLEANS).replace('"assign_ipv6": false', '"assign_ipv6": "true"').replace('"assign_ipv4": true', '"assign_ipv4": "true"'));
  });
});

describe('calico-config: ipv6_pools', () => {
  function withPools(pools: unknown): KubeObject {
    return withTemplate(CONFLIST, template(CONFLIST).replace('"type": "calico-ipam"', `"type": "calico-ipam", "ipv6_pools": ${JSON.stringify(pools)}`));
  }

  it('inside podCIDR: accepted', () => {
    assert.deepEqual(run(withPools(['fd20::/112'])).analysis.validation.problems, []);
    assert.deepEqual(run(withPools(['fd20::/120']), contextWith()).analysis.validation.problems, []);
  });

  it('outside podCIDR: problem calico-config/ipv6-pools', () => {
    const problems = run(withPools(['fd20::/112', 'fd99::/112'])).analysis.validation.problems;
    assert.deepEqual(problems.map(({ rule, path, found, expected }) => ({ rule, path, found, expected })), [
      { rule: 'calico-config/ipv6-pools', path: 'data.cni_network_config plugins[0].ipam.ipv6_pools', found: '"fd99::/112"', expected: 'an IPv6 CIDR inside podCIDR fd20::/112' },
    ]);
    assert.match(problems[0]!.fix, /^inconsistent pool/);
  });

  it('an IPv4 CIDR, or a CIDR with host bits: problem', () => {
    assert.equal(run(withPools(['10.244.0.0/16'])).analysis.validation.problems[0]?.found, '"10.244.0.0/16"');
    assert.equal(run(withPools(['fd20::1/112'])).analysis.validation.problems[0]?.found, '"fd20::1/112"');
  });

  it('a pool name: a warning (it cannot be checked), no problem', () => {
    const { analysis } = run(withPools(['default-ipv6-ippool']));
    assert.deepEqual(analysis.validation.problems, []);
    assert.ok(analysis.validation.warnings.includes('calico-config: ipv6_pools names pool "default-ipv6-ippool", which the webhook cannot check against podCIDR fd20::/112'));
  });

  it('not a list: problem', () => {
    assert.equal(run(withPools('fd20::/112')).analysis.validation.problems[0]?.expected, 'a list of IPv6 CIDRs or pool names');
  });
});

describe('calico-config: host-local', () => {
  const hostLocalBefore = template(HOST_LOCAL);

  it('usePodCidr becomes usePodCidrIPv6 when calicoVersion says >= v3.22', () => {
    const { mutated, patch, analysis } = run(HOST_LOCAL, contextWith({ overrides: { calicoVersion: 'v3.22.0' } }));
    const expected = hostLocalBefore.replace('"subnet": "usePodCidr"', '"subnet": "usePodCidrIPv6"');
    assert.deepEqual(patch, [{ op: 'replace', path: '/data/cni_network_config', value: expected }]);
    assertOnlyIpamChanged(hostLocalBefore, template(mutated));
    assert.deepEqual(analysis.mutation.changes.map(({ rule, path, found, expected: e }) => ({ rule, path, found, expected: e })), [
      { rule: 'calico-config/host-local-subnet', path: 'data.cni_network_config plugins[0].ipam.subnet', found: '"usePodCidr"', expected: '"usePodCidrIPv6"' },
    ]);
  });

  it('the version may come from the calico/node image of the same file (hint)', () => {
    const { mutated } = run(HOST_LOCAL, contextWith({ calicoVersionHint: { major: 3, minor: 24, patch: 0 } }));
    assert.ok(template(mutated).includes('"subnet": "usePodCidrIPv6"'));
  });

  it('below v3.22 (v3.21.0, v3.1.3): untouched', () => {
    for (const v of ['v3.21.0', 'v3.1.3']) assert.deepEqual(run(HOST_LOCAL, contextWith({ overrides: { calicoVersion: v } })).patch, [], v);
  });

  it('version unknown: untouched, with a warning to set calicoVersion', () => {
    const { patch, analysis } = run(HOST_LOCAL);
    assert.deepEqual(patch, []);
    assert.ok(analysis.validation.warnings.includes('calico-config: host-local uses usePodCidr; on Calico >= v3.22 usePodCidrIPv6 is the IPv6 setting, but the Calico version is unknown here (set calicoVersion)'));
  });

  it('dual-stack: the two-range form in place of subnet, the rest byte for byte (issue 14)', () => {
    const before = template(HOST_LOCAL);
    const { mutated, analysis } = run(HOST_LOCAL, contextWith({ overrides: { calicoVersion: 'v3.30.0', mode: 'dual-stack' } }));
    assert.equal(template(mutated), before.replace('"subnet": "usePodCidr"', '"ranges": [[{"subnet": "usePodCidr"}], [{"subnet": "usePodCidrIPv6"}]]'));
    assert.deepEqual(rulesOf(analysis.mutation.changes), ['calico-config/host-local-subnet']);
    assert.deepEqual(run(mutated, contextWith({ overrides: { calicoVersion: 'v3.30.0', mode: 'dual-stack' } })).patch, [], 'idempotent');
  });

  it('dual-stack below v3.22 (no usePodCidrIPv6): refused, naming the version', () => {
    const p = run(HOST_LOCAL, contextWith({ overrides: { calicoVersion: 'v3.21.0', mode: 'dual-stack' } })).analysis.validation.problems;
    assert.deepEqual(rulesOf(p), ['calico-config/host-local-subnet']);
    assert.match(p[0]?.fix ?? '', /from Calico v3\.22\.0 \(running v3\.21\.0\)/);
  });

  it('never gets assign flags', () => {
    const after = template(run(HOST_LOCAL, contextWith({ overrides: { calicoVersion: 'v3.30.0' } })).mutated);
    assert.ok(!after.includes('assign_ipv'));
  });
});

describe('calico-config: backend and unreadable templates', () => {
  it('calico_backend vxlan before v3.23 (version known): problem calico-config/backend', () => {
    const object = { ...structuredClone(CONFLIST), data: { ...(CONFLIST.data as object), calico_backend: 'vxlan' } };
    const problems = run(object, contextWith({ overrides: { calicoVersion: 'v3.20.0' } })).analysis.validation.problems;
    assert.deepEqual(problems.map((p) => [p.rule, p.path, p.found]), [['calico-config/backend', 'data.calico_backend', '"vxlan"']]);
    assert.match(problems[0]!.fix, /needs Calico >= v3\.23\.0 \(running v3\.20\.0\)/);
    assert.deepEqual(run(object, contextWith({ overrides: { calicoVersion: 'v3.23.0' } })).analysis.validation.problems, []);
    assert.deepEqual(run(object).analysis.validation.problems, [], 'version unknown: not guessed');
  });

  it('an unparseable template: malformed with line and column, answered 400, no patch', () => {
    const { patch, analysis } = run(UNPARSEABLE);
    assert.deepEqual(patch, []);
    assert.deepEqual(analysis.validation.malformed.map(({ rule, path, found, fix }) => ({ rule, path, found, fix })), [{
      rule: 'calico-config/template', path: 'data.cni_network_config', found: 'unparseable JSON at line 7, column 7 (CommaExpected)', fix: 'correct the template at line 7, column 7',
    }]);
    const verdict = validationVerdict(analysis, 'deny');
    assert.equal(verdict.allowed, false);
    assert.equal(verdict.code, 400);
    assert.match(verdict.message ?? '', /line 7, column 7/);
  });

  it('a template that is not an object, or not a string: malformed', () => {
    assert.match(run(withTemplate(CONFLIST, '[1, 2]')).analysis.validation.malformed[0]?.found ?? '', /the template is not a JSON object/);
    const notString = { ...structuredClone(CONFLIST), data: { cni_network_config: 42 } };
    assert.deepEqual(run(notString).analysis.validation.malformed.map((m) => [m.rule, m.found]), [['calico-config/shape', 'number']]);
  });

  it('no ipam section: a warning', () => {
    const { analysis } = run(withTemplate(CONFLIST, '{"name": "k8s-pod-network", "type": "calico", "mtu": __CNI_MTU__}'));
    assert.ok(analysis.validation.warnings.includes("calico-config: cni_network_config has no ipam section; pods get addresses from whatever the CNI defaults to"));
  });
});

describe('cni-template: tolerant parsing', () => {
  it('unquoted placeholders become same-length numbers; quoted ones and escapes are left alone', () => {
    const text = '{"a": __CNI_MTU__, "b": "__KUBECONFIG_FILEPATH__", "c": "x\\"__Y__", "d": [__A__]}';
    const neutral = neutralizePlaceholders(text);
    assert.equal(neutral.length, text.length);
    assert.equal(neutral, '{"a": 10000000000, "b": "__KUBECONFIG_FILEPATH__", "c": "x\\"__Y__", "d": [10000]}');
    assert.deepEqual(JSON.parse(neutral), { a: 10000000000, b: '__KUBECONFIG_FILEPATH__', c: 'x"__Y__', d: [10000] });
  });

  it('the one-pass replacement agrees with a character-by-character reading, for any text', () => {
    // The reference: walk the text, skipping strings (escapes included, an unterminated one to the end).
    const reference = (text: string): string => {
      let out = '';
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const ch = text[i] as string;
        if (inString) {
          out += ch;
          if (ch === '\\') out += text[++i] ?? '';
          else if (ch === '"') inString = false;
          continue;
        }
        if (ch === '"') inString = true;
        const placeholder = inString ? null : /^__[A-Z0-9_]+__/.exec(text.slice(i));
        if (placeholder) {
          out += `1${'0'.repeat(placeholder[0].length - 1)}`;
          i += placeholder[0].length - 1;
        } else out += ch;
      }
      return out;
    };
    const piece = fc.constantFrom('"', '\\', '__', '_', 'A', 'CNI', 'MTU', '0', ' ', ':', ',', '{', '}', '\n', 'x');
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
      const text = pieces.join('');
      assert.equal(neutralizePlaceholders(text), reference(text));
    }), { numRuns: 2000 });
  });

  it('positions are 1-based line and column', () => {
    assert.deepEqual(positionAt('ab\ncd\nef', 7), { offset: 7, line: 3, column: 2 });
    assert.deepEqual(positionAt('ab', 0), { offset: 0, line: 1, column: 1 });
  });

  it('withProperty into an empty object and a one-line object keeps the text parseable', () => {
    const parsed = CniTemplate.parse('{"ipam": {}, "mtu": __CNI_MTU__}');
    assert.ok(parsed.ok);
    const edited = parsed.template.withProperty(['ipam'], 'type', 'calico-ipam');
    assert.equal(edited.text, '{"ipam": {"type": "calico-ipam"}, "mtu": __CNI_MTU__}');
  });
});
