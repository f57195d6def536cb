// Which Calico release a manifest runs, and what each release supports for IPv6.
import { atLeast, formatVersion, parseImage, parseVersion, version, type Version } from '../../k8s/versions.js';
import type { RuleContext } from '../target.js';

/** First calico/node release with each capability the rules depend on. */
export const CALICO_FEATURES = {
  /** IP=none (IPv6-only nodes). */
  ipNone: version(3, 2, 0),
  /** CALICO_IPV6POOL_BLOCK_SIZE; before it the pool must be /122 or larger. */
  poolBlockSize: version(3, 3, 0),
  /** CALICO_ROUTER_ID=hash. */
  routerIdHash: version(3, 6, 2),
  /**
   * Router-ID hashing that cannot land in 224.0.0.0/4: hashToIPv4 moves a first octet above 223 down by 32
   * (confd/pkg/resource/template/template_funcs.go, commit ffdcee5baf "fix: update hashToIPV4 method", first in
   * v3.25.0; today confd/pkg/resource/template/util.go HashToIPv4). Before, peers refuse it: projectcalico/calico#5146.
   */
  routerIdHashSafe: version(3, 25, 0),
  /** host-local `usePodCidrIPv6`. */
  usePodCidrIPv6: version(3, 22, 0),
  /** IPv6 over VXLAN (CALICO_IPV6POOL_VXLAN, calico_backend vxlan for IPv6). */
  vxlanIPv6: version(3, 23, 0),
  /** CALICO_IPV4POOL_CIDR=none (startup.go:925-929; commit 30c5eb8111, first in v3.29.0). */
  ipv4PoolNone: version(3, 29, 0),
  /**
   * IPv6 in the eBPF data plane, one family at a time. Felix turns BPF IPv6 on with IPv6 support from v3.27.0
   * (felix/dataplane/driver.go v3.27.0:325, BPFIpv6Enabled = Ipv6Support && BPFEnabled), and then runs the
   * IPv6 family only (felix/dataplane/linux/int_dataplane.go v3.27.0:654-658, ipFamily = 6). Before, v3.26
   * had a tech-preview FELIX_BPFIPV6SUPPORT (config_params.go v3.26.0:237, default false).
   */
  bpfIPv6: version(3, 27, 0),
  /** Both families in the eBPF data plane: maps for IPv4 and IPv6 (int_dataplane.go v3.28.0:672, CreateBPFMaps(BPFIpv6Enabled)). */
  bpfDualStack: version(3, 28, 0),
  /**
   * FELIX_PROGRAMCLUSTERROUTES=Enabled: Felix programs unencapsulated cluster routes, IPv6 too, so no BIRD is
   * needed for them (felix/config/config_params.go v3.31.0:303; commits 286c658423, 9a95b18826, f744570f45).
   */
  felixClusterRoutes: version(3, 31, 0),
  /** The operator reconciles Installation ipPools after install (tigera/operator v1.35, shipping Calico v3.28.1). */
  operatorPoolController: version(3, 28, 1),
} as const satisfies Record<string, Version>;

/** Treated as newer than any release: `master`, `latest` and their arch variants are development builds. */
export const NEWEST: Version = version(99, 0, 0);

export interface ResolvedVersion {
  version: Version;
  /** How it was found, for messages: `image tag v3.24.0`, `calicoVersion`, ... */
  source: string;
  /** Set when the version was assumed rather than read. */
  warning?: string;
}

const DEVELOPMENT_TAGS = /^(master|latest|main)(-[a-z0-9]+)?$/;

/** The version a calico/node (or cni) image tag names, if it names one. */
export function versionFromImage(image: string): Version | 'newest' | undefined {
  const ref = parseImage(image);
  if (ref.tag === undefined) return undefined;
  if (DEVELOPMENT_TAGS.test(ref.tag)) return 'newest';
  const releaseBranch = /^release-(v\d+\.\d+)/.exec(ref.tag);
  return parseVersion(releaseBranch?.[1] ?? ref.tag.replace(/-(amd64|arm64|ppc64le|s390x)$/, ''));
}

/**
 * The image tag wins when it is readable; a digest or unknown tag falls back to the configured
 * calicoVersion, then to a version known from elsewhere, then to the newest, each with a warning.
 */
export function resolveCalicoVersion(image: unknown, ctx: RuleContext): ResolvedVersion {
  if (typeof image === 'string') {
    const fromTag = versionFromImage(image);
    if (fromTag === 'newest') return { version: NEWEST, source: `image ${image} (development tag, treated as newest)` };
    if (fromTag) return { version: fromTag, source: `image tag ${formatVersion(fromTag)}` };
  }
  return assumedCalicoVersion(ctx, typeof image === 'string' ? `the image ${image} names no version` : 'no calico/node image');
}

function assumedCalicoVersion(ctx: RuleContext, why: string): ResolvedVersion {
  const configured = ctx.config.calicoVersion;
  if (configured) {
    return { version: configured, source: 'calicoVersion', warning: `${why}; assuming Calico ${formatVersion(configured)} from calicoVersion` };
  }
  if (ctx.calicoVersionHint) {
    const hint = ctx.calicoVersionHint;
    return { version: hint, source: 'calico/node image', warning: `${why}; assuming Calico ${formatVersion(hint)} from the calico/node image` };
  }
  return { version: NEWEST, source: 'assumed newest', warning: `${why}; assuming a current Calico release (set calicoVersion to be exact)` };
}

/** The Calico version for objects that carry no image (calico-config): configuration first, then a hint. */
export function knownCalicoVersion(ctx: RuleContext): Version | undefined {
  return ctx.config.calicoVersion ?? ctx.calicoVersionHint;
}

export function supports(v: Version, feature: keyof typeof CALICO_FEATURES): boolean {
  return atLeast(v, CALICO_FEATURES[feature]);
}

export function describeVersion(v: Version): string {
  return v === NEWEST || v.major >= 99 ? 'a development build' : formatVersion(v);
}

/**
 * projectcalico/calico#12896: with CALICO_IPV4POOL_CIDR=none, calico-node read CALICO_IPV6POOL_VXLAN only inside
 * the IPv4-pool block, so the IPv6 pool was created with vxlanMode Never (node/pkg/lifecycle/startup/startup.go
 * configureIPPools). Fixed by #13115 (master 347e14d026, in release-v3.33; cherry-picks b686cbba13, first
 * in v3.31.7, and 7ed474f794 on release-v3.32 after v3.32.1). "none" exists from v3.29.0, so the affected
 * releases are v3.29.0 up to v3.31.6 and v3.32.0-v3.32.1.
 */
export function ignoresIpv6VxlanWithoutIpv4Pool(v: Version): boolean {
  if (!atLeast(v, CALICO_FEATURES.ipv4PoolNone)) return false;
  if (atLeast(v, version(3, 33, 0))) return false;
  if (atLeast(v, version(3, 32, 0))) return !atLeast(v, version(3, 32, 2));
  return !atLeast(v, version(3, 31, 7));
}

export const IPV6_VXLAN_IGNORED = 'calico/node ignores CALICO_IPV6POOL_VXLAN when CALICO_IPV4POOL_CIDR=none and creates the IPv6 pool unencapsulated (projectcalico/calico#12896, fixed by #13115 in v3.31.7, v3.32.2 and v3.33.0)';
