// The review bodies every benchmark sends: what a `kubectl apply` of Calico and kube-dns makes the API
// server send, plus an unrelated ConfigMap. One place, so bench, budget and profile measure the same bytes.
import { calicoConfigMap, calicoNodeDaemonSet, kubeDnsDeployment, nonTargetConfigMap, review } from '../test/support/reviews.js';

/** calico-node as the cluster stores it after a first fix: the old object of the UPDATE body. */
const FIXED_ENV = { IP: 'none', IP6: 'autodetect', FELIX_IPV6SUPPORT: 'true', CALICO_IPV6POOL_CIDR: 'fd20::/112', CALICO_ROUTER_ID: 'hash' };

export const REVIEW_BODIES = {
  'calico-node-create': JSON.stringify(review(calicoNodeDaemonSet(), { uid: '705ab4f5-6393-11e8-b7cc-42010a800002' })),
  'calico-node-update': JSON.stringify(review(calicoNodeDaemonSet({ image: 'docker.io/calico/node:v3.30.3' }), {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800003',
    operation: 'UPDATE',
    oldObject: calicoNodeDaemonSet({ stored: true, image: 'docker.io/calico/node:v3.29.4', env: FIXED_ENV }),
  })),
  'calico-config': JSON.stringify(review(calicoConfigMap(), { uid: '705ab4f5-6393-11e8-b7cc-42010a800004' })),
  'kube-dns': JSON.stringify(review(kubeDnsDeployment(), { uid: '705ab4f5-6393-11e8-b7cc-42010a800005' })),
  'non-target': JSON.stringify(review(nonTargetConfigMap(), { uid: '705ab4f5-6393-11e8-b7cc-42010a800006' })),
} as const satisfies Record<string, string>;

export type BodyName = keyof typeof REVIEW_BODIES;
