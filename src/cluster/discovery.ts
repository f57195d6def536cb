// Cluster discovery for the webhook (`serve --discovery`): watches where the cluster publishes its
// network settings (kubeadm-config, kube-proxy, kubelet-config, Nodes), the calico-node DaemonSets and
// the ConfigMaps their env reads. Configured values always win: a difference is reported (admission
// warning, metric, /readyz?verbose), never resolved silently.
import { Gauge, type Registry } from 'prom-client';
import type { ClusterView } from '../admission/handler.js';
import type { WebhookConfig } from '../config/types.js';
import { clipWarning } from '../engine/verdict.js';
import { cidrHolds, parseIpv6Cidr, isIpv4Cidr } from '../net/ranges.js';
import { bindAddressFits, kubeProxySettings } from '../targets/kube-proxy/settings.js';
import { TARGETS, calicoVersionOfObject } from '../targets/registry.js';
import type { Target } from '../targets/target.js';
import { FELIX_CONFIGURATIONS, felixConfigurationsEnableClusterRoutes } from './felix-configuration.js';
import { KUBE_SYSTEM, isRecord, nameOf, stringData, type KubeObject } from '../k8s/object.js';
import { formatVersion, type Version } from '../k8s/versions.js';
import type { Logger } from '../observability/logger.js';
import { compareCidrList, compareDnsList } from '../targets/shared/compare.js';
import { ApiError, loadKubeConfig } from './client.js';
import {
  KUBEADM_CONFIG, KUBELET_CONFIG, KUBE_PROXY_CONFIG, SETTINGS_CONFIGMAPS,
  kubeadmNetworking, kubeletSettingsFromConfigMap, nodePodCidrs,
} from './settings.js';
import { configMapRefs } from './targets.js';
import { CONFIGMAPS } from './resources.js';
import { KubeWatchSource, describeTarget, type WatchHandle, type WatchSource, type WatchTarget } from './watch.js';

/** The target objects discovery keeps current in each namespace: those the targets mark `watch`. */
export function targetWatches(namespaces: readonly string[], targets: readonly Target[] = TARGETS): WatchTarget[] {
  const out: WatchTarget[] = [];
  for (const target of targets) {
    for (const api of target.resources.filter((r) => r.watch)) {
      const names = api.names === 'any' ? [undefined] : api.names;
      for (const namespace of api.namespaced ? namespaces : [undefined]) {
        for (const name of names) out.push({ resource: api.resource, api, namespace, name });
      }
    }
  }
  return out;
}

const configMap = (namespace: string, name: string): WatchTarget => ({ resource: CONFIGMAPS.resource, api: CONFIGMAPS, namespace, name });

/** One difference between the configuration and what the cluster says. */
export interface Mismatch {
  /** The configuration key it concerns: podCIDR, serviceCIDR, clusterDNS, mode. */
  setting: string;
  /** Where the cluster says otherwise, e.g. `kubeadm-config`, `kube-proxy`, `nodes`. */
  source: string;
  message: string;
}

interface WatchState {
  target: WatchTarget;
  /** Part of the initial set that readiness waits for (on-demand ConfigMaps are not). */
  initial: boolean;
  handle?: WatchHandle;
  objects: KubeObject[];
  synced: boolean;
  updates: number;
  error?: ApiError;
}

export interface DiscoveryOptions {
  source: WatchSource;
  /** Namespaces whose calico-node DaemonSets and ConfigMaps are watched (kube-system's settings always are). */
  namespaces: string[];
  config: () => WebhookConfig;
  logger?: Logger;
  /** How long readiness waits for the first list of every watch; after that, discovery never blocks it. */
  syncTimeoutMs?: number;
  /** Where the discovery gauges are registered (the server's registry). */
  registry?: Registry;
  /** The registry's targets unless a test brings others. */
  targets?: readonly Target[];
}

const key = (target: WatchTarget) => ('api' in target ? [target.resource, target.namespace, target.name ?? '*'].filter((p) => p !== undefined).join('/') : 'nodes');

export class ClusterDiscovery implements ClusterView {
  private readonly watches = new Map<string, WatchState>();
  private startedAt = 0;
  private running = false;
  private lastLoggedMismatches = '';
  /** Bumped on every watch update; with the configuration object it keys the cached comparison. */
  private generation = 0;
  private cached: { generation: number; config: WebhookConfig; list: Mismatch[] } | undefined;
  private felixRoutes: { objects: readonly KubeObject[]; enabled: boolean } | undefined;

