// The container env and command-line helpers the workload targets build on, tested directly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerArgs } from '../../../../src/targets/shared/container-args.js';
import { ContainerEnv } from '../../../../src/targets/shared/container-env.js';
import { Report } from '../../../../src/targets/report.js';
import type { Container } from '../../../../src/targets/shared/workload.js';
import { contextWith } from '../../../support/fixtures.js';

describe('ContainerEnv', () => {
  const container = (): Container => ({
    name: 'calico-node',
    env: [
      { name: 'IP', value: 'autodetect' },
      { name: 'FELIX_IPV6SUPPORT', value: true },
      { name: 'IP', value: 'none' },
      { name: 'CALICO_NETWORKING_BACKEND', valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'calico_backend' } } },
      { name: 'NODENAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    ],
  });

  it('the last entry of a name wins, as the kubelet reads it; its path names the container and the variable', () => {
    const env = ContainerEnv.of(container(), 0, 'calico-node', new Report());
    assert.ok(env);
    assert.deepEqual(env.indicesOf('IP'), [0, 2]);
    assert.deepEqual(env.read('IP'), { kind: 'literal', value: 'none', raw: 'none', index: 2 });
    assert.deepEqual(env.read('FELIX_IPV6SUPPORT'), { kind: 'literal', value: 'true', raw: true, index: 1 });
    assert.deepEqual(env.read('IP6'), { kind: 'absent' });
    assert.equal(env.entryPath('IP'), 'spec.template.spec.containers[name=calico-node].env[name=IP]');
  });

  it('valueFrom a ConfigMap key resolves through the lookup, else is unreadable; other valueFrom never resolves', () => {
    const env = ContainerEnv.of(container(), 0, 'calico-node', new Report());
    assert.ok(env);
    const ctx = contextWith({ configMaps: { lookupConfigMapKey: (ns, name, key) => (ns === 'kube-system' && name === 'calico-config' && key === 'calico_backend' ? 'bird' : undefined) } });
    assert.deepEqual(env.read('CALICO_NETWORKING_BACKEND', ctx, 'kube-system'), { kind: 'resolved', value: 'bird', index: 3, source: 'ConfigMap calico-config key calico_backend' });
    assert.equal(env.read('CALICO_NETWORKING_BACKEND', ctx, 'other').kind, 'unreadable');
    assert.equal(env.read('CALICO_NETWORKING_BACKEND').kind, 'unreadable');
    assert.deepEqual(env.read('NODENAME', ctx, 'kube-system'), { kind: 'unreadable', index: 4, source: 'a valueFrom other than a ConfigMap key' });
    assert.equal(env.valueOf('CALICO_NETWORKING_BACKEND', ctx, 'kube-system'), 'bird');
  });

  it('set changes the effective entry or appends one, always a string', () => {
    const c = container();
    const env = ContainerEnv.of(c, 0, 'calico-node', new Report());
    assert.ok(env);
    env.set('IP', 'autodetect');
    env.set('IP6', 'autodetect');
    const entries = c.env as { name: string; value?: unknown }[];
    assert.deepEqual(entries[0], { name: 'IP', value: 'autodetect' });
    assert.deepEqual(entries[2], { name: 'IP', value: 'autodetect' });
    assert.deepEqual(entries[entries.length - 1], { name: 'IP6', value: 'autodetect' });
  });

  it('env that is not a list of named entries is malformed, reported with its path', () => {
    const report = new Report();
    assert.equal(ContainerEnv.of({ name: 'x', env: { IP: 'none' } }, 3, 'calico-node', report), undefined);
    assert.equal(report.malformed.length, 1);
    assert.match(report.malformed[0]?.path ?? '', /containers\[name=x\]\.env$/);
    assert.ok(ContainerEnv.of({ name: 'y' }, 0, 'calico-node', new Report()), 'no env at all is an empty env');
  });
});

describe('ContainerArgs', () => {
  it('lists command then args, writes flags where flags already are, and edits in place', () => {
    const c: Container = { name: 'kubedns', command: ['/kube-dns'], args: ['--domain=cluster.local.', '--v=2'] };
    const args = ContainerArgs.of(c, 0, 'kube-dns', new Report());
    assert.ok(args);
    assert.deepEqual(args.all().map((a) => `${a.list}[${a.index}]=${a.value}`), ['command[0]=/kube-dns', 'args[0]=--domain=cluster.local.', 'args[1]=--v=2']);
    assert.equal(args.flagList(), 'args');
    assert.equal(args.pathOf({ list: 'args', index: 1 }), 'spec.template.spec.containers[name=kubedns].args[1]');
    args.replace({ list: 'args', index: 1 }, '--v=3');
    args.remove({ list: 'args', index: 0 });
    args.append('args', '--dns-bind-address=[::]');
    assert.deepEqual(c.args, ['--v=3', '--dns-bind-address=[::]']);
  });

  it('flags in command stay in command; a missing list is created on append', () => {
    const c: Container = { name: 'dnsmasq', command: ['/dnsmasq-nanny', '-v=2'] };
    const args = ContainerArgs.of(c, 1, 'kube-dns', new Report());
    assert.ok(args);
    assert.equal(args.flagList(), 'command');
    args.append('args', '--', '--no-negcache');
    assert.deepEqual(c.args, ['--', '--no-negcache']);
  });

  it('command or args that is not a list of strings is malformed', () => {
    const report = new Report();
    assert.equal(ContainerArgs.of({ name: 'x', args: ['--a', 1] }, 0, 'kube-dns', report), undefined);
    assert.deepEqual(report.malformed.map((f) => [f.rule, f.path, f.found]), [['kube-dns/shape', 'spec.template.spec.containers[name=x].args', 'a list with an item that is not a string']]);
  });
});
