// Loading the kubeconfig, and API errors in one shape.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import { ApiError, ClusterAccessError, apiError, loadKubeConfig } from '../../../src/cluster/client.js';

const dir = mkdtempSync(join(tmpdir(), 'ciw-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(user: Record<string, unknown>, server = 'https://127.0.0.1:6443'): string {
  const path = join(dir, `k${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server } }], users: [{ name: 'u', user }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
  }));
  return path;
}

describe('loadKubeConfig', () => {
  it('loads --kubeconfig, impersonation (as:) included', () => {
    const kc = loadKubeConfig(kubeconfig({ token: 't', as: 'system:serviceaccount:ns:sa' }));
    assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
    assert.equal(kc.getCurrentUser()?.impersonateUser, 'system:serviceaccount:ns:sa');
  });

  it('--context picks another context; an unknown one is named, with the contexts there are', () => {
    const path = join(dir, 'two-contexts');
    writeFileSync(path, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'a', users: [{ name: 'u', user: { token: 't' } }],
      clusters: [{ name: 'a', cluster: { server: 'https://127.0.0.1:1' } }, { name: 'b', cluster: { server: 'https://[fd00::1]:6443' } }],
      contexts: [{ name: 'a', context: { cluster: 'a', user: 'u' } }, { name: 'b', context: { cluster: 'b', user: 'u' } }],
    }));
    assert.equal(loadKubeConfig(path).getCurrentCluster()?.server, 'https://127.0.0.1:1');
    assert.equal(loadKubeConfig(path, 'b').getCurrentCluster()?.server, 'https://[fd00::1]:6443');
    assert.throws(() => loadKubeConfig(path, 'c'), (e: unknown) => e instanceof ClusterAccessError && /no context "c" in the kubeconfig .*\(it has: a, b\)/.test(e.message));
  });

  it('a missing file is a ClusterAccessError naming it', () => {
    assert.throws(() => loadKubeConfig(join(dir, 'missing')), (e: unknown) => e instanceof ClusterAccessError && e.message.includes('missing'));
  });
});

describe('apiError', () => {
  it('keeps the status code and the API server\'s message', () => {
    const e = apiError(new ApiException(403, 'Forbidden', JSON.stringify({ kind: 'Status', message: 'configmaps "x" is forbidden' }), {}));
    assert.deepEqual([e.code, e.message, e.forbidden], [403, 'HTTP 403: configmaps "x" is forbidden', true]);
  });

  it('a request that never got an answer is code 0', () => {
    assert.equal(apiError(new Error('connect ECONNREFUSED 127.0.0.1:1')).code, 0);
    const abort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    assert.deepEqual([apiError(abort).code, apiError(abort).message], [0, 'timed out']);
    const same = new ApiError(404, 'x');
    assert.equal(apiError(same), same);
  });
});
