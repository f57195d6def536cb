// Reading objects back from the test API server, and switching the webhook's configuration: what every
// e2e suite that applies manifests does.
import assert from 'node:assert/strict';
import { calicoNodeEnv } from '../../support/reviews.js';
import { waitFor } from '../../support/wait.js';
import type { TestCluster } from './cluster.js';
import { counterSum, writeConfig, type WebhookProcess } from './webhook.js';

/** The guide's example cluster, as the e2e suites configure the webhook. */
export const E2E_CONFIG = {
  mode: 'ipv6-only', podCIDR: 'fd20::/112', serviceCIDR: 'fd00:10:96::/112', clusterDNS: 'fd00:10:96::a',
  routerID: 'hash', kubeDNS: { minImageVersion: '1.14.8' }, calicoVersion: 'auto', validationAction: 'deny',
} as const;

export async function getJson<T>(cluster: TestCluster, args: string[]): Promise<T> {
  const r = await cluster.kubectl(['get', ...args, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}


/** The stored env of one container of a DaemonSet, by name. */
export async function daemonSetEnv(cluster: TestCluster, daemonSet: string, namespace: string, container = 'calico-node'): Promise<Map<string, string | undefined>> {
  const ds = await getJson<{ spec: { template: { spec: { containers: { name: string }[] } } } }>(cluster, ['daemonset', daemonSet, '-n', namespace]);
  assert.ok(ds.spec.template.spec.containers.some((c) => c.name === container), `${container} container`);
  return calicoNodeEnv(ds, container);
}

/** Rewrites the config file and waits until the server has reloaded it (its reload counter moves). */
export async function reconfigure(webhook: WebhookProcess, configPath: string, values: Record<string, unknown>): Promise<void> {
  const before = counterSum(await webhook.metrics(), 'calico_ipv6_webhook_reloads_total', { what: 'config', result: 'ok' });
  await writeConfig(configPath, values);
  await waitFor('the webhook to reload its configuration', async () =>
    (counterSum(await webhook.metrics(), 'calico_ipv6_webhook_reloads_total', { what: 'config', result: 'ok' }) > before ? true : undefined));
}
