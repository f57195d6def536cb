// DESIGN 3.3: the kube-dns Deployment: images, --dns-bind-address, --no-negcache after --, SRV probes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatProbe, kubeDnsDeploymentTarget, parseProbe } from '../../../../src/targets/kube-dns/kube-dns.js';
import { validationVerdict } from '../../../../src/engine/verdict.js';
import { containerNamed, contextWith, fixtureObject, rulesOf, run } from '../../../support/fixtures.js';
import type { KubeObject } from '../../../../src/k8s/object.js';

const A_PROBES = fixtureObject('kube-dns/kube-dns-1.14.4-a-probes.yaml');
const BIND_ANY = fixtureObject('kube-dns/kube-dns-1.14.10-bind-any.yaml');
const COMMAND = fixtureObject('kube-dns/kube-dns-command-flags.yaml');
const NO_SEPARATOR = fixtureObject('kube-dns/kube-dns-no-separator.yaml');
const COREDNS = fixtureObject('kube-dns/kube-dns-coredns-deployment.yaml');

const C = (name: string) => `spec.template.spec.containers[name=${name}]`;

function withContainer(object: KubeObject, name: string, change: (c: { image?: string; args?: string[]; command?: string[] }) => void): KubeObject {
  const copy = structuredClone(object);
  change(containerNamed(copy, name));
  return copy;
}

describe('kube-dns Deployment: the 1.14.4 add-on with A probes, in one patch', () => {
  it('exact patch', () => {
    assert.deepEqual(run(A_PROBES).patch, [
      { op: 'replace', path: '/spec/template/spec/containers/2/args/3', value: '--probe=dnsmasq,127.0.0.1:53,kubernetes.default.svc.cluster.local,5,SRV' },
      { op: 'replace', path: '/spec/template/spec/containers/2/args/2', value: '--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,SRV' },
      { op: 'replace', path: '/spec/template/spec/containers/2/image', value: 'gcr.io/google_containers/k8s-dns-sidecar-amd64:1.14.8' },
      { op: 'add', path: '/spec/template/spec/containers/1/args/9', value: '--no-negcache' },
      { op: 'replace', path: '/spec/template/spec/containers/1/image', value: 'gcr.io/google_containers/k8s-dns-dnsmasq-nanny-amd64:1.14.8' },
      { op: 'add', path: '/spec/template/spec/containers/0/args/4', value: '--dns-bind-address=[::]' },
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'gcr.io/google_containers/k8s-dns-kube-dns-amd64:1.14.8' },
    ]);
  });

  it('exact change findings', () => {
    assert.deepEqual(run(A_PROBES).analysis.mutation.changes.map(({ rule, path, found, expected }) => ({ rule, path, found, expected })), [
      { rule: 'kube-dns/image-version', path: `${C('kubedns')}.image`, found: '"gcr.io/google_containers/k8s-dns-kube-dns-amd64:1.14.4"', expected: '"gcr.io/google_containers/k8s-dns-kube-dns-amd64:1.14.8"' },
      { rule: 'kube-dns/bind-address', path: `${C('kubedns')}.args`, found: 'absent', expected: '"--dns-bind-address=[::]"' },
      { rule: 'kube-dns/image-version', path: `${C('dnsmasq')}.image`, found: '"gcr.io/google_containers/k8s-dns-dnsmasq-nanny-amd64:1.14.4"', expected: '"gcr.io/google_containers/k8s-dns-dnsmasq-nanny-amd64:1.14.8"' },
      { rule: 'kube-dns/no-negcache', path: `${C('dnsmasq')}.args`, found: 'absent', expected: '--no-negcache after --' },
      { rule: 'kube-dns/image-version', path: `${C('sidecar')}.image`, found: '"gcr.io/google_containers/k8s-dns-sidecar-amd64:1.14.4"', expected: '"gcr.io/google_containers/k8s-dns-sidecar-amd64:1.14.8"' },
      { rule: 'kube-dns/probe-type', path: `${C('sidecar')}.args[2]`, found: '"--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,A"', expected: '"--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,SRV"' },
      { rule: 'kube-dns/probe-type', path: `${C('sidecar')}.args[3]`, found: '"--probe=dnsmasq,127.0.0.1:53,kubernetes.default.svc.cluster.local,5,A"', expected: '"--probe=dnsmasq,127.0.0.1:53,kubernetes.default.svc.cluster.local,5,SRV"' },
    ]);
  });

  it('validation of the original denies it, listing the A probes as "wrong probe type"', () => {
    const verdict = validationVerdict(run(A_PROBES).analysis, 'deny');
    assert.equal(verdict.allowed, false);
    assert.equal(verdict.code, 403);
    assert.match(verdict.message ?? '', /\[kube-dns\/probe-type\] spec\.template\.spec\.containers\[name=sidecar\]\.args\[2\]: .*wrong probe type/);
  });

  it('the result is a fixed point: no changes, no problems, no warnings', () => {
    const second = run(run(A_PROBES).mutated);
    assert.deepEqual([second.patch, second.analysis.mutation.changes, second.analysis.validation.problems, second.analysis.validation.warnings], [[], [], [], []]);
  });
});

