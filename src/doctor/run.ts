// `doctor` on a cluster: every item of the guide's Kubernetes section, in the guide's order.
import type { WebhookConfig } from '../config/types.js';
import { admissionEngineChecks } from './admission-engine.js';
import type { Check } from './check.js';
import { controlPlaneChecks } from './control-plane.js';
import { kubeadmChecks } from './kubeadm.js';
import { kubeletChecks, nodeIpChecks } from './kubelet.js';
import { settingsChecks, settingsItems } from './settings.js';
import type { ClusterSnapshot } from './snapshot.js';
import { targetItems, workloadChecks } from './workloads.js';
import { TARGETS } from '../targets/registry.js';
import type { Target } from '../targets/target.js';

/**
 * The guide's items (DESIGN section 7) as check ids without subject; every one gets a verdict. The
 * control-plane and kubelet items are doctor's own; the rest are the targets' doctor items (the settings
 * of components such as kube-proxy, then the workloads and objects the webhook admits).
 */
export function guideItems(mode: WebhookConfig['mode'], targets: readonly Target[] = TARGETS): string[] {
  return [
    'kube-apiserver.bind-address', 'kube-apiserver.advertise-address', 'kube-apiserver.service-cluster-ip-range',
    'kube-controller-manager.master', 'kube-controller-manager.cluster-cidr', 'kube-controller-manager.node-cidr-mask-size',
    'kube-scheduler.master',
    'kubelet.address', 'kubelet.cluster-dns', 'kubelet.node-ip',
    ...settingsItems(mode, targets),
    ...targetItems(mode, targets),
  ];
}

export function runClusterChecks(snapshot: ClusterSnapshot, config: WebhookConfig, targets: readonly Target[] = TARGETS): Check[] {
  return [
    ...controlPlaneChecks(snapshot.pods, config),
    ...kubeletChecks(snapshot, config),
    ...nodeIpChecks(snapshot.nodes, config),
    ...settingsChecks(snapshot.settings, config, targets),
    ...kubeadmChecks(snapshot.kubeadmConfig, config),
    ...workloadChecks(snapshot, config, targets),
    ...admissionEngineChecks(snapshot.admission),
  ];
}
