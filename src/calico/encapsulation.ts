// Whether IPv6 pod traffic between nodes has a carrier: an unencapsulated IPv6 pool needs BIRD, which the
// vxlan and none backends do not run (node/filesystem/etc/rc.local:45-61), or Felix programming the routes
// itself (FELIX_PROGRAMCLUSTERROUTES=Enabled, v3.31+: node-env.ts). IPIP never applies to IPv6: the
// default IPv6 pool is created with IPIP Never whatever the environment says (startup.go:1076).
import { poolEncapMode, type EncapMode, type NetworkingBackend } from './node-env.js';

export type Ipv6EncapVerdict =
  | { kind: 'ok' }
  /** Set CALICO_IPV6POOL_VXLAN to `to`: the backend runs no BIRD, so the pool must be VXLAN. */
  | { kind: 'set'; to: Exclude<EncapMode, 'Never'>; why: string }
  /** calico-node exits on a mode it does not recognize (startup.go:1101-1111). */
  | { kind: 'invalid'; why: string };

/**
 * With the vxlan backend the IPv6 pool follows the IPv4 pool's VXLAN mode: CrossSubnet stays CrossSubnet,
 * anything else becomes Always (Never would leave IPv6 unrouted). Upstream calico.yaml spells
 * CALICO_IPV6POOL_VXLAN=Never, so switching its backend to vxlan as the docs describe leaves exactly that.
 * `felixRoutes`: Felix programs the unencapsulated cluster routes (int_dataplane.go v3.31.0:687-724).
 */
export function ipv6Encapsulation(backend: NetworkingBackend, ipv4Vxlan: string | undefined, ipv6Vxlan: string | undefined, felixRoutes: boolean): Ipv6EncapVerdict {
  const v6 = poolEncapMode(ipv6Vxlan);
  if (v6 === undefined) {
    return { kind: 'invalid', why: `CALICO_IPV6POOL_VXLAN=${JSON.stringify(ipv6Vxlan)} is not Never, CrossSubnet or Always; calico-node exits` };
  }
  // Felix routes an unencapsulated pool itself: nothing is missing without BIRD.
  if (backend !== 'vxlan' || v6 !== 'Never' || felixRoutes) return { kind: 'ok' };
  const to = poolEncapMode(ipv4Vxlan) === 'CrossSubnet' ? 'CrossSubnet' : 'Always';
  return { kind: 'set', to, why: 'the vxlan backend runs no BIRD, so an unencapsulated IPv6 pool is routed by nothing; the IPv6 pool follows the IPv4 pool\'s VXLAN mode' };
}
