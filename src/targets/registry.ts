// Every target the webhook knows, in the order the engine runs them on an object that several match.
// A new target is one folder, src/targets/<id>/ with its `defineTarget` in <id>.ts, and one line here: the
// chart follows through templates/_targets.generated.tpl (npm run generate), the rest of the program through TARGETS.
import { calicoConfigTarget } from './calico-config/calico-config.js';
import { calicoNodeTarget } from './calico-node/calico-node.js';
import { flannelTarget } from './flannel/flannel.js';
import { kubeDnsDeploymentTarget } from './kube-dns/kube-dns.js';
import { kubeDnsServiceTarget } from './kube-dns-service/kube-dns-service.js';
import { installationTarget } from './installation/installation.js';
import { ipPoolTarget } from './ippool/ippool.js';
import { kubeProxyTarget } from './kube-proxy/kube-proxy.js';
import type { KubeObject } from '../k8s/object.js';
import type { Version } from '../k8s/versions.js';
import type { Target } from './target.js';

export const TARGETS: readonly Target[] = [calicoNodeTarget, calicoConfigTarget, flannelTarget, kubeDnsDeploymentTarget, kubeDnsServiceTarget, kubeProxyTarget, installationTarget, ipPoolTarget];

/** Every target that matches the object, in registry order (two may own different keys of one ConfigMap). */
export function targetsFor(object: KubeObject, targets: readonly Target[] = TARGETS): Target[] {
  return targets.filter((target) => target.matches(object));
}

/** The Calico version an object tells (the calico/node image of a calico-node DaemonSet), if any. */
export function calicoVersionOfObject(object: KubeObject, targets: readonly Target[] = TARGETS): Version | undefined {
  for (const target of targetsFor(object, targets)) {
    const version = target.calicoVersionOf?.(object);
    if (version) return version;
  }
  return undefined;
}
