// Issue 11, case by case: fix reads files as Kubernetes does and never changes what a byte it does not
// have to change means. (The meaning test in test/real-world holds every output against the Go decoder.)
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { analyzeManifest, analyzeManifestBytes, readManifestValues } from '../../../src/manifests/manifest-file.js';
import { resolvePlain, splitDocuments } from '../../../src/manifests/kube-yaml.js';
import { invalidUtf8Offset } from '../../../src/manifests/encoding.js';
import { aliasBomb, calicoNode, CALICO_NODE_OBJECT, ENV_THROUGH_ALIAS, KUBE_DNS_FLOW, list, manyAliases, SHARED_ENV } from '../../support/manifest-corpus.js';
import { configWith, fixtureText } from '../../support/fixtures.js';

// These tests are about reading and writing files; NAT outgoing (issue 14, on by default for the ULA pod
// CIDR) is switched off so the edits stay the guide's five.
const NO_NAT = { ipv6NATOutgoing: 'false' };
const config = configWith(NO_NAT);
const dir = mkdtempSync(join(tmpdir(), 'fix-reading-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

interface Ran {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** fix or check of `bytes` as a file, through main() with the streams captured. */
async function run(command: 'fix' | 'check', bytes: Buffer | string): Promise<Ran> {
  const path = join(dir, `f${files++}.yaml`);
  writeFileSync(path, bytes);
  const out: Buffer[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (line) => out.push(Buffer.from(`${line}\n`)),
    stdoutRaw: (data) => out.push(Buffer.from(data)),
    stderr: (line) => err.push(line),
    readStdin: () => '',
    env: {},
  };
  const code = await main([command, path, '--ipv6-nat-outgoing', NO_NAT.ipv6NATOutgoing], io);
  return { code, stdout: Buffer.concat(out), stderr: err.join('\n') };
}

const ENV = `          env:
            - name: IP
              value: autodetect`;

describe('issue 11 case 1: numbers and booleans mean what they mean to Kubernetes (YAML 1.1)', () => {
  // Each expectation was established with test/yaml-reference (k8s.io/apimachinery + sigs.k8s.io/yaml).
  const cases: [string, unknown][] = [
    ['0400', 256], ['0755', 493], ['0o644', 420], ['0x1F', 31], ['0b101', 5], ['1_000', 1000], ['-0400', -256], ['+12', 12],
    ['08', 8], ['1e3', 1000], ['.5', 0.5], ['12345678901234567890', Number('12345678901234567890')], ['1:20', '1:20'], ['2001-12-14', '2001-12-14'],
    ['yes', true], ['Yes', true], ['on', true], ['ON', true], ['y', true], ['Y', true], ['n', false], ['no', false], ['off', false],
    ['~', null], ['', null], ['Null', null], ['nULL', 'nULL'], ['=', '='], ['0x', '0x'], ['--', '--'], ['fd00::a', 'fd00::a'],
  ];
  for (const [plain, value] of cases) it(`${JSON.stringify(plain)} reads as ${JSON.stringify(value)}`, () => assert.deepEqual(resolvePlain(plain).value, value));

  it('`n` and `y` as map keys are the booleans false and true, as sigs.k8s.io/yaml turns them into keys', () => {
    assert.deepEqual(readManifestValues('n: 1\ny: 2\n"n": 3\n'), [{ false: 1, true: 2, n: 3 }]);
  });

  it('a document rewritten before (flow env) keeps defaultMode 0400 and 0755 and large integers byte for byte', async () => {
    const text = calicoNode(`          env: [{name: IP, value: autodetect}]`);
    const { code, stdout } = await run('fix', text);
    assert.equal(code, 0);
    const out = stdout.toString();
    for (const kept of ['defaultMode: 0400', 'defaultMode: 0755', 'mode: 0o644', '12345678901234567890, 123456789012345678901234567890, 9007199254740993']) assert.ok(out.includes(kept), kept);
    const changed = out.split('\n').filter((line, i) => line !== text.split('\n')[i]);
    assert.deepEqual(changed, ['          env: [{name: IP, value: none}, {name: CALICO_IPV6POOL_CIDR, value: "fd20::/112"}, {name: IP6, value: autodetect}, {name: FELIX_IPV6SUPPORT, value: "true"}, {name: CALICO_ROUTER_ID, value: hash}]']);
  });

  it('flow-style kube-dns args get their additions inside the brackets; nothing else moves', () => {
    const out = analyzeManifest(KUBE_DNS_FLOW, config).fixedText;
    assert.ok(out.includes('args: [-v=2, -logtostderr, --, -k, --cache-size=1000, --server=/cluster.local/127.0.0.1#10053, --no-negcache]'), out);
    assert.ok(out.includes('defaultMode: 0644'), out);
  });

  it('an empty `value:` is filled in place', () => {
    const text = calicoNode(`          env:\n            - name: IP\n              value:\n            - name: FELIX_IPV6SUPPORT\n              value: "true"`);
    const out = analyzeManifest(text, config).fixedText;
    assert.ok(out.includes('            - name: IP\n              value: none\n'), out);
  });

  it('a string Kubernetes would read as another type is quoted when written: "true", "0400", "yes"', () => {
    const text = calicoNode(`          env:\n            - name: FELIX_IPV6SUPPORT\n              value: no`);
    const out = analyzeManifest(text, config).fixedText;
    assert.ok(out.includes('              value: "true"\n'), out);
  });
});

describe('issue 11 case 2: List and *List items are objects, written back in place', () => {
  for (const kind of ['List', 'DaemonSetList']) {
    it(`${kind}: check finds the item and exits 1; fix edits inside the item`, async () => {
      const text = list(kind, [calicoNode(ENV)]);
      const checked = await run('check', text);
      assert.equal(checked.code, 1);
      assert.match(checked.stderr, /DaemonSet kube-system\/calico-node \(document 1, items\[0\]\): needs change/);
      assert.match(checked.stderr, /1 target object, 5 changes needed/);
      const fixed = await run('fix', text);
      assert.equal(fixed.code, 0);
      const out = fixed.stdout.toString();
      assert.ok(out.startsWith(`apiVersion: v1\nkind: ${kind}\nitems:\n- apiVersion: apps/v1\n`), out);
      assert.ok(out.includes('                value: none\n'), out);
      assert.ok(out.endsWith('metadata:\n  resourceVersion: ""\n'), out);
      assert.equal((await run('check', fixed.stdout)).code, 0);
    });
  }

  it('a List in JSON is edited as JSON', () => {
    const text = `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [CALICO_NODE_OBJECT] }, null, 2)}\n`;
    const out = analyzeManifest(text, config).fixedText;
    const parsed = JSON.parse(out) as { items: (typeof CALICO_NODE_OBJECT)[] };
    assert.deepEqual(parsed.items[0]?.spec.template.spec.containers[0]?.env.map((e) => e.name), ['IP', 'FELIX_IPV6SUPPORT', 'CALICO_IPV6POOL_CIDR', 'IP6', 'CALICO_ROUTER_ID']);
    assert.equal(out, `${JSON.stringify(parsed, null, 2)}\n`);
  });
});

describe('issue 11 case 3: JSON in, JSON out, same indentation, untouched bytes kept', () => {
  for (const [name, indent] of [['2 spaces', 2], ['4 spaces', 4], ['tabs', '\t']] as const) {
    it(name, () => {
      const text = `${JSON.stringify(CALICO_NODE_OBJECT, null, indent)}\n`;
      const out = analyzeManifest(text, config).fixedText;
      const parsed = JSON.parse(out) as typeof CALICO_NODE_OBJECT;
      assert.deepEqual(parsed.spec.template.spec.containers[0]?.env.map((e) => e.name), ['IP', 'FELIX_IPV6SUPPORT', 'CALICO_IPV6POOL_CIDR', 'IP6', 'CALICO_ROUTER_ID']);
      assert.equal(out, `${JSON.stringify(parsed, null, indent)}\n`, 'laid out exactly as the input was');
    });
  }

  it('only the changed members differ; a compact member elsewhere stays compact', () => {
    const text = JSON.stringify(CALICO_NODE_OBJECT, null, 2).replace('"metadata": {\n    "name": "calico-node",\n    "namespace": "kube-system"\n  }', '"metadata": {"name": "calico-node", "namespace": "kube-system"}');
    const out = analyzeManifest(text, config).fixedText;
    assert.ok(out.includes('"metadata": {"name": "calico-node", "namespace": "kube-system"}'), out);
    assert.ok(!out.endsWith('\n'), 'no final newline added');
  });
});

describe('issue 11 case 4: merge keys are resolved as kubectl resolves them', () => {
  it('an env item written with a merge key has its name; a value that comes from the merge is overridden in place', () => {
    const text = calicoNode(`          env:\n            - <<: {name: IP, value: autodetect}\n            - name: FELIX_IPV6SUPPORT\n              value: "false"`);
    const result = analyzeManifest(text, config);
    assert.deepEqual(result.documents.flatMap((d) => d.analysis?.mutation.malformed ?? []), []);
    assert.ok(result.fixedText.includes('            - <<: {name: IP, value: autodetect}\n              value: none\n'), result.fixedText);
    assert.deepEqual(analyzeManifest(result.fixedText, config).documents.flatMap((d) => d.edits), []);
  });

  it('go-yaml applies merges in order: a merge after a key overwrites it; a key after a merge wins', () => {
    assert.deepEqual(readManifestValues('b: &b {x: 1, w: 2}\nm:\n  x: 0\n  <<: *b\nk:\n  <<: [*b, {w: 3, z: 3}]\n  w: 9\n'), [{ b: { x: 1, w: 2 }, m: { x: 1, w: 2 }, k: { x: 1, w: 9, z: 3 } }]);
    // A list of merges: the earlier map wins.
    assert.deepEqual(readManifestValues('k:\n  <<: [{w: 1}, {w: 2, z: 3}]\n'), [{ k: { w: 1, z: 3 } }]);
  });
});

describe('issue 11 case 5: an anchored env shared with a sidecar is never edited through the anchor', () => {
  it('fix refuses the document (exit 1), names it and the reason, and changes no byte', async () => {
    const { code, stdout, stderr } = await run('fix', SHARED_ENV);
    assert.equal(code, 1);
    assert.equal(stdout.toString(), SHARED_ENV);
    assert.match(stderr, /DaemonSet kube-system\/calico-node \(document 1\): not fixed: document 1: spec\.template\.spec\.containers\.0\.env is anchored \(&env\) and repeated elsewhere by an alias/);
  });

  it('a value reached through an alias: the alias is written out in place; the anchored original, used elsewhere, is untouched', () => {
    const text = ENV_THROUGH_ALIAS;
    const out = analyzeManifest(text, config).fixedText;
    const changed = out.split('\n').filter((line, i) => line !== text.split('\n')[i]);
    assert.deepEqual(changed, ['          env: [{name: IP, value: none}, {name: CALICO_IPV6POOL_CIDR, value: "fd20::/112"}, {name: IP6, value: autodetect}, {name: FELIX_IPV6SUPPORT, value: "true"}, {name: CALICO_ROUTER_ID, value: hash}]']);
    assert.deepEqual((readManifestValues(out)[0] as { 'x-env': unknown })['x-env'], [{ name: 'IP', value: 'autodetect' }]);
  });

  it('an anchored value nobody else uses is edited normally', () => {
    const text = calicoNode(`          env: &env\n            - name: IP\n              value: autodetect`);
    assert.ok(analyzeManifest(text, config).fixedText.includes('env: &env\n            - name: IP\n              value: none\n'));
  });
});

describe('issue 11 case 6: aliases within bounds are read, bombs are refused cleanly', () => {
  it('150 aliases (kubectl reads them): fixed, exit 0', async () => {
    const { code, stderr } = await run('fix', manyAliases(150));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /5 changes made, 0 problems/);
  });

  it('a billion-laughs document: exit 2, a message naming the document, no stack trace', async () => {
    for (const command of ['fix', 'check'] as const) {
      const { code, stdout, stderr } = await run(command, `kind: Namespace\n---\n${aliasBomb()}`);
      assert.equal(code, 2);
      assert.equal(stdout.length, 0);
      assert.match(stderr, /^calico-ipv6-webhook: \S+\.yaml: document 2 \(line 3\): excessive aliasing/);
      assert.doesNotMatch(stderr, /\n\s+at /);
    }
  });

  it('an alias that names itself and an alias to nothing are refused with exit 2', async () => {
    assert.match((await run('check', 'a: &a [*a]\n')).stderr, /document 1 \(line 1\): anchor &a contains itself|alias \*a names no anchor/);
    assert.equal((await run('check', 'kind: X\nb: *nope\n')).code, 2);
  });
});

describe('issue 11 case 7: encodings', () => {
  const text = calicoNode(ENV);
  const fixedUtf8 = analyzeManifest(text, config).fixedText;

  it('UTF-16LE and UTF-16BE with a BOM are read and written back in the same encoding', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const fixed = await run('fix', le);
    assert.equal(fixed.code, 0);
    assert.deepEqual(fixed.stdout, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fixedUtf8, 'utf16le')]));
    const be = Buffer.from(le).swap16();
    assert.deepEqual(analyzeManifestBytes(be, config).fixedBytes, Buffer.from(fixed.stdout).swap16());
    assert.match((await run('check', le)).stderr, /1 target object, 5 changes needed/);
  });

  it('a UTF-8 BOM is kept', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    assert.deepEqual((await run('fix', bom)).stdout, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(fixedUtf8)]));
    assert.equal(analyzeManifest(`\uFEFF${text}`, config).fixedText, `\uFEFF${fixedUtf8}`);
  });

  it('invalid UTF-8 is refused with exit 2, naming the byte offset', async () => {
    const bytes = Buffer.concat([Buffer.from('kind: ConfigMap\ndata: {a: "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]);
    const { code, stdout, stderr } = await run('fix', bytes);
    assert.equal(code, 2);
    assert.equal(stdout.length, 0);
    assert.match(stderr, /not valid UTF-8: byte 0xe9 at offset 30/);
  });

  it('the UTF-8 check: overlong forms, surrogates, truncated sequences', () => {
    assert.equal(invalidUtf8Offset(Buffer.from('é€😀 ok')), -1);
    assert.equal(invalidUtf8Offset(Buffer.from([0x41, 0xc0, 0x80])), 1);
    assert.equal(invalidUtf8Offset(Buffer.from([0xed, 0xa0, 0x80])), 0);
    assert.equal(invalidUtf8Offset(Buffer.from([0x41, 0x42, 0xe2, 0x82])), 2);
    assert.equal(invalidUtf8Offset(Buffer.from([0xf4, 0x90, 0x80, 0x80])), 0);
  });
});

describe('issue 11 case 8: line endings and layout', () => {
  it('a CRLF file gets CRLF on every line written', () => {
    const crlf = fixtureText('cli/calico-bundle.yaml').replace(/\n/g, '\r\n');
    const out = analyzeManifest(crlf, config).fixedText;
    assert.notEqual(out, crlf);
    assert.equal(out.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
  });

  it('a file without a final newline: appended items with no blank lines, still no final newline', () => {
    const text = calicoNode(ENV).replace(/\n {10}resources:[\s\S]*$/, '');
    const out = analyzeManifest(text, config).fixedText;
    assert.equal(out.endsWith('\n'), false);
    assert.equal(out.includes('\n\n'), false, out);
    assert.ok(out.endsWith('            - name: CALICO_ROUTER_ID\n              value: hash'), out);
  });

  it('a leading comment is not duplicated and nothing is re-indented (no document is ever rewritten whole)', () => {
    const text = `# leading comment\n${calicoNode(`          env: [{name: IP, value: autodetect}]`)}`;
    const out = analyzeManifest(text, config).fixedText;
    assert.equal(out.split('# leading comment').length, 2);
    const before = text.split('\n');
    const after = out.split('\n');
    assert.equal(after.length, before.length);
    assert.deepEqual(after.filter((line, i) => line !== before[i]).length, 1);
  });

  it('`- --` stays `- --` when --no-negcache moves from before it to the end (one removal, one insertion)', () => {
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: kube-dns, namespace: kube-system}\nspec:\n  template:\n    spec:\n      containers:\n      - name: dnsmasq\n        image: k8s-dns-dnsmasq-nanny:1.14.8\n        args:\n        - -v=2\n        - --no-negcache\n        - --\n        - -k\n';
    assert.equal(analyzeManifest(text, config).fixedText, text.replace('        - --no-negcache\n', '').replace(/$/, '        - --no-negcache\n'));
  });

  it('kubectl splits documents at `---` lines (a comment may follow) and refuses `--- text` (exit 2)', async () => {
    const text = 'a: 1\n--- # next\nb: 2\n---\n---\nc: 3';
    assert.deepEqual(splitDocuments(text).map((c) => text.slice(c.start, c.end)), ['a: 1\n', 'b: 2\n', '', 'c: 3']);
    const refused = await run('check', 'kind: A\n--- |\n  text\n');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /line 2: "--- \|" is not a document separator Kubernetes accepts/);
  });
});