describe('kube-dns Deployment: images', () => {
  it('raised keeping registry, name and -amd64 suffix; a v prefix is kept', () => {
    const object = withContainer(A_PROBES, 'kubedns', (c) => (c.image = 'my.registry:5000/dns/k8s-dns-kube-dns-arm64:v1.14.5'));
    assert.equal(containerNamed(run(object).mutated, 'kubedns').image, 'my.registry:5000/dns/k8s-dns-kube-dns-arm64:v1.14.8');
  });

  it('at or above kubeDNS.minImageVersion: untouched', () => {
    assert.ok(!run(BIND_ANY).analysis.mutation.changes.some((c) => c.rule === 'kube-dns/image-version'));
    const ctx = contextWith({ overrides: { minImageVersion: '1.15.0' } });
    assert.equal(containerNamed(run(BIND_ANY, ctx).mutated, 'sidecar').image, 'k8s.gcr.io/k8s-dns-sidecar-amd64:1.15.0');
  });

  it('a digest: a warning, no change', () => {
    const image = 'gcr.io/google_containers/k8s-dns-kube-dns-amd64@sha256:1d2b9c21d55d1a7b5e0ff12be2b6b0cbd5b5b3b2c0f7e9a6f4d2a3c1b0e9f8d7';
    const { patch, analysis } = run(withContainer(A_PROBES, 'kubedns', (c) => (c.image = image)));
    assert.ok(!patch.some((op) => op.path === '/spec/template/spec/containers/0/image'));
    assert.ok(analysis.validation.warnings.includes('kube-dns: kubedns image is pinned by digest; its version cannot be checked (needs >= 1.14.8)'));
  });

  it('a tag that names no version: a warning, no change', () => {
    const { patch, analysis } = run(withContainer(A_PROBES, 'sidecar', (c) => (c.image = 'k8s.gcr.io/k8s-dns-sidecar-amd64:latest')));
    assert.ok(!patch.some((op) => op.path === '/spec/template/spec/containers/2/image'));
    assert.ok(analysis.validation.warnings.includes('kube-dns: sidecar image tag "latest" names no version; it cannot be checked (needs >= 1.14.8)'));
  });
});

describe('kube-dns Deployment: --dns-bind-address', () => {
  it('absent: --dns-bind-address=[::] appended to args', () => {
    assert.deepEqual(containerNamed(run(A_PROBES).mutated, 'kubedns').args?.slice(-1), ['--dns-bind-address=[::]']);
  });

  it('--dns-bind-address=0.0.0.0 is replaced in place', () => {
    const { patch, analysis } = run(BIND_ANY);
    assert.ok(patch.some((op) => op.op === 'replace' && op.path === '/spec/template/spec/containers/0/args/2' && op.value === '--dns-bind-address=[::]'));
    const change = analysis.mutation.changes.find((c) => c.rule === 'kube-dns/bind-address');
    assert.deepEqual(change && [change.path, change.found, change.expected], [`${C('kubedns')}.args[2]`, '"--dns-bind-address=0.0.0.0"', '"--dns-bind-address=[::]"']);
  });

  it('the two-item form (--dns-bind-address 0.0.0.0) becomes one item', () => {
    const object = withContainer(A_PROBES, 'kubedns', (c) => c.args?.push('--dns-bind-address', '0.0.0.0'));
    assert.deepEqual(containerNamed(run(object).mutated, 'kubedns').args, ['--domain=cluster.local.', '--dns-port=10053', '--config-dir=/kube-dns-config', '--v=2', '--dns-bind-address=[::]']);
  });

  it('an unbracketed :: is replaced (kubedns formats host:port)', () => {
    const object = withContainer(A_PROBES, 'kubedns', (c) => c.args?.push('--dns-bind-address=::'));
    assert.deepEqual(containerNamed(run(object).mutated, 'kubedns').args?.slice(-1), ['--dns-bind-address=[::]']);
  });

  it('given twice: the last (effective, pflag) occurrence is the one fixed', () => {
    const object = withContainer(BIND_ANY, 'kubedns', (c) => {
      c.args![2] = '--dns-bind-address=[::]';
      c.args!.push('--dns-bind-address=0.0.0.0');
    });
    const { mutated, analysis } = run(object);
    assert.deepEqual(containerNamed(mutated, 'kubedns').args, ['--domain=cluster.local.', '--dns-port=10053', '--dns-bind-address=[::]', '--config-dir=/kube-dns-config', '--dns-bind-address=[::]']);
    assert.equal(analysis.mutation.changes.find((c) => c.rule === 'kube-dns/bind-address')?.path, `${C('kubedns')}.args[4]`);
  });

  it('already [::]: untouched', () => {
    assert.ok(!run(NO_SEPARATOR).analysis.mutation.changes.some((c) => c.rule === 'kube-dns/bind-address'));
  });
});

