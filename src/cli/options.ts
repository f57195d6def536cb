// Command-line parsing shared by every subcommand: the configuration flags, and usage errors (exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ConfigOverrides, ConfigSource } from '../config/load.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flags that set configuration keys; each names the key it overrides. */
export const CONFIG_FLAGS = {
  config: { type: 'string' },
  mode: { type: 'string' },
  'pod-cidr': { type: 'string' },
  'service-cidr': { type: 'string' },
  'cluster-dns': { type: 'string' },
  'router-id': { type: 'string' },
  'calico-version': { type: 'string' },
  'validation-action': { type: 'string' },
  'kube-dns-min-version': { type: 'string' },
  'ipv4-pod-cidr': { type: 'string' },
  'ipv6-nat-outgoing': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export type ParsedValues = Record<string, string | boolean | undefined>;

export function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>, allowPositionals = true): { values: ParsedValues; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
    return { values: parsed.values as ParsedValues, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function str(values: ParsedValues, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

export function configSource(values: ParsedValues, env: NodeJS.ProcessEnv): ConfigSource {
  const flags: ConfigOverrides = {
    mode: str(values, 'mode'),
    podCIDR: str(values, 'pod-cidr'),
    serviceCIDR: str(values, 'service-cidr'),
    clusterDNS: str(values, 'cluster-dns'),
    routerID: str(values, 'router-id'),
    calicoVersion: str(values, 'calico-version'),
    validationAction: str(values, 'validation-action'),
    minImageVersion: str(values, 'kube-dns-min-version'),
    ipv4PodCIDR: str(values, 'ipv4-pod-cidr'),
    ipv6NATOutgoing: str(values, 'ipv6-nat-outgoing'),
  };
  return { file: str(values, 'config') ?? env.CALICO_IPV6_WEBHOOK_CONFIG, env, flags };
}

export function numberFlag(values: ParsedValues, key: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const text = str(values, key);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`--${key} must be a number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

export { str as stringFlag };

export const CONFIG_HELP = `Configuration (file keys; flags and CALICO_IPV6_WEBHOOK_* variables override the file):
  --config FILE                 YAML file with the keys below (env CALICO_IPV6_WEBHOOK_CONFIG)
  --mode ipv6-only|dual-stack   mode (default ipv6-only)
  --pod-cidr CIDR               podCIDR: the IPv6 --cluster-cidr (default fd20::/112)
  --service-cidr CIDR           serviceCIDR: the IPv6 --service-cluster-ip-range (default fd00:10:96::/112)
  --cluster-dns ADDRESS         clusterDNS: the kubelet's --cluster-dns (default fd00:10:96::a)
  --router-id hash|require      routerID (default hash)
  --calico-version auto|vX.Y.Z  calicoVersion (default auto: read the calico/node image tag)
  --validation-action deny|warn validationAction (default deny)
  --kube-dns-min-version X.Y.Z  kubeDNS.minImageVersion (default 1.14.8)
  --ipv4-pod-cidr CIDR          ipv4PodCIDR: the IPv4 --cluster-cidr; required in dual-stack, refused otherwise
  --ipv6-nat-outgoing auto|true|false
                                ipv6NATOutgoing: CALICO_IPV6POOL_NAT_OUTGOING (default auto: true for a ULA podCIDR)`;
