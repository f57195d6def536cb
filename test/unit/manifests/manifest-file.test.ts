// The offline engine's text edits: corrected targets, everything else byte for byte, and output that
// always parses back to exactly what the engine decided.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { analyzeManifest, ManifestError } from '../../../src/manifests/manifest-file.js';
import { configWith } from '../../support/fixtures.js';

const config = configWith();

function reparsed(text: string): unknown[] {
  return parseAllDocuments(text, { uniqueKeys: false }).map((d) => d.toJS() as unknown);
}

describe('manifest-file: fix as text edits', () => {
  it('an append at the end of one document and a re-serialized next document do not overwrite each other', () => {
    // Found by the property test: the Deployment's new args go at the very end of its range, where the
    // Service (re-serialized because its clusterIPs is a flow list) starts.
    const text = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: kube-dns\nspec:\n  template:\n    spec:\n      containers:\n        - name: dnsmasq\n          image: k8s-dns-dnsmasq-nanny:1.14.8\n',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: kube-dns\nspec:\n  clusterIPs: []\n',
    ].join('---\n');
    const result = analyzeManifest(text, config);
    assert.deepEqual(reparsed(result.fixedText), result.documents.map((d) => d.analysis?.mutated));
    // `--` is a plain string to Kubernetes, so it is written plain (issue 11: `- --` stays `- --`).
    assert.ok(result.fixedText.includes('          args:\n            - --\n            - --no-negcache\n---\n'), result.fixedText);
    assert.deepEqual(analyzeManifest(result.fixedText, config).documents.flatMap((d) => d.edits), []);
  });

  it('removing the first key of a list item\'s mapping moves the next key up onto the `- ` line', () => {
    // The operator's Installation: its IPv4 pool becomes the IPv6 pool in place, and the pool's name goes.
    const text = 'apiVersion: operator.tigera.io/v1\nkind: Installation\nmetadata:\n  name: default\nspec:\n  calicoNetwork:\n    ipPools:\n'
      + '      - name: default-ipv4-ippool  \n        blockSize: 26\n        cidr: 10.244.0.0/16\n        encapsulation: VXLAN\n        natOutgoing: Enabled\n        nodeSelector: all()\n';
    const result = analyzeManifest(text, config);
    assert.ok(result.fixedText.includes('    ipPools:\n      - blockSize: 122\n        cidr: fd20::/112\n'), result.fixedText);
    assert.deepEqual(reparsed(result.fixedText), result.documents.map((d) => d.analysis?.mutated));
    // With a comment after the removed key the edit would drop it: refused instead, as before.
    const commented = text.replace('default-ipv4-ippool  ', 'default-ipv4-ippool  # keep');
    assert.match(analyzeManifest(commented, config).documents[0]?.refused ?? '', /shares its line/);
  });

  it('a duplicated key (last wins, as the object is read) is edited at its last occurrence', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: kube-dns\nspec:\n  clusterIP: 10.0.0.1\n  ports: []\n  clusterIP: 10.96.0.10 # the effective one\n';
    const result = analyzeManifest(text, config);
    assert.equal(result.fixedText, text.replace('clusterIP: 10.96.0.10', 'clusterIP: fd00:10:96::a'));
    assert.deepEqual(analyzeManifest(result.fixedText, config).documents.flatMap((d) => d.edits), []);
  });

  it('a duplicated key in a document that must be re-serialized is still fixed at its effective occurrence', () => {
    // Removing an item of a flow list cannot be placed as a text edit: the document is re-serialized.
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: kube-dns}\nspec: {clusterIP: 10.0.0.1, ipFamilies: [IPv4], clusterIP: 10.96.0.10, ipFamilies: [IPv4, IPv6]}\n';
    const result = analyzeManifest(text, config);
    assert.deepEqual((reparsed(result.fixedText)[0] as { spec: unknown }).spec, { clusterIP: 'fd00:10:96::a', ipFamilies: ['IPv6'] });
    assert.deepEqual(analyzeManifest(result.fixedText, config).documents.flatMap((d) => d.edits), []);
  });

  it('items removed and inserted in the middle of a list are placed as text: every other line stays', () => {
    // The edits remove and insert single items (not a rewrite of every later index); the editor must
    // place each at the right original item, with the list's own indentation and the comments around it.
    const text = [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: kube-dns', 'spec:', '  template:', '    spec:', '      containers:',
      '      - name: dnsmasq', '        image: k8s-dns-dnsmasq-nanny:1.14.10', '        args:', '        - -v=2', '        - --no-negcache   # too early',
      '        - -logtostderr', '        # the separator:', '        - --', '        - -k', '        - --cache-size=1000', '      - name: sidecar', '        image: k8s-dns-sidecar:1.14.10', '',
    ].join('\n');
    const result = analyzeManifest(text, config);
    const edits = result.documents.flatMap((d) => d.edits);
    assert.deepEqual(edits.filter((e) => e.path.includes('args')).map((e) => e.op), ['remove', 'insert']);
    assert.equal(result.fixedText, text.replace('        - --no-negcache   # too early\n', '').replace('        - --cache-size=1000\n', '        - --cache-size=1000\n        - --no-negcache\n'));
    assert.deepEqual(reparsed(result.fixedText), result.documents.map((d) => d.analysis?.mutated));
  });

  it('a file with nothing to change comes back identical, comments and all', () => {
    const text = '# top\napiVersion: v1\nkind: ConfigMap   # odd spacing\nmetadata: {name: other}\ndata:\n  a: "1"\n...\n';
    assert.equal(analyzeManifest(text, config).fixedText, text);
  });

  it('unparseable YAML is a ManifestError naming line and column', () => {
    assert.throws(() => analyzeManifest('a: [unclosed\nb: 1\n', config), (e: unknown) => e instanceof ManifestError && /not valid YAML at line \d+, column \d+/.test(e.message));
  });
});