describe('kube-dns Deployment: --no-negcache', () => {
  it('absent: added after the -- separator (at the end of the list holding it)', () => {
    const args = containerNamed(run(A_PROBES).mutated, 'dnsmasq').args ?? [];
    assert.ok(args.indexOf('--no-negcache') > args.indexOf('--'));
    assert.equal(args.filter((a) => a === '--no-negcache').length, 1);
  });

  it('before --: moved after it', () => {
    const { mutated, analysis } = run(BIND_ANY);
    assert.deepEqual(containerNamed(mutated, 'dnsmasq').args, ['-v=2', '-logtostderr', '--', '-k', '--cache-size=1000', '--server=/cluster.local/127.0.0.1#10053', '--no-negcache']);
    const change = analysis.mutation.changes.find((c) => c.rule === 'kube-dns/no-negcache');
    assert.deepEqual(change && [change.path, change.found, change.expected], [`${C('dnsmasq')}.args[1]`, '--no-negcache before the -- separator', '--no-negcache after --']);
  });

  it('no -- separator: -- and --no-negcache are appended', () => {
    const { patch } = run(NO_SEPARATOR);
    assert.deepEqual(patch, [
      { op: 'add', path: '/spec/template/spec/containers/1/args/3', value: '--' },
      { op: 'add', path: '/spec/template/spec/containers/1/args/4', value: '--no-negcache' },
    ]);
  });

  it('already after --: untouched', () => {
    const fixed = run(A_PROBES).mutated;
    assert.ok(!run(fixed).analysis.mutation.changes.some((c) => c.rule === 'kube-dns/no-negcache'));
  });
});

