// Layers the configuration: embedded default < YAML file < environment < command-line flags.
import { readFileSync } from 'node:fs';
import { parseYaml } from '../text/yaml-parse.js';
import { ConfigError, validateConfig } from './validate.js';
import { DEFAULT_RAW_CONFIG, type RawConfig, type WebhookConfig } from './types.js';

/** Flat overrides, as flags and environment variables give them. */
export interface ConfigOverrides {
  mode?: string;
  podCIDR?: string;
  serviceCIDR?: string;
  clusterDNS?: string;
  routerID?: string;
  minImageVersion?: string;
  calicoVersion?: string;
  validationAction?: string;
  ipv4PodCIDR?: string;
  ipv6NATOutgoing?: string;
}

/** Environment variables that override the file; the flags override them in turn. */
const CONFIG_ENV: Readonly<Record<keyof ConfigOverrides, string>> = {
  mode: 'CALICO_IPV6_WEBHOOK_MODE',
  podCIDR: 'CALICO_IPV6_WEBHOOK_POD_CIDR',
  serviceCIDR: 'CALICO_IPV6_WEBHOOK_SERVICE_CIDR',
  clusterDNS: 'CALICO_IPV6_WEBHOOK_CLUSTER_DNS',
  routerID: 'CALICO_IPV6_WEBHOOK_ROUTER_ID',
  minImageVersion: 'CALICO_IPV6_WEBHOOK_KUBEDNS_MIN_IMAGE_VERSION',
  calicoVersion: 'CALICO_IPV6_WEBHOOK_CALICO_VERSION',
  validationAction: 'CALICO_IPV6_WEBHOOK_VALIDATION_ACTION',
  ipv4PodCIDR: 'CALICO_IPV6_WEBHOOK_IPV4_POD_CIDR',
  ipv6NATOutgoing: 'CALICO_IPV6_WEBHOOK_IPV6_NAT_OUTGOING',
};

function overridesFromEnv(env: NodeJS.ProcessEnv): ConfigOverrides {
  const out: ConfigOverrides = {};
  for (const [key, name] of Object.entries(CONFIG_ENV) as [keyof ConfigOverrides, string][]) {
    const value = env[name];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

function readConfigFile(path: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('--config', `cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError('--config', `${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('(top level)', `${path} must hold a mapping of configuration keys`);
  }
  return parsed as RawConfig;
}

export function mergeConfig(file: RawConfig, ...layers: ConfigOverrides[]): RawConfig {
  // A kubeDNS that is not a mapping is kept as written, so validation names it instead of it being lost.
  const kubeDNS = file.kubeDNS === undefined ? {} : file.kubeDNS;
  const merged: Record<string, unknown> = {
    ...DEFAULT_RAW_CONFIG,
    ...file,
    kubeDNS: isMapping(kubeDNS) ? { ...(DEFAULT_RAW_CONFIG.kubeDNS as Record<string, unknown>), ...kubeDNS } : kubeDNS,
  };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (key === 'minImageVersion') {
        merged.kubeDNS = { ...(isMapping(merged.kubeDNS) ? merged.kubeDNS : {}), minImageVersion: value };
      }
      else merged[key] = value;
    }
  }
  return merged as RawConfig;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface ConfigSource {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  flags?: ConfigOverrides;
}

/** Reads and validates the whole stack; throws ConfigError naming the key. */
export function loadConfig(source: ConfigSource): WebhookConfig {
  const file = source.file ? readConfigFile(source.file) : {};
  return validateConfig(mergeConfig(file, overridesFromEnv(source.env ?? {}), source.flags ?? {}));
}
