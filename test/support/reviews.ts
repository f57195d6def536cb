// Realistic AdmissionReview bodies, written for this project after the shapes of Calico v3.30's
// calico.yaml, the kube-dns addon manifest and what kube-apiserver sends (userInfo, resource, options,
// managedFields on stored objects). Shared by the server tests and the benchmark.
import { randomUUID } from 'node:crypto';
import type { KubeObject, Operation } from '../../src/k8s/object.js';

export type ApiVersion = 'admission.k8s.io/v1' | 'admission.k8s.io/v1beta1';

export interface ReviewOptions {
  apiVersion?: ApiVersion;
  operation?: Operation;
  uid?: string;
  oldObject?: KubeObject;
  dryRun?: boolean;
}

const RESOURCES: Record<string, { group: string; version: string; resource: string }> = {
  DaemonSet: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
  ConfigMap: { group: '', version: 'v1', resource: 'configmaps' },
  Secret: { group: '', version: 'v1', resource: 'secrets' },
  Service: { group: '', version: 'v1', resource: 'services' },
};

/** An AdmissionReview request for an object, as kube-apiserver sends it. */
export function review(object: KubeObject, options: ReviewOptions = {}): Record<string, unknown> {
  const kind = String(object.kind);
  const resource = RESOURCES[kind] ?? { group: '', version: 'v1', resource: `${kind.toLowerCase()}s` };
  const gvk = { group: resource.group, version: resource.version, kind };
  const gvr = { group: resource.group, version: resource.version, resource: resource.resource };
  const operation = options.operation ?? 'CREATE';
  return {
    apiVersion: options.apiVersion ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? randomUUID(),
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      name: object.metadata?.name,
      namespace: object.metadata?.namespace,
      operation,
      userInfo: { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] },
      object,
      oldObject: options.oldObject ?? null,
      dryRun: options.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: operation === 'UPDATE' ? 'UpdateOptions' : 'CreateOptions', fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' },
    },
  };
}

export interface CalicoNodeOptions {
  image?: string;
  /** Replaces or adds env entries of the calico-node container (value undefined removes one). */
  env?: Record<string, string | undefined>;
  namespace?: string;
  stored?: boolean;
}

const BASE_ENV: { name: string; value?: string; valueFrom?: unknown }[] = [
  { name: 'DATASTORE_TYPE', value: 'kubernetes' },
  { name: 'WAIT_FOR_DATASTORE', value: 'true' },
  { name: 'NODENAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
  { name: 'CALICO_NETWORKING_BACKEND', value: 'bird' },
  { name: 'CLUSTER_TYPE', value: 'k8s,bgp' },
  { name: 'IP', value: 'autodetect' },
  { name: 'CALICO_IPV4POOL_IPIP', value: 'Always' },
  { name: 'CALICO_IPV4POOL_VXLAN', value: 'Never' },
  { name: 'CALICO_IPV6POOL_VXLAN', value: 'Never' },
  { name: 'FELIX_IPINIPMTU', valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'veth_mtu' } } },
  { name: 'FELIX_VXLANMTU', valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'veth_mtu' } } },
  { name: 'FELIX_WIREGUARDMTU', valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'veth_mtu' } } },
  { name: 'CALICO_DISABLE_FILE_LOGGING', value: 'true' },
  { name: 'FELIX_DEFAULTENDPOINTTOHOSTACTION', value: 'ACCEPT' },
  { name: 'FELIX_IPV6SUPPORT', value: 'false' },
  { name: 'FELIX_HEALTHENABLED', value: 'true' },
];

const managedFields = [
  {
    manager: 'kubectl-client-side-apply',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: '2026-01-12T09:14:03Z',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} }, 'f:labels': { '.': {}, 'f:k8s-app': {} } }, 'f:spec': { 'f:revisionHistoryLimit': {}, 'f:selector': {}, 'f:template': { 'f:metadata': { 'f:labels': { '.': {}, 'f:k8s-app': {} } } } } },
  },
  { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'apps/v1', time: '2026-01-12T09:14:09Z', fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { 'f:currentNumberScheduled': {}, 'f:desiredNumberScheduled': {}, 'f:numberAvailable': {}, 'f:numberReady': {}, 'f:observedGeneration': {}, 'f:updatedNumberScheduled': {} } } },
];

