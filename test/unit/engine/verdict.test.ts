// The one place that turns findings into an answer: every problem listed, 403 vs 400, audit (warn) mode.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WARNING_LENGTH, clipWarning, formatFinding, mutationVerdict, validationVerdict } from '../../../src/engine/verdict.js';
import type { Analysis } from '../../../src/engine/analyze.js';
import { calicoNodeTarget } from '../../../src/targets/calico-node/calico-node.js';
import { Report, type Finding } from '../../../src/targets/report.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { fixtureObject, run, withEnv } from '../../support/fixtures.js';

const V3_30 = fixtureObject('calico-node/calico-node-v3.30.0.yaml');

function finding(rule: string, n: number): Finding {
  return { rule, path: `spec.field${n}`, found: `"bad${n}"`, expected: `"good${n}"`, fix: `set field${n} to good${n}` };
}

function analysisWith(fill: (mutation: Report, validation: Report) => void, original: KubeObject = V3_30): Analysis {
  const mutation = new Report();
  const validation = new Report();
  fill(mutation, validation);
  return { results: [{ target: calicoNodeTarget, mutation, validation }], original, mutated: original, mutation, validation };
}

describe('verdict: denial', () => {
  it('lists every problem, numbered, each with object, path, found, expected and fix', () => {
    const a = analysisWith((m, v) => {
      m.change(finding('calico-node/ip6', 1));
      v.problem(finding('calico-node/ipv6-pool', 2));
      v.problem(finding('calico-node/router-id', 3));
    });
    const verdict = validationVerdict(a, 'deny');
    assert.equal(verdict.allowed, false);
    assert.equal(verdict.code, 403);
    assert.equal(verdict.reason, 'Forbidden');
    assert.equal(verdict.message, [
      'calico-ipv6-webhook: DaemonSet kube-system/calico-node does not meet the IPv6 rules (3 problems):',
      '1. [calico-node/ip6] spec.field1: found "bad1", expected "good1". Fix: set field1 to good1 (the mutating webhook makes this change; it is off or was bypassed)',
      '2. [calico-node/ipv6-pool] spec.field2: found "bad2", expected "good2". Fix: set field2 to good2',
      '3. [calico-node/router-id] spec.field3: found "bad3", expected "good3". Fix: set field3 to good3',
    ].join('\n'));
    assert.deepEqual(verdict.violated, ['calico-node/ip6', 'calico-node/ipv6-pool', 'calico-node/router-id']);
  });

  it('on a real object: the validating answer for an unpatched upstream DaemonSet lists all five changes and the problems', () => {
    const object = withEnv(V3_30, { IP6: 'none', CALICO_ROUTER_ID: '10.0.0.1' });
    const verdict = validationVerdict(run(object).analysis, 'deny');
    const lines = (verdict.message ?? '').split('\n');
    // Issue 14 adds the IPv4 pool (none, v3.30) and NAT outgoing for the ULA pod CIDR to what mutation changes.
    assert.match(lines[0] ?? '', /\(7 problems\):$/);
    assert.deepEqual(lines.slice(1).map((l) => /^(\d+)\. \[([^\]]+)\]/.exec(l)?.slice(1, 3).join(' ')), [
      '1 calico-node/ipv6-pool', '2 calico-node/felix-ipv6', '3 calico-node/ipv4-pool', '4 calico-node/ipv6-nat-outgoing', '5 calico-node/ip-none',
      '6 calico-node/ip6', '7 calico-node/router-id',
    ]);
  });

  it('a malformed object is a 400 BadRequest, listing only what cannot be read', () => {
    const a = analysisWith((m, v) => {
      m.malform(finding('calico-config/template', 1));
      v.malform(finding('calico-config/template', 1));
      v.problem(finding('calico-config/ipv6-pools', 2));
    });
    const verdict = validationVerdict(a, 'deny');
    assert.equal(verdict.code, 400);
    assert.equal(verdict.reason, 'BadRequest');
    assert.equal(verdict.message, 'calico-ipv6-webhook cannot read DaemonSet kube-system/calico-node (1 problem):\n1. [calico-config/template] spec.field1: found "bad1", expected "good1". Fix: set field1 to good1');
    assert.deepEqual(verdict.violated, ['calico-config/template', 'calico-config/ipv6-pools']);
  });

  it('no problems: allowed, warnings passed through', () => {
    const verdict = validationVerdict(analysisWith((_m, v) => v.warn('calico-node: something to know')), 'deny');
    assert.deepEqual(verdict, { allowed: true, warnings: ['calico-node: something to know'], violated: [] });
  });

  it('the mutating answer refuses only what mutation refused (malformed, or a problem found while mutating)', () => {
    assert.equal(mutationVerdict(analysisWith((m) => m.change(finding('x/y', 1))), 'deny').allowed, true);
    assert.equal(mutationVerdict(analysisWith((_m, v) => v.problem(finding('x/y', 1))), 'deny').allowed, true);
    assert.equal(mutationVerdict(analysisWith((m) => m.problem(finding('x/y', 1))), 'deny').code, 403);
    assert.equal(mutationVerdict(analysisWith((m) => m.malform(finding('x/y', 1))), 'deny').code, 400);
  });
});

describe('verdict: validationAction warn (audit mode)', () => {
  it('admits, and turns each problem into a warning no longer than 255 characters', () => {
    const long = { ...finding('calico-node/ipv6-pool', 2), fix: 'x'.repeat(400) };
    const a = analysisWith((m, v) => {
      m.change(finding('calico-node/ip6', 1));
      v.problem(long);
      v.warn('calico-node: a plain warning');
    });
    const verdict = validationVerdict(a, 'warn');
    assert.equal(verdict.allowed, true);
    assert.equal(verdict.code, undefined);
    assert.equal(verdict.message, undefined);
    assert.equal(verdict.warnings.length, 3);
    assert.equal(verdict.warnings[0], 'calico-node: a plain warning');
    assert.equal(verdict.warnings[1], `would deny DaemonSet kube-system/calico-node: ${formatFinding(finding('calico-node/ip6', 1))}`);
    assert.ok(verdict.warnings[2]?.startsWith('would deny DaemonSet kube-system/calico-node: [calico-node/ipv6-pool]'));
    for (const w of verdict.warnings) assert.ok(w.length <= MAX_WARNING_LENGTH, `${w.length} characters`);
    assert.equal(verdict.warnings[2]?.length, 255);
    assert.ok(verdict.warnings[2]?.endsWith('…'));
    assert.deepEqual(verdict.violated, ['calico-node/ip6', 'calico-node/ipv6-pool']);
  });

  it('malformed objects are admitted too in warn mode', () => {
    const verdict = validationVerdict(analysisWith((m) => m.malform(finding('calico-node/shape', 1))), 'warn');
    assert.equal(verdict.allowed, true);
    assert.deepEqual(verdict.violated, ['calico-node/shape']);
  });

  it('clipWarning leaves short text alone and cuts long text to exactly 255', () => {
    assert.equal(clipWarning('short'), 'short');
    assert.equal(clipWarning('a'.repeat(255)), 'a'.repeat(255));
    assert.equal(clipWarning('a'.repeat(256)), `${'a'.repeat(254)}…`);
  });

  it('deny mode clips plain warnings too', () => {
    const verdict = validationVerdict(analysisWith((_m, v) => v.warn('w'.repeat(300))), 'deny');
    assert.equal(verdict.warnings[0]?.length, 255);
  });
});