  constructor(private readonly options: DiscoveryOptions) {
    if (options.registry) this.registerMetrics(options.registry);
  }

  get namespaces(): string[] {
    return [...new Set(this.options.namespaces)];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = Date.now();
    this.add({ resource: 'nodes' }, true);
    for (const name of SETTINGS_CONFIGMAPS) this.add(configMap(KUBE_SYSTEM, name), true);
    for (const target of targetWatches(this.namespaces, this.options.targets)) this.add(target, true);
    // Not initial: a cluster without the Calico CRDs (or without the RBAC) must not keep the webhook unready.
    this.add(FELIX_CONFIGURATIONS, false);
  }

  stop(): void {
    this.running = false;
    for (const state of this.watches.values()) state.handle?.stop();
    this.watches.clear();
  }

  /** Resolves true once every initial watch has listed, false after timeoutMs. */
  async waitForSync(timeoutMs = this.options.syncTimeoutMs ?? 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.pendingInitial().length === 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.pendingInitial().length === 0;
  }

  private add(target: WatchTarget, initial: boolean): void {
    const id = key(target);
    if (this.watches.has(id) || !this.running) return;
    const state: WatchState = { target, initial, objects: [], synced: false, updates: 0 };
    this.watches.set(id, state);
    state.handle = this.options.source.watch(target, {
      onObjects: (objects) => {
        state.objects = objects;
        state.synced = true;
        state.updates += 1;
        this.generation += 1;
        delete state.error;
        this.followReferences(objects);
        this.logMismatches();
      },
      onError: (error) => {
        // No FelixConfiguration CRD (a cluster without Calico yet): no such objects, which is known, not an error.
        if (error.code === 404 && target === FELIX_CONFIGURATIONS) {
          if (!state.synced || state.objects.length > 0 || state.error) this.generation += 1;
          state.objects = [];
          state.synced = true;
          delete state.error;
          return;
        }
        const changed = state.error?.message !== error.message;
        state.error = error;
        if (changed) this.options.logger?.warn({ watch: describeTarget(target), error: error.message }, 'cluster discovery: watch failed; retrying');
      },
    });
  }

  /** A watched workload (calico-node) may read any ConfigMap in its namespace through valueFrom: watch those too. */
  private followReferences(objects: KubeObject[]): void {
    for (const object of objects) {
      for (const ref of configMapRefs(object)) {
        if (this.namespaces.includes(ref.namespace)) this.add(configMap(ref.namespace, ref.name), false);
      }
    }
  }

  private objects(target: WatchTarget): KubeObject[] {
    return this.watches.get(key(target))?.objects ?? [];
  }

  private configMap(namespace: string, name: string): KubeObject | undefined {
    return this.objects(configMap(namespace, name)).find((o) => nameOf(o) === name);
  }

  private pendingInitial(): WatchState[] {
    return [...this.watches.values()].filter((s) => s.initial && !s.synced);
  }

  // ---- ClusterView ---------------------------------------------------------------------------

  lookupConfigMapKey(namespace: string, name: string, dataKey: string): string | undefined {
    const watched = this.watches.get(key(configMap(namespace, name)));
    if (!watched) {
      // First sight of this ConfigMap (a DaemonSet being created refers to it): watch it from now on.
      if (this.namespaces.includes(namespace)) this.add(configMap(namespace, name), false);
      return undefined;
    }
    const cm = watched.objects.find((o) => nameOf(o) === name);
    const value = cm && isRecord(cm.data) ? cm.data[dataKey] : undefined;
    return typeof value === 'string' ? value : undefined;
  }

  /** The whole ConfigMap for envFrom: its data once its watch has listed (null when it does not exist). */
  lookupConfigMap(namespace: string, name: string): Readonly<Record<string, string>> | null | undefined {
    const watched = this.watches.get(key(configMap(namespace, name)));
    if (!watched) {
      if (this.namespaces.includes(namespace)) this.add(configMap(namespace, name), false);
      return undefined;
    }
    if (!watched.synced) return undefined;
    const cm = watched.objects.find((o) => nameOf(o) === name);
    return cm ? stringData(cm) : null;
  }