/** The calico-node DaemonSet of Calico v3.30's calico.yaml (kubernetes datastore, bird), about 6 KB. */
export function calicoNodeDaemonSet(options: CalicoNodeOptions = {}): KubeObject {
  const image = options.image ?? 'docker.io/calico/node:v3.30.3';
  const version = /:(v[\w.-]+)$/.exec(image)?.[1] ?? 'v3.30.3';
  const env = BASE_ENV.map((e) => ({ ...e }));
  for (const [name, value] of Object.entries(options.env ?? {})) {
    const at = env.findIndex((e) => e.name === name);
    if (value === undefined) {
      if (at >= 0) env.splice(at, 1);
    } else if (at >= 0) env[at] = { name, value };
    else env.push({ name, value });
  }
  const hostPath = (name: string, path: string, type?: string) => ({ name, hostPath: type ? { path, type } : { path } });
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: 'calico-node',
      namespace: options.namespace ?? 'kube-system',
      labels: { 'k8s-app': 'calico-node' },
      ...(options.stored ? { uid: '0c6f4bd8-5a0e-4c3f-9d7e-2f4c8b1a9e33', resourceVersion: '48211', generation: 3, creationTimestamp: '2026-01-12T09:14:03Z', annotations: { 'deprecated.daemonset.template.generation': '3' }, managedFields } : {}),
    },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'calico-node' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: { 'k8s-app': 'calico-node' } },
        spec: {
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          hostNetwork: true,
          tolerations: [{ effect: 'NoSchedule', operator: 'Exists' }, { key: 'CriticalAddonsOnly', operator: 'Exists' }, { effect: 'NoExecute', operator: 'Exists' }],
          serviceAccountName: 'calico-node',
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          terminationGracePeriodSeconds: 0,
          priorityClassName: 'system-node-critical',
          initContainers: [
            {
              name: 'upgrade-ipam',
              image: `docker.io/calico/cni:${version}`,
              imagePullPolicy: 'IfNotPresent',
              command: ['/opt/cni/bin/calico-ipam', '-upgrade'],
              envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
              env: [
                { name: 'KUBERNETES_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'CALICO_NETWORKING_BACKEND', valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'calico_backend' } } },
              ],
              volumeMounts: [{ mountPath: '/var/lib/cni/networks', name: 'host-local-net-dir' }, { mountPath: '/host/opt/cni/bin', name: 'cni-bin-dir' }],
              securityContext: { privileged: true },
            },
            {
              name: 'install-cni',
              image: `docker.io/calico/cni:${version}`,
              imagePullPolicy: 'IfNotPresent',
              command: ['/opt/cni/bin/install'],
              envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
              env: [
                { name: 'CNI_CONF_NAME', value: '10-calico.conflist' },
                { name: 'CNI_NETWORK_CONFIG', valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'cni_network_config' } } },
                { name: 'KUBERNETES_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'CNI_MTU', valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'veth_mtu' } } },
                { name: 'SLEEP', value: 'false' },
              ],
              volumeMounts: [{ mountPath: '/host/opt/cni/bin', name: 'cni-bin-dir' }, { mountPath: '/host/etc/cni/net.d', name: 'cni-net-dir' }],
              securityContext: { privileged: true },
            },
            {
              name: 'mount-bpffs',
              image: image,
              imagePullPolicy: 'IfNotPresent',
              command: ['calico-node', '-init', '-best-effort'],
              volumeMounts: [{ mountPath: '/sys/fs', name: 'sys-fs', mountPropagation: 'Bidirectional' }, { mountPath: '/var/run/calico', name: 'var-run-calico', mountPropagation: 'Bidirectional' }, { mountPath: '/nodeproc', name: 'nodeproc', readOnly: true }],
              securityContext: { privileged: true },
            },
          ],
          containers: [
            {
              name: 'calico-node',
              image,
              imagePullPolicy: 'IfNotPresent',
              envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
              env,
              securityContext: { privileged: true },
              resources: { requests: { cpu: '250m' } },
              lifecycle: { preStop: { exec: { command: ['/bin/calico-node', '-shutdown'] } } },
              livenessProbe: { exec: { command: ['/bin/calico-node', '-felix-live', '-bird-live'] }, periodSeconds: 10, initialDelaySeconds: 10, failureThreshold: 6, timeoutSeconds: 10 },
              readinessProbe: { exec: { command: ['/bin/calico-node', '-felix-ready', '-bird-ready'] }, periodSeconds: 10, timeoutSeconds: 10 },
              volumeMounts: [
                { mountPath: '/host/etc/cni/net.d', name: 'cni-net-dir', readOnly: false },
                { mountPath: '/lib/modules', name: 'lib-modules', readOnly: true },
                { mountPath: '/run/xtables.lock', name: 'xtables-lock', readOnly: false },
                { mountPath: '/var/run/calico', name: 'var-run-calico', readOnly: false },
                { mountPath: '/var/lib/calico', name: 'var-lib-calico', readOnly: false },
                { name: 'policysync', mountPath: '/var/run/nodeagent' },
                { name: 'bpffs', mountPath: '/sys/fs/bpf' },
                { name: 'cni-log-dir', mountPath: '/var/log/calico/cni', readOnly: true },
              ],
            },
          ],
          volumes: [
            hostPath('lib-modules', '/lib/modules'),
            hostPath('var-run-calico', '/var/run/calico', 'DirectoryOrCreate'),
            hostPath('var-lib-calico', '/var/lib/calico', 'DirectoryOrCreate'),
            hostPath('xtables-lock', '/run/xtables.lock', 'FileOrCreate'),
            hostPath('sys-fs', '/sys/fs/', 'DirectoryOrCreate'),
            hostPath('bpffs', '/sys/fs/bpf', 'Directory'),
            hostPath('nodeproc', '/proc'),
            hostPath('cni-bin-dir', '/opt/cni/bin', 'DirectoryOrCreate'),
            hostPath('cni-net-dir', '/etc/cni/net.d'),
            hostPath('cni-log-dir', '/var/log/calico/cni'),
            hostPath('host-local-net-dir', '/var/lib/cni/networks'),
            hostPath('policysync', '/var/run/nodeagent', 'DirectoryOrCreate'),
          ],
        },
      },
    },
  };
}