describe('kube-dns Deployment: sidecar probes', () => {
  it('5 fields ending in A: the type becomes SRV', () => {
    assert.deepEqual(containerNamed(run(A_PROBES).mutated, 'sidecar').args?.slice(2), [
      '--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,SRV',
      '--probe=dnsmasq,127.0.0.1:53,kubernetes.default.svc.cluster.local,5,SRV',
    ]);
  });

  it('4 fields (interval, default type ANY) and 3 fields (no interval): SRV appended, interval 5 filled', () => {
    assert.deepEqual(containerNamed(run(COMMAND).mutated, 'sidecar').command, [
      '/sidecar', '--v=2',
      '--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,SRV',
      '--probe=dnsmasq,127.0.0.1:53,kubernetes.default.svc.cluster.local,5,SRV',
    ]);
    const change = run(COMMAND).analysis.mutation.changes.find((c) => c.path === `${C('sidecar')}.command[2]`);
    assert.match(change?.fix ?? '', /wrong probe type: the default ANY probes fail/);
  });

  it('ANY and AAAA become SRV too', () => {
    const object = withContainer(A_PROBES, 'sidecar', (c) => (c.args = ['--probe=a,127.0.0.1:53,x.local,10,ANY', '--probe=b,127.0.0.1:53,x.local,10,AAAA']));
    assert.deepEqual(containerNamed(run(object).mutated, 'sidecar').args, ['--probe=a,127.0.0.1:53,x.local,10,SRV', '--probe=b,127.0.0.1:53,x.local,10,SRV']);
  });

  it('a bare IPv6 probe server: problem kube-dns/probe-server; bracketed with a port: fine', () => {
    const object = withContainer(A_PROBES, 'sidecar', (c) => (c.args = ['--probe=kubedns,::1:10053,kubernetes.default.svc.cluster.local,5,SRV', '--probe=dnsmasq,[::1]:53,kubernetes.default.svc.cluster.local,5,SRV']));
    const problems = run(object).analysis.validation.problems;
    assert.deepEqual(problems.map(({ rule, path, found }) => ({ rule, path, found })), [{ rule: 'kube-dns/probe-server', path: `${C('sidecar')}.args[0]`, found: '"::1:10053"' }]);
    assert.equal(problems[0]?.expected, 'a bracketed IPv6 address with a port, e.g. [::1]:10053');
  });

  it('a probe with too few fields: problem kube-dns/probe-syntax', () => {
    const object = withContainer(A_PROBES, 'sidecar', (c) => (c.args = ['--probe=kubedns,127.0.0.1:10053']));
    assert.deepEqual(rulesOf(run(object).analysis.validation.problems), ['kube-dns/probe-syntax']);
  });

  it('parseProbe / formatProbe round trip', () => {
    assert.deepEqual(parseProbe('l,s:1,n'), { label: 'l', server: 's:1', name: 'n', interval: undefined, type: undefined });
    assert.equal(formatProbe({ label: 'l', server: 's:1', name: 'n', interval: undefined, type: 'SRV' }), 'l,s:1,n,5,SRV');
    assert.equal(parseProbe('a,b'), undefined);
    assert.equal(parseProbe('a,b,c,d,e,f'), undefined);
  });
});

describe('kube-dns Deployment: flags in command, and what is not kube-dns', () => {
  it('flags in command (not args): bind address and --no-negcache go to command', () => {
    const { mutated, analysis } = run(COMMAND);
    assert.deepEqual(containerNamed(mutated, 'kubedns').command, ['/kube-dns', '--domain=cluster.local.', '--dns-port=10053', '--dns-bind-address=[::]']);
    assert.equal(containerNamed(mutated, 'kubedns').args, undefined);
    assert.deepEqual(containerNamed(mutated, 'dnsmasq').command, ['/dnsmasq-nanny', '-v=2', '-restartDnsmasq=true', '--', '-k', '--server=/cluster.local/127.0.0.1#10053', '--no-negcache']);
    assert.equal(analysis.mutation.changes.find((c) => c.rule === 'kube-dns/bind-address')?.path, `${C('kubedns')}.command`);
    assert.equal(containerNamed(mutated, 'sidecar').image, 'registry.k8s.io/dns/k8s-dns-sidecar:1.14.8');
  });

  it('flags split across command and args: both count (a bind address in command is found)', () => {
    const object = withContainer(A_PROBES, 'kubedns', (c) => (c.command = ['/kube-dns', '--dns-bind-address=[::]']));
    assert.ok(!run(object).analysis.mutation.changes.some((ch) => ch.rule === 'kube-dns/bind-address'));
  });

  it('CoreDNS in a Deployment named kube-dns: no rule applies (no patch, no finding, no warning)', () => {
    assert.equal(kubeDnsDeploymentTarget.matches(COREDNS), true, 'the name matches; the containers decide');
    const { patch, analysis } = run(COREDNS);
    assert.deepEqual([patch, analysis.mutation.changes, analysis.validation.problems, analysis.validation.warnings], [[], [], [], []]);
  });

  it('a container is recognized by its image even when renamed; a missing one is warned about', () => {
    const object = structuredClone(A_PROBES);
    const list = (object.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers;
    list[0]!.name = 'dns';
    list.splice(2, 1);
    const { mutated, analysis } = run(object);
    assert.deepEqual(containerNamed(mutated, 'dns').args?.slice(-1), ['--dns-bind-address=[::]']);
    assert.ok(analysis.validation.warnings.includes('kube-dns: no sidecar container (k8s-dns-sidecar) found; its IPv6 settings were not checked'));
  });

  it('args that are not a list of strings: malformed (400)', () => {
    const object = withContainer(A_PROBES, 'dnsmasq', (c) => ((c as { args: unknown }).args = ['-v=2', 7]));
    const { analysis } = run(object);
    assert.deepEqual(rulesOf(analysis.validation.malformed), ['kube-dns/shape']);
    assert.equal(validationVerdict(analysis, 'deny').code, 400);
  });
});
