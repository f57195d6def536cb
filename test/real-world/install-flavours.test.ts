// Every manifest install flavour in both modes (issue 14): `fix` gives settings with which pods get IPv6 (and
// IPv4 in dual-stack) as calico-node's startup code reads them, or refuses with the reason; `check` on its
// output finds nothing to do. Variants of the real files (calico-bpf, a calico.yaml switched to the vxlan
// backend) are made here by editing the real text, so no upstream manifest is copied into the project.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { analyzeManifest, type FileResult } from '../../src/manifests/manifest-file.js';
import { CniTemplate } from '../../src/targets/shared/cni-template.js';
import type { WebhookConfig } from '../../src/config/types.js';
import { REPO_ROOT } from '../support/repo-root.js';

const DIR = resolve(REPO_ROOT, process.env.REAL_FIXTURES_DIR ?? '../shared/fixtures/real', 'calico');

const IPV6_ONLY = loadConfig({});
const DUAL = loadConfig({ flags: { mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16' } });

interface Flavour {
  file: string;
  /** Turns the real text into the variant under test. */
  variant?: (text: string) => string;
  daemonSet: 'calico-node' | 'canal';
  configMap: 'calico-config' | 'canal-config';
  /** calico/node >= v3.29: CALICO_IPV4POOL_CIDR=none exists. */
  ipv4PoolNone: boolean;
  /** What the IPv6 pool's VXLAN mode must end as (undefined: not set). */
  ipv6Vxlan?: string;
  canal?: boolean;
}

function replaceOnce(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the real file contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

// The eBPF dataplane as calico-bpf.yaml turns it on (manifests/calico-bpf.yaml: FELIX_BPFENABLED "true" in the
// calico-node env); v3.29.0's calico.yaml is the base.
function bpfVariant(text: string): string {
  return replaceOnce(text, '            - name: FELIX_IPV6SUPPORT\n', '            - name: FELIX_BPFENABLED\n              value: "true"\n            - name: FELIX_IPV6SUPPORT\n');
}

// What a user gets by switching calico.yaml to VXLAN as the docs describe: only calico_backend changes, and
// CALICO_IPV6POOL_VXLAN stays "Never".
function vxlanSwitchVariant(text: string): string {
  return replaceOnce(text, 'calico_backend: "bird"', 'calico_backend: "vxlan"');
}

const FLAVOURS: Record<string, Flavour> = {
  calico: { file: 'calico-v3.29.0-calico.yaml', daemonSet: 'calico-node', configMap: 'calico-config', ipv4PoolNone: true, ipv6Vxlan: 'Never' },
  'calico-typha': { file: 'calico-v3.25.0-calico-typha.yaml', daemonSet: 'calico-node', configMap: 'calico-config', ipv4PoolNone: false, ipv6Vxlan: 'Never' },
  'calico-etcd': { file: 'calico-v3.27.0-calico-etcd.yaml', daemonSet: 'calico-node', configMap: 'calico-config', ipv4PoolNone: false, ipv6Vxlan: 'Never' },
  'calico-vxlan': { file: 'calico-v3.28.0-calico-vxlan.yaml', daemonSet: 'calico-node', configMap: 'calico-config', ipv4PoolNone: false, ipv6Vxlan: 'CrossSubnet' },
  // v3.29.0 ignores CALICO_IPV6POOL_VXLAN with CALICO_IPV4POOL_CIDR=none (projectcalico/calico#12896, fixed in
  // v3.31.7): "none" is not added there, or the IPv6 pool would be unencapsulated with no BIRD to route it.
  'calico-vxlan (calico.yaml switched to vxlan)': { file: 'calico-v3.29.0-calico.yaml', variant: vxlanSwitchVariant, daemonSet: 'calico-node', configMap: 'calico-config', ipv4PoolNone: false, ipv6Vxlan: 'Always' },
  'calico-bpf (calico.yaml with FELIX_BPFENABLED)': { file: 'calico-v3.29.0-calico.yaml', variant: bpfVariant, daemonSet: 'calico-node', configMap: 'calico-config', ipv4PoolNone: true, ipv6Vxlan: 'Never' },
  canal: { file: 'calico-v3.29.0-canal.yaml', daemonSet: 'canal', configMap: 'canal-config', ipv4PoolNone: true, canal: true },
  'policy-only': { file: 'calico-v3.30.0-calico-policy-only.yaml', daemonSet: 'calico-node', configMap: 'calico-config', ipv4PoolNone: true },
};

interface Obj {
  kind?: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
  spec?: { template: { spec: { containers: { name: string; env?: { name: string; value?: unknown }[] }[] } } };
}

function objects(text: string): Obj[] {
  return parseAllDocuments(text, { uniqueKeys: false }).map((d) => d.toJS({ maxAliasCount: 100 }) as Obj);
}

function find(text: string, kind: string, name: string): Obj {
  const found = objects(text).filter((o) => o?.kind === kind && o.metadata?.name === name);
  assert.equal(found.length, 1, `exactly one ${kind} ${name}`);
  return found[0] as Obj;
}

function envOf(text: string, daemonSet: string): Map<string, unknown> {
  const container = find(text, 'DaemonSet', daemonSet).spec?.template.spec.containers.find((c) => c.name === 'calico-node');
  assert.ok(container, 'a calico-node container');
  return new Map((container.env ?? []).map((e) => [e.name, e.value]));
}

function ipamOf(text: string, configMap: string): Record<string, unknown> {
  const parsed = CniTemplate.parse(find(text, 'ConfigMap', configMap).data?.cni_network_config ?? '');
  assert.ok(parsed.ok);
  const [section] = parsed.template.ipamSections();
  assert.ok(section);
  return JSON.parse(JSON.stringify(section.value)) as Record<string, unknown>;
}

function problems(result: FileResult): string[] {
  return result.documents.flatMap((d) => [...(d.analysis?.validation.problems ?? []), ...(d.analysis?.validation.malformed ?? []), ...(d.analysis?.mutation.malformed ?? [])].map((f) => `${f.rule}: ${f.fix}`));
}

function changes(result: FileResult): string[] {
  return result.documents.flatMap((d) => (d.analysis?.mutation.changes ?? []).map((f) => `${f.rule} ${f.path}`));
}

function warnings(result: FileResult): string[] {
  return result.documents.flatMap((d) => [...(d.analysis?.mutation.warnings ?? []), ...(d.analysis?.validation.warnings ?? [])]);
}

function run(flavour: Flavour, config: WebhookConfig): { fixed: FileResult; checked: FileResult } {
  const real = readFileSync(join(DIR, flavour.file), 'utf8');
  const text = flavour.variant ? flavour.variant(real) : real;
  const fixed = analyzeManifest(text, config);
  return { fixed, checked: analyzeManifest(fixed.fixedText, config) };
}

if (!existsSync(DIR)) {
  test('install flavours', { skip: `${DIR} not found (set REAL_FIXTURES_DIR)` }, () => undefined);
} else {
  for (const [name, flavour] of Object.entries(FLAVOURS)) {
    void describe(`install flavour ${name} (${flavour.file})`, () => {
      it('ipv6-only: fixed with no problem, and check on the output finds nothing', () => {
        const { fixed, checked } = run(flavour, IPV6_ONLY);
        assert.deepEqual(problems(fixed), []);
        assert.deepEqual([changes(checked), problems(checked)], [[], []]);
        const env = envOf(fixed.fixedText, flavour.daemonSet);
        assert.equal(env.get('CALICO_IPV6POOL_CIDR'), 'fd20::/112');
        assert.equal(env.get('IP6'), 'autodetect');
        assert.equal(env.get('FELIX_IPV6SUPPORT'), 'true');
        assert.equal(env.get('IP'), 'none');
        // The default pod CIDR is unique local: no IPv6 egress without NAT.
        assert.equal(env.get('CALICO_IPV6POOL_NAT_OUTGOING'), 'true');
        if (flavour.ipv4PoolNone) assert.equal(env.get('CALICO_IPV4POOL_CIDR'), 'none');
        else {
          assert.equal(env.get('CALICO_IPV4POOL_CIDR'), undefined);
          assert.ok(warnings(fixed).some((w) => w.includes('192.168.0.0/16') && w.includes('v3.29')), warnings(fixed).join('\n'));
        }
        if (flavour.ipv6Vxlan !== undefined) assert.equal(env.get('CALICO_IPV6POOL_VXLAN'), flavour.ipv6Vxlan);
        const ipam = ipamOf(fixed.fixedText, flavour.configMap);
        if (ipam.type === 'calico-ipam') assert.deepEqual([ipam.assign_ipv4, ipam.assign_ipv6], ['false', 'true']);
        else assert.equal(ipam.subnet, 'usePodCidrIPv6');
        if (flavour.canal) {
          const netConf = JSON.parse(find(fixed.fixedText, 'ConfigMap', 'canal-config').data?.['net-conf.json'] ?? '') as Record<string, unknown>;
          assert.deepEqual(netConf, { Network: '10.244.0.0/16', Backend: { Type: 'vxlan' }, EnableIPv6: true, IPv6Network: 'fd20::/112', EnableIPv4: false });
        }
      });

      it('dual-stack: IPv4 kept and given its pool, IPv6 beside it; check on the output finds nothing', () => {
        const { fixed, checked } = run(flavour, DUAL);
        assert.deepEqual(problems(fixed), []);
        assert.deepEqual([changes(checked), problems(checked)], [[], []]);
        const env = envOf(fixed.fixedText, flavour.daemonSet);
        assert.equal(env.get('CALICO_IPV6POOL_CIDR'), 'fd20::/112');
        assert.equal(env.get('CALICO_IPV4POOL_CIDR'), '10.244.0.0/16');
        assert.equal(env.get('IP6'), 'autodetect');
        assert.equal(env.get('FELIX_IPV6SUPPORT'), 'true');
        assert.equal(env.get('IP'), 'autodetect');
        const ipam = ipamOf(fixed.fixedText, flavour.configMap);
        if (ipam.type === 'calico-ipam') assert.deepEqual([ipam.assign_ipv4, ipam.assign_ipv6], ['true', 'true']);
        else assert.deepEqual(ipam.ranges, [[{ subnet: 'usePodCidr' }], [{ subnet: 'usePodCidrIPv6' }]]);
        if (flavour.canal) {
          const netConf = JSON.parse(find(fixed.fixedText, 'ConfigMap', 'canal-config').data?.['net-conf.json'] ?? '') as Record<string, unknown>;
          assert.deepEqual(netConf, { Network: '10.244.0.0/16', Backend: { Type: 'vxlan' }, EnableIPv6: true, IPv6Network: 'fd20::/112' });
        }
      });
    });
  }

  void describe('install flavours: the numbered cases of issue 14 on real files', () => {
    it('case 3: calico.yaml switched to the vxlan backend gets CALICO_IPV6POOL_VXLAN=Always, with a warning naming Never', () => {
      const { fixed } = run(FLAVOURS['calico-vxlan (calico.yaml switched to vxlan)'] as Flavour, IPV6_ONLY);
      assert.ok(warnings(fixed).some((w) => w.includes('CALICO_IPV6POOL_VXLAN') && w.includes('"Never"')), warnings(fixed).join('\n'));
    });

    it('case 1: Canal keeps IPv4-only flannel no longer; the net-conf.json edit keeps the rest of canal-config byte for byte', () => {
      const canal = FLAVOURS.canal as Flavour;
      const real = readFileSync(join(DIR, canal.file), 'utf8');
      const { fixed } = run(canal, IPV6_ONLY);
      const before = find(real, 'ConfigMap', 'canal-config').data ?? {};
      const after = find(fixed.fixedText, 'ConfigMap', 'canal-config').data ?? {};
      for (const key of Object.keys(before).filter((k) => k !== 'net-conf.json' && k !== 'cni_network_config')) assert.equal(after[key], before[key], key);
    });

    it('case 2: Canal dual-stack host-local gets the two-range form, placeholders and layout kept', () => {
      const canal = FLAVOURS.canal as Flavour;
      const real = readFileSync(join(DIR, canal.file), 'utf8');
      const { fixed } = run(canal, DUAL);
      const before = find(real, 'ConfigMap', 'canal-config').data?.cni_network_config ?? '';
      const after = find(fixed.fixedText, 'ConfigMap', 'canal-config').data?.cni_network_config ?? '';
      assert.equal(after, before.replace('"subnet": "usePodCidr"', '"ranges": [[{"subnet": "usePodCidr"}], [{"subnet": "usePodCidrIPv6"}]]'));
    });

    it('case 7: v3.29 ipv6-only sets CALICO_IPV4POOL_CIDR=none, so calico-node creates no 192.168.0.0/16 pool', () => {
      const { fixed } = run(FLAVOURS.calico as Flavour, IPV6_ONLY);
      assert.ok(changes(fixed).some((c) => c.includes('env[name=CALICO_IPV4POOL_CIDR]')), changes(fixed).join('\n'));
    });
  });
}
