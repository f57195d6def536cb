// A component's settings items come from its target (doctor.settings): a throwaway target with a settings
// ConfigMap gets its items into the guide's list and its checks from its own judge, read where it says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guideItems, runClusterChecks } from '../../../src/doctor/run.js';
import { settingsItems } from '../../../src/doctor/settings.js';
import { gatherSnapshot } from '../../../src/doctor/snapshot.js';
import { targetItems } from '../../../src/doctor/workloads.js';
import { TARGETS } from '../../../src/targets/registry.js';
import { defineTarget } from '../../../src/targets/target.js';
import { configWith } from '../../support/fixtures.js';
import { FakeReader, configMap } from '../cluster/support.js';

const fakeTarget = defineTarget({
  id: 'fake-proxy',
  description: 'a component that keeps its settings in a ConfigMap',
  resources: [{ group: '', versions: ['v1'], resource: 'configmaps', kind: 'ConfigMap', namespaced: true, names: ['fake-settings'] }],
  validate: () => undefined,
  doctor: {
    items: [{ item: 'family', title: 'the fake proxy runs IPv6', rules: [] }],
    settings: { namespace: 'kube-system', name: 'fake-settings', absent: 'no fake settings here', fix: 'look at its flags' },
    judge: (object) => {
      const family = (object.data as Record<string, string> | undefined)?.family;
      return family === 'ipv6' ? { ok: true, evidence: 'family ipv6', fix: '' } : family === undefined ? { ok: 'unknown', evidence: 'no family', fix: 'set family' } : { ok: false, evidence: `family ${family}`, fix: 'set family: ipv6' };
    },
  },
});
const targets = [...TARGETS, fakeTarget];
const config = configWith();

async function checksFor(objects: ReturnType<typeof configMap>[], scope: { all: false; namespaces: string[] } = { all: false, namespaces: ['tenant'] }) {
  const snapshot = await gatherSnapshot(new FakeReader(objects), { scope, configz: false, targets });
  return runClusterChecks(snapshot, config, targets).filter((c) => c.id.startsWith('fake-proxy.'));
}

describe('doctor: settings items from the registry', () => {
  it('kube-proxy\'s items are its target\'s settings items, listed before the workloads\' items', () => {
    assert.deepEqual(settingsItems('ipv6-only'), ['kube-proxy.bind-address', 'kube-proxy.master', 'kube-proxy.cluster-cidr']);
    assert.ok(!targetItems('ipv6-only').some((i) => i.startsWith('kube-proxy.')));
    const items = guideItems('ipv6-only', targets);
    assert.ok(items.includes('fake-proxy.family'));
    assert.ok(items.indexOf('fake-proxy.family') < items.indexOf('calico-node.ip6'));
  });

  it('is read in its namespace whatever the scope, and judged by its target: pass, fail, unknown, absent', async () => {
    const at = (data: Record<string, string>) => [configMap('kube-system', 'fake-settings', data)];
    assert.deepEqual((await checksFor(at({ family: 'ipv6' }))).map((c) => [c.id, c.status, c.evidence]), [['fake-proxy.family/fake-settings', 'pass', 'family ipv6']]);
    assert.deepEqual((await checksFor(at({ family: 'ipv4' }))).map((c) => [c.status, c.fix]), [['fail', 'set family: ipv6']]);
    assert.deepEqual((await checksFor(at({}))).map((c) => c.status), ['unknown']);
    assert.deepEqual((await checksFor([])).map((c) => [c.id, c.status, c.evidence, c.fix]), [['fake-proxy.family/fake-settings', 'unknown', 'no fake settings here', 'look at its flags']]);
  });
});
