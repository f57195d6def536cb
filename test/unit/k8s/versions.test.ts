// Version gating: image tags as users write them, and the fallbacks when a tag names no version.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NEWEST, describeVersion, resolveCalicoVersion, versionFromImage } from '../../../src/targets/shared/calico-version.js';
import { formatImage, parseImage, parseVersion, version } from '../../../src/k8s/versions.js';
import { contextWith } from '../../support/fixtures.js';

describe('versions: image tags', () => {
  const cases: [string, ReturnType<typeof versionFromImage>][] = [
    ['calico/node:v3.24.0', version(3, 24, 0)],
    ['quay.io/calico/node:v3.1.3', version(3, 1, 3)],
    ['calico/node:master', 'newest'],
    ['calico/node:latest', 'newest'],
    ['calico/node:latest-amd64', 'newest'],
    ['calico/node:release-v3.14', version(3, 14, 0)],
    ['calico/node:v3.14.0-0.dev-123-gabcdef', version(3, 14, 0)],
    ['calico/node:v3.1.3-amd64', version(3, 1, 3)],
    ['registry.example.com:5000/calico/node:v3.30.0', version(3, 30, 0)],
    ['registry.example.com:5000/calico/node', undefined],
    ['calico/node@sha256:5ad7b5d3f2c59e0f6bb2d9d2e4b8c73c3a0b0b7e4a52a54b0c0a1f2e3d4c5b6a', undefined],
    ['calico/node:v3.24.0@sha256:5ad7b5d3f2c59e0f6bb2d9d2e4b8c73c3a0b0b7e4a52a54b0c0a1f2e3d4c5b6a', version(3, 24, 0)],
    ['calico/node:my-build', undefined],
  ];
  for (const [image, expected] of cases) {
    it(`${image} -> ${JSON.stringify(expected)}`, () => assert.deepEqual(versionFromImage(image), expected));
  }

  it('parseVersion accepts 1.14.8, v3.24, v3.14.0-0.dev-1 and refuses words', () => {
    assert.deepEqual(parseVersion('1.14.8'), version(1, 14, 8));
    assert.deepEqual(parseVersion('v3.24'), version(3, 24, 0));
    assert.deepEqual(parseVersion('v3.14.0-0.dev-1'), version(3, 14, 0));
    assert.equal(parseVersion('latest'), undefined);
    assert.equal(parseVersion('3'), undefined);
  });

  it('parseImage / formatImage round trip, registry port kept apart from the tag', () => {
    const ref = parseImage('my.registry:5000/dns/k8s-dns-sidecar-amd64:1.14.4@sha256:abc');
    assert.deepEqual(ref, { repository: 'my.registry:5000/dns', name: 'k8s-dns-sidecar-amd64', tag: '1.14.4', digest: 'sha256:abc' });
    assert.equal(formatImage(ref), 'my.registry:5000/dns/k8s-dns-sidecar-amd64:1.14.4@sha256:abc');
    assert.deepEqual(parseImage('busybox'), { repository: '', name: 'busybox', tag: undefined, digest: undefined });
  });
});

describe('versions: resolving the calico/node version', () => {
  it('a readable tag wins, with no warning', () => {
    assert.deepEqual(resolveCalicoVersion('calico/node:v3.5.0', contextWith({ overrides: { calicoVersion: 'v3.30.0' } })), { version: version(3, 5, 0), source: 'image tag v3.5.0' });
  });

  it('development tags are the newest release', () => {
    const resolved = resolveCalicoVersion('calico/node:master', contextWith());
    assert.equal(resolved.version, NEWEST);
    assert.equal(resolved.warning, undefined);
    assert.equal(describeVersion(resolved.version), 'a development build');
  });

  it('a digest falls back to calicoVersion, then the hint, then the newest: each with a warning', () => {
    const image = 'calico/node@sha256:5ad7';
    const configured = resolveCalicoVersion(image, contextWith({ overrides: { calicoVersion: '3.20.1' }, calicoVersionHint: version(3, 1, 3) }));
    assert.deepEqual(configured, { version: version(3, 20, 1), source: 'calicoVersion', warning: 'the image calico/node@sha256:5ad7 names no version; assuming Calico v3.20.1 from calicoVersion' });
    const hinted = resolveCalicoVersion(image, contextWith({ calicoVersionHint: version(3, 1, 3) }));
    assert.equal(hinted.warning, 'the image calico/node@sha256:5ad7 names no version; assuming Calico v3.1.3 from the calico/node image');
    const newest = resolveCalicoVersion(image, contextWith());
    assert.equal(newest.version, NEWEST);
    assert.equal(newest.warning, 'the image calico/node@sha256:5ad7 names no version; assuming a current Calico release (set calicoVersion to be exact)');
  });

  it('no image at all: the same fallback', () => {
    assert.equal(resolveCalicoVersion(undefined, contextWith()).warning, 'no calico/node image; assuming a current Calico release (set calicoVersion to be exact)');
  });
});
