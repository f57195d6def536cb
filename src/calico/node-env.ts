// How calico-node itself reads each environment variable the rules depend on. Every variable has its own
// parser upstream, and they disagree ("1" is true for Felix and for NAT outgoing, but not for
// NO_DEFAULT_POOLS), so each one is mirrored here with the source line it follows.

/**
 * NO_DEFAULT_POOLS: `strings.ToLower(os.Getenv("NO_DEFAULT_POOLS")) == "true"`
 * (projectcalico/calico node/pkg/lifecycle/startup/startup.go:910). "1", "t" and "yes" are false.
 */
export function noDefaultPools(value: string | undefined): boolean {
  return value !== undefined && value.toLowerCase() === 'true';
}

/**
 * evaluateENVBool (startup.go:842-858), used for CALICO_IPV{4,6}POOL_NAT_OUTGOING and _DISABLE_BGP_EXPORT:
 * unset gives the default; a set value is false only for "false", "0", "no", "n", "f" (any case), and true
 * for anything else, the empty string included.
 */
export function startupBool(value: string | undefined, defaultValue: boolean): boolean {
  if (value === undefined) return defaultValue;
  return !['false', '0', 'no', 'n', 'f'].includes(value.toLowerCase());
}

/** CALICO_IPV6POOL_NAT_OUTGOING defaults to false (startup.go:1073); the IPv4 pool's to true (startup.go:1065). */
export const NAT_OUTGOING_DEFAULT = { ipv4: true, ipv6: false } as const;

/**
 * Felix's BoolParam (felix/config/param_types.go:91-99), e.g. FELIX_IPV6SUPPORT: "true", "1", "yes", "y",
 * "t" are true and "false", "0", "no", "n", "f" false, in any case; anything else is invalid (undefined).
 */
export function felixBool(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  if (['true', '1', 'yes', 'y', 't'].includes(lower)) return true;
  if (['false', '0', 'no', 'n', 'f'].includes(lower)) return false;
  return undefined;
}

export type EncapMode = 'Never' | 'CrossSubnet' | 'Always';

/**
 * CALICO_IPV4POOL_IPIP / CALICO_IPV{4,6}POOL_VXLAN as createIPPool parses them (startup.go:1088-1111):
 * unset, "", "off", "never" are Never; "crosssubnet", "cross-subnet" CrossSubnet; "always" Always (any case).
 * Anything else makes calico-node exit: undefined.
 */
export function poolEncapMode(value: string | undefined): EncapMode | undefined {
  switch ((value ?? '').toLowerCase()) {
    case '':
    case 'off':
    case 'never':
      return 'Never';
    case 'crosssubnet':
    case 'cross-subnet':
      return 'CrossSubnet';
    case 'always':
      return 'Always';
    default:
      return undefined;
  }
}

export type NetworkingBackend = 'bird' | 'vxlan' | 'none';

/**
 * CALICO_NETWORKING_BACKEND as the image's start script reads it (node/filesystem/etc/rc.local:45-61):
 * exactly "none" or "vxlan" run no BGP daemon; anything else (unset included) starts BIRD and confd.
 * The legacy CALICO_NETWORKING="false" means none, any other value bird (rc.local:2-9).
 */
export function networkingBackend(backend: string | undefined, legacy?: string): NetworkingBackend {
  let value = backend;
  if (legacy !== undefined && legacy !== '') value = legacy === 'false' ? 'none' : 'bird';
  return value === 'none' || value === 'vxlan' ? value : 'bird';
}

/**
 * Whether calico-node runs BIRD, and with it confd, the only reader of CALICO_ROUTER_ID (it writes BIRD's
 * `router id`: confd/pkg/backends/calico/bgp_processor.go:192-207, the bird/bird6 templates before).
 * rc.local:45-61 starts bird, bird6 and confd for every backend but "none" and "vxlan".
 */
export function runsBird(backend: NetworkingBackend): boolean {
  return backend === 'bird';
}

/**
 * FELIX_PROGRAMCLUSTERROUTES as Felix parses it (a oneof, case-insensitive: felix/config/param_types.go
 * v3.31.0:706-712; env names are case-insensitive too, env_var_loader.go v3.31.0:25-38). "Enabled" makes Felix
 * program the unencapsulated cluster routes itself, IPv6 included when the node has no IPv6 VXLAN pool
 * (felix/dataplane/linux/int_dataplane.go v3.31.0:687-724); the parameter exists from v3.31.0
 * (config_params.go v3.31.0:303, default "Disabled"). On master it gained EnabledIPIPOnly and EnabledNoEncapOnly
 * (commit f473f52b8b, unreleased), which no release accepts: only "Enabled" counts here.
 */
export function felixProgramsClusterRoutes(value: string | undefined): boolean {
  return value !== undefined && value.toLowerCase() === 'enabled';
}

export type PoolCidrSetting = { kind: 'none' } | { kind: 'default' } | { kind: 'cidr'; text: string };

/**
 * CALICO_IPV{4,6}POOL_CIDR (startup.go:907-935): exactly "none" skips the pool (calico/node >= v3.29.0, where
 * commit 30c5eb8111 added it; older releases parse "none" as a CIDR and exit); unset or empty means the
 * default pool (kubeadm's podSubnet, else 192.168.0.0/16 for IPv4 or a random ULA /48 for IPv6).
 */
export function poolCidrSetting(value: string | undefined): PoolCidrSetting {
  if (value === undefined || value === '') return { kind: 'default' };
  if (value === 'none') return { kind: 'none' };
  return { kind: 'cidr', text: value };
}

export type AddressSetting = 'autodetect' | 'none' | 'unset' | 'literal';

/**
 * IP and IP6 (startup.go:625-681), compared exactly (case matters): "autodetect", "none", "" or a literal.
 * The two differ on "": IP="" autodetects IPv4 when the node has no stored address, IP6="" leaves IPv6 off.
 */
export function addressSetting(value: string | undefined): AddressSetting {
  if (value === undefined || value === '') return 'unset';
  if (value === 'autodetect' || value === 'none') return value;
  return 'literal';
}

/** Block sizes (startup.go:57-58 defaults, 809-826 bounds). */
export const BLOCK_SIZE = { ipv4: { default: 26, min: 20, max: 32 }, ipv6: { default: 122, min: 116, max: 128 } } as const;