  /**
   * Known Enabled only from a current list (not after a watch error); anything else is unknown, so false.
   * Every review asks, and a cluster may keep a FelixConfiguration per node: the answer is kept per list.
   */
  felixConfigurationClusterRoutes(): boolean {
    const state = this.watches.get(key(FELIX_CONFIGURATIONS));
    if (state === undefined || !state.synced || state.error !== undefined) return false;
    if (this.felixRoutes?.objects !== state.objects) this.felixRoutes = { objects: state.objects, enabled: felixConfigurationsEnableClusterRoutes(state.objects) };
    return this.felixRoutes.enabled;
  }

  calicoVersion(): Version | undefined {
    for (const target of targetWatches(this.namespaces, this.options.targets)) {
      for (const object of this.objects(target)) {
        const version = calicoVersionOfObject(object, this.options.targets);
        if (version) return version;
      }
    }
    return undefined;
  }

  mismatches(): string[] {
    return this.mismatchList().map((m) => clipWarning(m.message));
  }

  // ---- comparisons -----------------------------------------------------------------------------

  /** Cached between watch updates and configuration reloads: reviews ask on every target object. */
  mismatchList(): Mismatch[] {
    const config = this.options.config();
    if (this.cached?.generation === this.generation && this.cached.config === config) return this.cached.list;
    const list = this.compare(config);
    this.cached = { generation: this.generation, config, list };
    return list;
  }

  private compare(config: WebhookConfig): Mismatch[] {
    const out: Mismatch[] = [];
    const say = (setting: string, source: string, text: string) =>
      out.push({ setting, source, message: `cluster discovery: ${text}; the configured ${setting} is used` });

    const kubeadm = this.configMap(KUBE_SYSTEM, KUBEADM_CONFIG);
    if (kubeadm) {
      const parsed = kubeadmNetworking(kubeadm);
      if (parsed.ok) {
        const pod = parsed.value.podSubnet.length ? compareCidrList(parsed.value.podSubnet, config.podCIDR, config.mode) : undefined;
        if (pod && !pod.ok) say('podCIDR', KUBEADM_CONFIG, `${KUBEADM_CONFIG} networking.podSubnet ${pod.reason}`);
        const svc = parsed.value.serviceSubnet.length ? compareCidrList(parsed.value.serviceSubnet, config.serviceCIDR, config.mode) : undefined;
        if (svc && !svc.ok) say('serviceCIDR', KUBEADM_CONFIG, `${KUBEADM_CONFIG} networking.serviceSubnet ${svc.reason}`);
      }
    }

    const proxy = this.configMap(KUBE_SYSTEM, KUBE_PROXY_CONFIG);
    if (proxy) {
      const parsed = kubeProxySettings(proxy);
      if (parsed.ok) {
        const cidr = parsed.value.clusterCIDR.length ? compareCidrList(parsed.value.clusterCIDR, config.podCIDR, config.mode) : undefined;
        if (cidr && !cidr.ok) say('podCIDR', KUBE_PROXY_CONFIG, `${KUBE_PROXY_CONFIG} clusterCIDR ${cidr.reason}`);
        const bind = parsed.value.bindAddress;
        if (config.mode === 'ipv6-only' && !bindAddressFits(bind, config.mode)) {
          say('mode', KUBE_PROXY_CONFIG, `${KUBE_PROXY_CONFIG} bindAddress is ${bind ?? 'not set (0.0.0.0)'}, but an ipv6-only cluster needs ::`);
        }
      }
    }

    const kubelet = this.configMap(KUBE_SYSTEM, KUBELET_CONFIG);
    if (kubelet) {
      const parsed = kubeletSettingsFromConfigMap(kubelet);
      if (parsed.ok && parsed.value.clusterDNS.length > 0) {
        const dns = compareDnsList(parsed.value.clusterDNS, config.clusterDNS, config.mode);
        if (!dns.ok) say('clusterDNS', KUBELET_CONFIG, `${KUBELET_CONFIG} clusterDNS ${dns.reason}`);
      }
    }

    const outside: string[] = [];
    const ipv4: string[] = [];
    for (const node of this.objects({ resource: 'nodes' })) {
      for (const cidr of nodePodCidrs(node)) {
        const parsed = parseIpv6Cidr(cidr);
        if (parsed.ok && !cidrHolds(config.podCIDR, parsed.cidr)) outside.push(`${nameOf(node) ?? '?'} ${cidr}`);
        else if (!parsed.ok && isIpv4Cidr(cidr) && config.mode === 'ipv6-only') ipv4.push(`${nameOf(node) ?? '?'} ${cidr}`);
      }
    }
    const listed = (items: string[]) => `${items.slice(0, 3).join(', ')}${items.length > 3 ? ` and ${items.length - 3} more` : ''}`;
    if (outside.length > 0) say('podCIDR', 'nodes', `Node spec.podCIDRs outside podCIDR ${config.podCIDR.text}: ${listed(outside)}`);
    if (ipv4.length > 0) say('mode', 'nodes', `Node spec.podCIDRs are IPv4 in an ipv6-only cluster: ${listed(ipv4)}`);
    return out;
  }

