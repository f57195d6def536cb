// The real-world suite for operator installs: the quickstart custom-resources.yaml of Calico releases and a
// calicoctl input with projectcalico.org/v3 IPPools (REAL_FIXTURES_DIR/operator), through `fix` as a
// library, in ipv6-only and in dual-stack.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type ConfigOverrides } from '../../src/config/load.js';
import { analyzeManifest } from '../../src/manifests/manifest-file.js';
import { objectsOf } from '../support/fixtures.js';
import type { KubeObject } from '../../src/k8s/object.js';
import { REPO_ROOT } from '../support/repo-root.js';

const DIR = resolve(REPO_ROOT, process.env.REAL_FIXTURES_DIR ?? '../shared/fixtures/real', 'operator');
const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort() : [];
const customResources = files.filter((f) => f.startsWith('custom-resources'));

const MODES: Record<string, ConfigOverrides> = {
  'ipv6-only': {},
  'dual-stack': { mode: 'dual-stack', ipv4PodCIDR: '192.168.0.0/16' },
};

type Pool = Record<string, unknown>;

function installationOf(objects: KubeObject[]): { pools: Pool[]; network: Record<string, unknown> } {
  const installation = objects.find((o) => o.kind === 'Installation');
  assert.ok(installation, 'an Installation');
  const network = (installation.spec as { calicoNetwork: Record<string, unknown> }).calicoNetwork;
  return { pools: network.ipPools as Pool[], network };
}

describe('operator custom-resources.yaml through fix', () => {
  it('the fixtures are there', () => {
    assert.ok(customResources.length >= 2, `custom-resources files in ${DIR}`);
  });

  for (const file of customResources) {
    const source = readFileSync(join(DIR, file), 'utf8');
    const original = installationOf(objectsOf(source)).pools;
    const v4 = original.filter((p) => String(p.cidr).includes('.'));

    for (const [mode, overrides] of Object.entries(MODES)) {
      it(`${file}, ${mode}: the Installation gets the IPv6 pool and v6 autodetection; nothing else changes; a second pass is clean`, () => {
        const config = loadConfig({ flags: overrides });
        const result = analyzeManifest(source, config);
        const { pools, network } = installationOf(objectsOf(result.fixedText));
        const ipv6 = { cidr: 'fd20::/112', blockSize: 122, encapsulation: v4[0]?.encapsulation, natOutgoing: 'Enabled', nodeSelector: 'all()' };
        assert.deepEqual(pools, mode === 'ipv6-only' ? [ipv6] : [...v4, ipv6]);
        assert.deepEqual(network.nodeAddressAutodetectionV6, { firstFound: true });
        // The APIServer (and any other document) is untouched, byte for byte.
        const changed = result.documents.filter((d) => d.edits.length > 0).map((d) => d.label);
        assert.deepEqual(changed, [`Installation default (document 1)`]);
        assert.ok(result.fixedText.includes(source.slice(source.indexOf('# This section configures the Calico API server'))));
        // The fixed file is what the operator accepts and what the webhook admits as it is.
        const again = analyzeManifest(result.fixedText, config);
        for (const d of again.documents) {
          assert.deepEqual(d.edits, [], d.label);
          assert.deepEqual(d.analysis?.validation.problems ?? [], [], d.label);
        }
      });
    }
  }
});

describe('calicoctl input with projectcalico.org/v3 IPPools', () => {
  const file = files.find((f) => f.startsWith('calicoctl'));

  it('pools are judged, never changed; the other Calico kinds are left alone', () => {
    assert.ok(file, `a calicoctl input in ${DIR}`);
    const source = readFileSync(join(DIR, file), 'utf8');
    const result = analyzeManifest(source, loadConfig({}));
    assert.equal(result.fixedText, source);
    const judged = result.documents.filter((d) => d.analysis);
    assert.deepEqual(judged.map((d) => d.label.replace(/ \(document \d+\)$/, '')), ['IPPool ippool-1', 'IPPool ippool-2']);
    const [v4, v6] = judged.map((d) => d.analysis!);
    assert.deepEqual(v4?.validation.problems, []);
    assert.match(v4?.validation.warnings.join('\n') ?? '', /IPv4 pool in an IPv6-only cluster/);
    // 2002::/64 is not the configured pod CIDR: refused, naming the field and the way out.
    assert.deepEqual(v6?.validation.problems.map((p) => `${p.rule} ${p.path}`), ['ippool/pod-cidr spec.cidr']);
  });

  it('with the cluster configured for that pool, it is admitted', () => {
    assert.ok(file);
    const source = readFileSync(join(DIR, file), 'utf8');
    const result = analyzeManifest(source, loadConfig({ flags: { podCIDR: '2002::/64' } }));
    const v6 = result.documents.find((d) => d.label.startsWith('IPPool ippool-2'));
    assert.deepEqual(v6?.analysis?.validation.problems, []);
    assert.deepEqual(v6?.analysis?.validation.warnings, []);
  });
});
