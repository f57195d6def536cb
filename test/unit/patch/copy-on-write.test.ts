// copyForWrites: new (shallow) objects along each write path and at its end, everything else shared.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileWritePath, copyForWrites } from '../../../src/patch/copy-on-write.js';
import { deepFrozen } from '../../support/frozen.js';

const daemonSet = () => deepFrozen({
  metadata: { name: 'calico-node', labels: { a: 'b' } },
  spec: {
    selector: { matchLabels: { k: 'v' } },
    template: { spec: { containers: [
      { name: 'calico-node', image: 'calico/node', env: [{ name: 'IP', value: 'autodetect' }], resources: { requests: { cpu: '250m' } } },
      { name: 'other', image: 'x' },
    ], volumes: [{ name: 'v' }] } },
  },
});

describe('copy-on-write: the copy the rules write', () => {
  it('compiles keys and [*] steps, and refuses what it cannot name', () => {
    assert.deepEqual(compileWritePath('spec.template.spec.containers[*].env'), ['spec', 'template', 'spec', 'containers', '*', 'env']);
    assert.deepEqual(compileWritePath('data'), ['data']);
    assert.deepEqual(compileWritePath('a[*][*].b'), ['a', '*', '*', 'b']);
    for (const bad of ['', 'a..b', 'a[0]', 'a[*]b', '[*]']) assert.throws(() => compileWritePath(bad), /write path/, bad);
  });

  it('copies the objects along the path and at its end; their other children are shared by identity', () => {
    const original = daemonSet();
    const copy = copyForWrites(original, [compileWritePath('spec.template.spec.containers[*].env')]);
    assert.deepEqual(copy, original);
    assert.notEqual(copy, original);
    assert.notEqual(copy.spec.template.spec.containers, original.spec.template.spec.containers);
    assert.notEqual(copy.spec.template.spec.containers[0], original.spec.template.spec.containers[0]);
    assert.notEqual(copy.spec.template.spec.containers[0]?.env, original.spec.template.spec.containers[0]?.env);
    assert.equal(copy.spec.template.spec.containers[0]?.env?.[0], original.spec.template.spec.containers[0]?.env?.[0]);
    assert.equal(copy.metadata, original.metadata);
    assert.equal(copy.spec.selector, original.spec.selector);
    assert.equal(copy.spec.template.spec.volumes, original.spec.template.spec.volumes);
    assert.equal(copy.spec.template.spec.containers[0]?.resources, original.spec.template.spec.containers[0]?.resources);
  });

  it('lets the rules write into the copied objects (and add keys on the way) without touching the frozen original', () => {
    const original = daemonSet();
    const copy = copyForWrites(original, [compileWritePath('spec.template.spec.containers[*].env')]);
    const [node, other] = copy.spec.template.spec.containers as unknown as [{ env: { name: string; value: string }[] }, { env?: unknown[] }];
    node.env.push({ name: 'IP6', value: 'autodetect' });
    node.env[0] = { ...(node.env[0] as { name: string; value: string }), value: 'none' };
    other.env = [{ name: 'X', value: '1' }];
    assert.deepEqual(original, daemonSet());
    assert.deepEqual(node.env, [{ name: 'IP', value: 'none' }, { name: 'IP6', value: 'autodetect' }]);
    // A container on the way down is a copy too: its keys may be set.
    (copy.spec.template.spec.containers[1] as { image: string }).image = 'y';
    assert.equal(original.spec.template.spec.containers[1]?.image, 'x');
    assert.throws(() => { (copy.spec.selector.matchLabels as Record<string, string>).k = 'w'; }, TypeError);
    assert.throws(() => { (copy.spec.template.spec.containers[0]?.resources?.requests as { cpu: string }).cpu = '1'; }, TypeError);
  });

  it('two paths through one object copy it once, and each path copies what it names', () => {
    const original = daemonSet();
    const copy = copyForWrites(original, [compileWritePath('spec.template.spec.volumes'), compileWritePath('spec.template.spec.containers[*].env'), compileWritePath('spec.selector')]);
    assert.deepEqual(copy, original);
    assert.notEqual(copy.spec.selector, original.spec.selector);
    assert.equal(copy.spec.selector.matchLabels, original.spec.selector.matchLabels);
    assert.notEqual(copy.spec.template.spec.volumes, original.spec.template.spec.volumes);
    assert.notEqual(copy.spec.template.spec.containers[0]?.env, original.spec.template.spec.containers[0]?.env);
    assert.equal(copy.metadata, original.metadata);
    copy.spec.template.spec.volumes.push({ name: 'w' });
    assert.equal(original.spec.template.spec.volumes.length, 1);
  });

  it('leaves alone what is missing or of another shape, and keeps an own __proto__ key a key', () => {
    const original = deepFrozen(JSON.parse('{"spec":{"template":"text"},"data":{"__proto__":{"x":"1"},"k":"v"},"list":[1,{"a":{}}]}') as Record<string, unknown>);
    const copy = copyForWrites(original, [compileWritePath('spec.template.spec.containers[*].env'), compileWritePath('data.__proto__'), compileWritePath('list[*].a'), compileWritePath('absent.x')]);
    assert.deepEqual(copy, original);
    const data = copy.data as Record<string, unknown>;
    assert.ok(Object.prototype.hasOwnProperty.call(data, '__proto__'));
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.notEqual(data.__proto__, (original.data as Record<string, unknown>).__proto__);
    assert.equal((copy.spec as { template: unknown }).template, 'text', 'a path that meets a string instead of an object stops there');
    assert.notEqual((copy.list as { a: unknown }[])[1]?.a, (original.list as { a: unknown }[])[1]?.a);
    assert.equal((copy.list as unknown[])[0], 1);
    assert.ok(!('absent' in copy));
  });

  it('copies a value that is not plain JSON as JSON would have it', () => {
    const when = new Date(0);
    const copy = copyForWrites({ spec: { at: when, keep: { a: 1 } }, other: { b: 2 } }, [compileWritePath('spec.at')]);
    assert.equal((copy.spec as { at: unknown }).at, when.toJSON());
  });
});