  private logMismatches(): void {
    const messages = this.mismatchList().map((m) => m.message);
    const text = messages.join('\n');
    if (text === this.lastLoggedMismatches) return;
    this.lastLoggedMismatches = text;
    if (messages.length > 0) this.options.logger?.warn({ mismatches: messages }, 'cluster discovery: the cluster disagrees with the configuration');
    else this.options.logger?.info('cluster discovery: the cluster agrees with the configuration');
  }

  // ---- readiness and metrics ---------------------------------------------------------------------

  /** Not ready only while the first lists are pending, and never longer than syncTimeoutMs. */
  notReadyReasons(): string[] {
    const pending = this.pendingInitial();
    if (pending.length === 0 || Date.now() - this.startedAt >= (this.options.syncTimeoutMs ?? 10_000)) return [];
    return [`cluster discovery: waiting for the first list of ${pending.map((s) => describeTarget(s.target)).join(', ')}`];
  }

  details(): string[] {
    const config = this.options.config();
    const lines: string[] = [];
    for (const state of this.watches.values()) {
      const status = state.error ? `error: ${state.error.message} (retrying)` : state.synced ? `synced, ${state.objects.length} object${state.objects.length === 1 ? '' : 's'}, ${state.updates} update${state.updates === 1 ? '' : 's'}` : 'listing';
      lines.push(`discovery: watch ${describeTarget(state.target)}: ${status}`);
    }
    const version = this.calicoVersion();
    lines.push(`discovery: configured podCIDR ${config.podCIDR.text}, serviceCIDR ${config.serviceCIDR.text}, clusterDNS ${config.clusterDNS.toString()}, mode ${config.mode}`);
    lines.push(`discovery: calico/node version ${version ? formatVersion(version) : 'unknown'} (from the DaemonSet image)`);
    const mismatches = this.mismatchList();
    if (mismatches.length === 0) lines.push('discovery: no mismatch between the configuration and the cluster');
    for (const m of mismatches) lines.push(`discovery: mismatch: ${m.message}`);
    return lines;
  }

  private registerMetrics(registry: Registry): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const discovery = this;
    new Gauge({
      name: 'calico_ipv6_webhook_discovery_mismatch',
      help: 'Differences between the configuration and the cluster found by discovery: 1 per (setting, source) that disagrees.',
      labelNames: ['setting', 'source'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const m of discovery.mismatchList()) this.set({ setting: m.setting, source: m.source }, 1);
      },
    });
    new Gauge({
      name: 'calico_ipv6_webhook_discovery_watch_synced',
      help: 'Per discovery watch: 1 when its objects are current, 0 while listing or after an error.',
      labelNames: ['watch'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const state of discovery.watches.values()) this.set({ watch: describeTarget(state.target) }, state.synced && !state.error ? 1 : 0);
      },
    });
  }
}

export interface StartDiscoveryOptions extends Omit<DiscoveryOptions, 'source'> {
  /** --kubeconfig; default as kubectl finds it, in a pod the ServiceAccount. */
  kubeconfig?: string | undefined;
}

/** `serve --discovery`: a discovery on the real cluster, started. Throws ClusterAccessError without a kubeconfig. */
export function startClusterDiscovery(options: StartDiscoveryOptions): ClusterDiscovery {
  const discovery = new ClusterDiscovery({ ...options, source: new KubeWatchSource(loadKubeConfig(options.kubeconfig)) });
  discovery.start();
  return discovery;
}
