// Issue 23, points 5 and 9: what fix and check say about files that are not manifests, JSON streams read as
// kubectl reads them, and a saved AdmissionReview judged by the object under review.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'unusable-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `f${files++}`);
  writeFileSync(path, content);
  return path;
}

const SERVICE = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.10' } };
const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'kube-system' } };

describe('fix and check on unusable input: one line naming the file, exit 2 (issue 23)', () => {
  const cases: [string, string | Buffer, RegExp][] = [
    ['plain text', 'hello world\nthis is not YAML for Kubernetes\n', /: document 1 \(line 1\) is plain text, not a Kubernetes object$/],
    ['only a mapping without kind', 'name: x\nvalue: 1\n', /: no Kubernetes objects in it: document 1 \(line 1\) is a mapping with no kind, not a Kubernetes object/],
    ['a list', '- a\n- b\n', /: document 1 \(line 1\) is a list, not a Kubernetes object/],
    ['plain text after an object, named by its document', `${JSON.stringify(CONFIG_MAP)}\n---\njust words\n`, /: document 2 \(line 3\) is plain text/],
    ['an empty file', '', /: no Kubernetes objects in it \(the file is empty\)$/],
    ['only comments', '# nothing here\n---\n', /: no Kubernetes objects in it \(only empty documents or comments\)$/],
    ['a binary file (invalid UTF-8)', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0xd0, 0x00]), /: not a text manifest \(a binary file\?\): not valid UTF-8: byte 0xd0 at offset 5$/],
    ['a binary file (NUL bytes)', Buffer.from([0x00, 0x00, 0x01]), /: not a text manifest \(a binary file\?\): a NUL byte at offset 0$/],
  ];
  for (const [what, content, message] of cases) {
    it(what, async () => {
      const path = file(content);
      for (const command of ['fix', 'check']) {
        const { code, stdout, stderr } = await cli([command, path]);
        assert.equal(code, 2, `${command}: ${stderr}`);
        assert.equal(stdout, '');
        assert.equal(stderr.split('\n').length, 1, stderr);
        assert.ok(stderr.startsWith(`calico-ipv6-webhook: ${path}: `), stderr);
        assert.match(stderr, message);
      }
    });
  }

  it('a mapping without kind beside objects (Jekyll front matter in old Calico manifests): a warning naming it, the rest judged', async () => {
    const { code, stderr } = await cli(['check', file(`layout: null\n---\n${JSON.stringify(SERVICE)}\n`)]);
    assert.equal(code, 1);
    assert.match(stderr, /: warning: document 1 \(line 1\) is a mapping with no kind, not a Kubernetes object .*; skipped\n/);
    assert.match(stderr, /Service kube-system\/kube-dns \(document 2\): needs change/);
  });

  it('a directory: no raw EISDIR', async () => {
    const { code, stderr } = await cli(['check', dir]);
    assert.equal(code, 2);
    assert.equal(stderr, `calico-ipv6-webhook: cannot read ${dir}: it is a directory; give one manifest file (or - for stdin)`);
  });
});

describe('JSON streams, as kubectl decodes them (issue 23)', () => {
  it('concatenated JSON objects are successive documents: each judged, and fixed in place', async () => {
    const text = `${JSON.stringify(CONFIG_MAP)}\n${JSON.stringify(SERVICE, null, 2)}${JSON.stringify(CONFIG_MAP)}\n`;
    const path = file(text);
    const checked = await cli(['check', path]);
    assert.equal(checked.code, 1);
    assert.match(checked.stderr, /Service kube-system\/kube-dns \(document 2\): needs change: \[kube-dns-service\/cluster-ip\]/);
    const fixed = await cli(['fix', path]);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal(fixed.stdout, text.replace('"10.96.0.10"', '"fd00:10:96::a"'));
  });

  it('bad JSON after two good values is a JSON error with its position, not a YAML one', async () => {
    const path = file(`${JSON.stringify(CONFIG_MAP)}\n${JSON.stringify(CONFIG_MAP)}\n{"kind": "Service", "spec": {,}}\n`);
    const { code, stderr } = await cli(['check', path]);
    assert.equal(code, 2);
    assert.match(stderr, /: not valid JSON at line 3, column \d+: \w+ \(JSON value 3\)$/);
    assert.doesNotMatch(stderr, /YAML/);
  });

  it('bad JSON that is no YAML either: the JSON error (kubectl reports the JSON decoder\'s)', async () => {
    const { code, stderr } = await cli(['check', file('{"kind": "Service", "metadata": {"name": "x"}\n')]);
    assert.equal(code, 2);
    assert.match(stderr, /: not valid JSON at line \d+, column \d+/);
    assert.doesNotMatch(stderr, /YAML/);
  });

  it('one JSON value then YAML documents: the rest is read as YAML, as kubectl falls back after one value', async () => {
    const { code, stderr } = await cli(['check', file(`${JSON.stringify(CONFIG_MAP)}\n---\n${'apiVersion: v1\nkind: Service\nmetadata: {name: kube-dns, namespace: kube-system}\nspec: {clusterIP: 10.96.0.10}\n'}`)]);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /Service kube-system\/kube-dns \(document 2\): needs change/);
  });
});

describe('a saved AdmissionReview: its request.object is judged (issue 23)', () => {
  const review = (request: Record<string, unknown>) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1', ...request } });

  it('CREATE: check names request.object and exits 1; fix corrects the object inside the review', async () => {
    const path = file(JSON.stringify(review({ operation: 'CREATE', object: SERVICE })));
    const checked = await cli(['check', path]);
    assert.equal(checked.code, 1);
    assert.match(checked.stderr, /Service kube-system\/kube-dns \(document 1, request\.object\): needs change: \[kube-dns-service\/cluster-ip\]/);
    assert.doesNotMatch(checked.stderr, /0 changes needed/);
    const fixed = await cli(['fix', path]);
    assert.equal((JSON.parse(fixed.stdout) as { request: { object: { spec: { clusterIP: string } } } }).request.object.spec.clusterIP, 'fd00:10:96::a');
  });

  it('UPDATE is judged against request.oldObject: an immutable clusterIP is refused', async () => {
    const path = file(JSON.stringify(review({ operation: 'UPDATE', object: SERVICE, oldObject: SERVICE })));
    const { code, stderr } = await cli(['check', path]);
    assert.equal(code, 1);
    assert.match(stderr, /request\.object\): rejected: \[kube-dns-service\/cluster-ip-immutable\]/);
  });

  it('no request.object (a DELETE): refused with a message, exit 2', async () => {
    const { code, stderr } = await cli(['check', file(JSON.stringify(review({ operation: 'DELETE', object: null, oldObject: SERVICE })))]);
    assert.equal(code, 2);
    assert.match(stderr, /document 1 \(line 1\): an AdmissionReview with no request\.object \(operation DELETE\) has no object to judge$/);
  });
});