/** calico-config's CNI template as calico.yaml ships it: placeholders, one of them unquoted. */
export const CNI_TEMPLATE = `{
  "name": "k8s-pod-network",
  "cniVersion": "0.3.1",
  "plugins": [
    {
      "type": "calico",
      "log_level": "info",
      "log_file_path": "/var/log/calico/cni/cni.log",
      "datastore_type": "kubernetes",
      "nodename": "__KUBERNETES_NODE_NAME__",
      "mtu": __CNI_MTU__,
      "ipam": {
          "type": "calico-ipam"
      },
      "policy": {
          "type": "k8s"
      },
      "kubernetes": {
          "kubeconfig": "__KUBECONFIG_FILEPATH__"
      }
    },
    {
      "type": "portmap",
      "snat": true,
      "capabilities": {"portMappings": true}
    },
    {
      "type": "bandwidth",
      "capabilities": {"bandwidth": true}
    }
  ]
}`;

export function calicoConfigMap(template = CNI_TEMPLATE, extraData: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'calico-config', namespace: 'kube-system' },
    data: { typha_service_name: 'none', calico_backend: 'bird', veth_mtu: '0', cni_network_config: template, ...extraData },
  };
}

/** kube-dns as the addon manifest ships it (1.14.13 images, A probes in the sidecar). */
export function kubeDnsDeployment(tag = '1.14.13'): KubeObject {
  const dnsPorts = [{ containerPort: 53, name: 'dns', protocol: 'UDP' }, { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' }];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'addonmanager.kubernetes.io/mode': 'Reconcile' } },
    spec: {
      strategy: { rollingUpdate: { maxSurge: '10%', maxUnavailable: 0 } },
      selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-dns' }, annotations: { 'prometheus.io/port': '10054', 'prometheus.io/scrape': 'true' } },
        spec: {
          priorityClassName: 'system-cluster-critical',
          securityContext: { seccompProfile: { type: 'RuntimeDefault' }, supplementalGroups: [65534], fsGroup: 65534 },
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
          volumes: [{ name: 'kube-dns-config', configMap: { name: 'kube-dns', optional: true } }],
          containers: [
            {
              name: 'kubedns',
              image: `registry.k8s.io/dns/k8s-dns-kube-dns:${tag}`,
              resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
              livenessProbe: { httpGet: { path: '/healthcheck/kubedns', port: 10054, scheme: 'HTTP' }, initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
              readinessProbe: { httpGet: { path: '/readiness', port: 8081, scheme: 'HTTP' }, initialDelaySeconds: 3, timeoutSeconds: 5 },
              args: ['--domain=cluster.local.', '--dns-port=10053', '--config-dir=/kube-dns-config', '--v=2'],
              env: [{ name: 'PROMETHEUS_PORT', value: '10055' }],
              ports: [{ containerPort: 10053, name: 'dns-local', protocol: 'UDP' }, { containerPort: 10053, name: 'dns-tcp-local', protocol: 'TCP' }, { containerPort: 10055, name: 'metrics', protocol: 'TCP' }],
              volumeMounts: [{ name: 'kube-dns-config', mountPath: '/kube-dns-config' }],
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsUser: 1001, runAsGroup: 1001 },
            },
            {
              name: 'dnsmasq',
              image: `registry.k8s.io/dns/k8s-dns-dnsmasq-nanny:${tag}`,
              livenessProbe: { httpGet: { path: '/healthcheck/dnsmasq', port: 10054, scheme: 'HTTP' }, initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
              args: ['-v=2', '-logtostderr', '-configDir=/etc/k8s/dns/dnsmasq-nanny', '-restartDnsmasq=true', '--', '-k', '--cache-size=1000', '--log-facility=-', '--server=/cluster.local/127.0.0.1#10053', '--server=/in-addr.arpa/127.0.0.1#10053', '--server=/ip6.arpa/127.0.0.1#10053'],
              ports: dnsPorts,
              resources: { requests: { cpu: '150m', memory: '20Mi' } },
              volumeMounts: [{ name: 'kube-dns-config', mountPath: '/etc/k8s/dns/dnsmasq-nanny' }],
              securityContext: { capabilities: { drop: ['all'], add: ['NET_BIND_SERVICE', 'SETGID'] } },
            },
            {
              name: 'sidecar',
              image: `registry.k8s.io/dns/k8s-dns-sidecar:${tag}`,
              livenessProbe: { httpGet: { path: '/metrics', port: 10054, scheme: 'HTTP' }, initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
              args: ['--v=2', '--logtostderr', '--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,A', '--probe=dnsmasq,127.0.0.1:53,kubernetes.default.svc.cluster.local,5,A'],
              ports: [{ containerPort: 10054, name: 'metrics', protocol: 'TCP' }],
              resources: { requests: { memory: '20Mi', cpu: '10m' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsUser: 1001, runAsGroup: 1001 },
            },
          ],
          dnsPolicy: 'Default',
          serviceAccountName: 'kube-dns',
        },
      },
    },
  };
}

/** A ConfigMap that no rule targets (an application's settings). */
export function nonTargetConfigMap(data: Record<string, string> = { 'app.properties': 'log.level=info\nfeature.x=true\n', 'greeting.txt': 'hello' }): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-frontend', namespace: 'shop', labels: { app: 'shop-frontend' } }, data };
}

export function secret(data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials', namespace: 'shop' }, type: 'Opaque', data };
}

export type EnvEntry = { name: string; value?: string };

/** The env of a DaemonSet's container (calico-node unless named), as name -> value; empty when there is no such container. */
export function calicoNodeEnv(object: unknown, container = 'calico-node'): Map<string, string | undefined> {
  const containers = (object as { spec: { template: { spec: { containers: { name: string; env?: EnvEntry[] }[] } } } }).spec.template.spec.containers;
  const found = containers.find((c) => c.name === container);
  return new Map((found?.env ?? []).map((e) => [e.name, e.value]));
}
