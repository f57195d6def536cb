// The effective env of a container, resolved the way the kubelet builds it (issue 14, case 6).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EffectiveEnv, type EnvSources } from '../../../src/k8s/effective-env.js';

const CONFIG_MAPS: Record<string, Record<string, string> | null> = {
  'kube-system/pools': { NO_DEFAULT_POOLS: 'true', IP: 'autodetect' },
  'kube-system/calico-config': { calico_backend: 'vxlan' },
  'kube-system/later': { NO_DEFAULT_POOLS: 'false' },
  'kube-system/missing': null,
};

const sources: EnvSources = {
  configMaps: { lookupConfigMap: (namespace, name) => CONFIG_MAPS[`${namespace}/${name}`] },
};

function envOf(container: { env?: unknown; envFrom?: unknown }, s: EnvSources = sources): EffectiveEnv {
  return EffectiveEnv.of(container, 'kube-system', s);
}

describe('k8s/effective-env', () => {
  it('a literal env value; the last entry of a name wins; absent is absent', () => {
    const env = envOf({ env: [{ name: 'IP', value: 'autodetect' }, { name: 'IP', value: 'none' }] });
    assert.deepEqual(env.get('IP'), { kind: 'known', via: 'value', value: 'none', origin: 'env[1]', index: 1, raw: 'none' });
    assert.deepEqual(env.get('IP6'), { kind: 'absent' });
  });

  it('a YAML boolean is kept as raw, its value as the string the kubelet would pass', () => {
    const got = envOf({ env: [{ name: 'FELIX_IPV6SUPPORT', value: true }] }).get('FELIX_IPV6SUPPORT');
    assert.deepEqual(got, { kind: 'known', via: 'value', value: 'true', origin: 'env[0]', index: 0, raw: true });
  });

  it('envFrom sets variables; env overrides envFrom; a later envFrom overrides an earlier one', () => {
    const envFrom = [{ configMapRef: { name: 'pools' } }];
    assert.deepEqual(envOf({ envFrom }).get('NO_DEFAULT_POOLS'), { kind: 'known', via: 'envFrom', value: 'true', origin: 'envFrom[0] (ConfigMap pools)', index: undefined });
    assert.equal((envOf({ envFrom, env: [{ name: 'NO_DEFAULT_POOLS', value: 'false' }] }).get('NO_DEFAULT_POOLS') as { value: string }).value, 'false');
    assert.equal((envOf({ envFrom: [...envFrom, { configMapRef: { name: 'later' } }] }).get('NO_DEFAULT_POOLS') as { value: string }).value, 'false');
  });

  it('an envFrom prefix is part of the variable name', () => {
    const env = envOf({ envFrom: [{ prefix: 'X_', configMapRef: { name: 'pools' } }] });
    assert.deepEqual(env.get('NO_DEFAULT_POOLS'), { kind: 'absent' });
    assert.equal((env.get('X_NO_DEFAULT_POOLS') as { value: string }).value, 'true');
  });

  it('valueFrom through the ConfigMap lookup; unreadable ones are unknown with the reason', () => {
    const ref = (name: string, key: string, optional?: boolean) => ({ name: 'CALICO_NETWORKING_BACKEND', valueFrom: { configMapKeyRef: { name, key, ...(optional === undefined ? {} : { optional }) } } });
    assert.deepEqual(envOf({ env: [ref('calico-config', 'calico_backend')] }).get('CALICO_NETWORKING_BACKEND'),
      { kind: 'known', via: 'valueFrom', value: 'vxlan', origin: 'env[0] (ConfigMap calico-config key calico_backend)', index: 0 });
    const unreadable = envOf({ env: [ref('elsewhere', 'calico_backend')] }).get('CALICO_NETWORKING_BACKEND');
    assert.deepEqual(unreadable, { kind: 'unknown', origin: 'env[0] (ConfigMap elsewhere key calico_backend)', index: 0, reason: 'ConfigMap elsewhere cannot be read here' });
    const missingKey = envOf({ env: [ref('calico-config', 'nope')] }).get('CALICO_NETWORKING_BACKEND');
    assert.equal(missingKey.kind, 'unknown');
    assert.match((missingKey as { reason: string }).reason, /has no key nope, so the container would not start/);
  });

  it('an optional valueFrom that finds nothing sets nothing: the earlier entry or envFrom shows through', () => {
    const env = envOf({
      envFrom: [{ configMapRef: { name: 'pools' } }],
      env: [{ name: 'IP', valueFrom: { configMapKeyRef: { name: 'missing', key: 'ip', optional: true } } }],
    });
    assert.equal((env.get('IP') as { value: string; origin: string }).value, 'autodetect');
    const twice = envOf({ env: [{ name: 'IP', value: 'none' }, { name: 'IP', valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'ip', optional: true } } }] });
    assert.deepEqual(twice.get('IP'), { kind: 'known', via: 'value', value: 'none', origin: 'env[0]', index: 0, raw: 'none' });
  });

  it('a value wins over valueFrom; an empty value falls through to valueFrom, as in the kubelet', () => {
    const valueFrom = { configMapKeyRef: { name: 'calico-config', key: 'calico_backend' } };
    assert.equal((envOf({ env: [{ name: 'B', value: 'bird', valueFrom }] }).get('B') as { value: string }).value, 'bird');
    assert.equal((envOf({ env: [{ name: 'B', value: '', valueFrom }] }).get('B') as { value: string }).value, 'vxlan');
  });

  it('Secrets, pod fields and $(VAR) references are unknown, never guessed', () => {
    assert.match((envOf({ env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }).get('A') as { reason: string }).reason, /a Secret/);
    assert.match((envOf({ env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] }).get('A') as { reason: string }).reason, /a pod field/);
    assert.match((envOf({ env: [{ name: 'A', value: '$(B_SERVICE_HOST)' }] }).get('A') as { reason: string }).reason, /refers to \$\(B_SERVICE_HOST\), which cannot be known/);
    assert.match((envOf({ env: [{ name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'A', value: '$(S)' }] }).get('A') as { reason: string }).reason, /\$\(S\)/);
    assert.equal(envOf({ envFrom: [{ secretRef: { name: 's' } }] }).get('NO_DEFAULT_POOLS').kind, 'unknown');
  });

  it('$(VAR) is expanded as the kubelet does: from envFrom and earlier entries only; $$ escapes; undefined stays as written', () => {
    const value = (container: object, name: string) => (envOf(container).get(name) as { value?: string }).value;
    assert.equal(value({ env: [{ name: 'B', value: 'false' }, { name: 'FELIX_IPV6SUPPORT', value: '$(B)' }] }, 'FELIX_IPV6SUPPORT'), 'false');
    // A later entry is not yet defined when the earlier one is expanded (kubelet_pods.go: tmpEnv grows in order).
    assert.equal(value({ env: [{ name: 'A', value: '$(B)' }, { name: 'B', value: 'x' }] }, 'A'), '$(B)');
    assert.equal(value({ envFrom: [{ configMapRef: { name: 'calico-config' } }], env: [{ name: 'A', value: '$(calico_backend)-$$(x)' }] }, 'A'), 'vxlan-$(x)');
    assert.equal(value({ env: [{ name: 'A', value: 'cost $5 $(' }] }, 'A'), 'cost $5 $(');
  });

  it('an unreadable envFrom makes every variable it may set unknown, unless the caller narrows it', () => {
    const container = { envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }] };
    assert.deepEqual(envOf(container).get('NO_DEFAULT_POOLS'), { kind: 'unknown', origin: 'envFrom[0] (ConfigMap kubernetes-services-endpoint)', index: undefined, reason: 'ConfigMap kubernetes-services-endpoint may set it and cannot be read here' });
    assert.deepEqual(envOf(container).unreadableSourcesFor('NO_DEFAULT_POOLS'), ['envFrom[0] (ConfigMap kubernetes-services-endpoint)']);
    const narrowed: EnvSources = { ...sources, mayDefine: (cm, variable) => cm !== 'kubernetes-services-endpoint' || variable.startsWith('KUBERNETES_SERVICE_') };
    assert.deepEqual(envOf(container, narrowed).get('NO_DEFAULT_POOLS'), { kind: 'absent' });
    assert.deepEqual(envOf(container, narrowed).unreadableSourcesFor('NO_DEFAULT_POOLS'), []);
    assert.equal(envOf(container, narrowed).get('KUBERNETES_SERVICE_HOST').kind, 'unknown');
  });

  it('an optional envFrom ConfigMap known not to exist contributes nothing', () => {
    assert.deepEqual(envOf({ envFrom: [{ configMapRef: { name: 'missing', optional: true } }] }).get('NO_DEFAULT_POOLS'), { kind: 'absent' });
  });

  it('malformed entries are skipped, not thrown on; a key named like an Object property is not a key', () => {
    const env = envOf({ env: [null, 'IP=none', { value: 'x' }, { name: 'IP6', value: 'autodetect' }], envFrom: 'nope' });
    assert.equal((env.get('IP6') as { value: string }).value, 'autodetect');
    assert.deepEqual(env.get('IP'), { kind: 'absent' });
    assert.deepEqual(envOf({ envFrom: [{ configMapRef: { name: 'pools' } }] }).get('constructor'), { kind: 'absent' });
  });
});
