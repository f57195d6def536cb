// Hand-written manifests in the shapes issue 11 found fix getting wrong (flow style, octal and large
// integers, anchors, merge keys, many aliases, empty values, Lists, JSON), and the variants generated
// from them (CRLF, no final newline, BOM, UTF-16). The meaning test reads each through the Kubernetes
// decoder before and after fix.
import { fixtureText } from './fixtures.js';

/** A calico-node DaemonSet whose calico-node container's env is `env`, with octal modes and large integers. */
export function calicoNode(env: string, extra = ''): string {
  return `# calico-node with the modes Kubernetes reads as octal
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: calico-node
  namespace: kube-system
  annotations: {note: "0400 is 256 to Kubernetes"}
spec:
  revisionHistoryLimit: 10
  selector:
    matchLabels: {k8s-app: calico-node}
  template:
    metadata:
      labels:
        k8s-app: calico-node
    spec:
      hostNetwork: true
      terminationGracePeriodSeconds: 0
      containers:
        - name: calico-node
          image: docker.io/calico/node:v3.24.0
${env}
          resources: &resources
            requests: {cpu: 250m}
${extra}      volumes:
        - name: etcd-certs
          secret:
            secretName: calico-etcd-secrets
            defaultMode: 0400
        - name: flexvol
          hostPath: {path: /usr/libexec, type: DirectoryOrCreate}
        - name: scripts
          configMap: {name: scripts, defaultMode: 0755, items: [{key: a, path: a, mode: 0o644}]}
      x-large: [12345678901234567890, 123456789012345678901234567890, 9007199254740993, 1_000, 0x1F, 1e3, .5]
      x-booleans: [yes, No, on, OFF, y, n, true, ~, null, 2001-12-14, 1:20]
`;
}

const BLOCK_ENV = `          env:
            - name: DATASTORE_TYPE
              value: kubernetes   # a comment kept
            - name: IP
              value: "autodetect"
            - name: FELIX_IPV6SUPPORT
              value: 'false'`;

const FLOW_ENV = `          env: [{name: DATASTORE_TYPE, value: kubernetes}, {name: IP, value: autodetect}, {name: FELIX_IPV6SUPPORT, value: "false"}]`;

const EMPTY_VALUE_ENV = `          env:
            - name: DATASTORE_TYPE
              value: kubernetes
            - name: IP
              value:
            - name: FELIX_IPV6SUPPORT
              value: "false"`;

const MERGE_ENV = `          env:
            - &datastore {name: DATASTORE_TYPE, value: kubernetes}
            - <<: *datastore
              name: CALICO_DATASTORE
            - <<: {name: IP, value: autodetect}
            - name: FELIX_IPV6SUPPORT
              value: "false"`;

/** A sidecar that shares calico-node's env through an anchor (issue 11, case 5). */
export const SHARED_ENV = calicoNode(`          env: &env
            - name: IP
              value: autodetect`, `        - name: sidecar
          image: example/sidecar:1
          env: *env
          resources: *resources
`);

/** calico-node's env is an alias of a list anchored (and used) elsewhere: fix writes the alias out. */
export const ENV_THROUGH_ALIAS = calicoNode('          env: *env').replace('apiVersion: apps/v1\n', 'apiVersion: apps/v1\nx-env: &env\n  - name: IP\n    value: autodetect\n');

/** More than 100 aliases, as real generated files have them; kubectl reads them. */
export function manyAliases(count: number): string {
  const tolerations = Array.from({ length: count }, () => '        - *tolerate').join('\n');
  return calicoNode(BLOCK_ENV, '').replace('      hostNetwork: true\n', `      hostNetwork: true\n      x-tolerate: &tolerate {operator: Exists}\n      tolerations:\n${tolerations}\n`);
}

/** A billion-laughs document: each level repeats the one before ten times. */
export function aliasBomb(levels = 9): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: lol}', 'data:', '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++) lines.push(`  a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(',')}]`);
  return `${lines.join('\n')}\n`;
}

export const KUBE_DNS_FLOW = `apiVersion: apps/v1
kind: Deployment
metadata: {name: kube-dns, namespace: kube-system}
spec:
  template:
    spec:
      containers:
      - name: kubedns
        image: gcr.io/google_containers/k8s-dns-kube-dns-amd64:1.14.4
        args: [--domain=cluster.local., --dns-port=10053]
      - name: dnsmasq
        image: gcr.io/google_containers/k8s-dns-dnsmasq-nanny-amd64:1.14.4
        args: [-v=2, -logtostderr, --, -k, --cache-size=1000, --server=/cluster.local/127.0.0.1#10053]
        volumeMounts: [{name: kube-dns-config, mountPath: /etc/k8s/dns/dnsmasq-nanny}]
      volumes: [{name: kube-dns-config, configMap: {name: kube-dns, optional: true, defaultMode: 0644}}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system}
spec: {clusterIP: 10.96.0.10, ports: [{name: dns, port: 53, protocol: UDP}]}
`;

/** What `kubectl get -o yaml` prints for several objects: a List (or a typed *List). */
export function list(kind: string, items: string[]): string {
  const indented = items.map((item) => item.trimEnd().split('\n').filter((l) => !l.startsWith('#')).map((l, i) => `${i === 0 ? '- ' : '  '}${l}`).join('\n'));
  return `apiVersion: v1\nkind: ${kind}\nitems:\n${indented.join('\n')}\nmetadata:\n  resourceVersion: ""\n`;
}

const KUBE_DNS_SERVICE_BLOCK = `apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
spec:
  clusterIP: 10.96.0.10
  ports:
  - {name: dns, port: 53, protocol: UDP}
`;

export const CALICO_NODE_OBJECT = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'calico-node', namespace: 'kube-system' },
  spec: {
    template: {
      spec: {
        containers: [{ name: 'calico-node', image: 'calico/node:v3.24.0', env: [{ name: 'IP', value: 'autodetect' }, { name: 'FELIX_IPV6SUPPORT', value: 'false' }] }],
        volumes: [{ name: 'etcd-certs', secret: { secretName: 'calico-etcd-secrets', defaultMode: 256 } }],
      },
    },
  },
};

export interface CorpusFile {
  name: string;
  bytes: Buffer;
}

/** The bases: each a file fix must get right as UTF-8 text. */
export function baseManifests(): { name: string; text: string }[] {
  return [
    { name: 'calico-bundle.yaml', text: fixtureText('cli/calico-bundle.yaml') },
    { name: 'kube-dns-bundle.yaml', text: fixtureText('cli/kube-dns-bundle.yaml') },
    { name: 'calico-node-block.yaml', text: calicoNode(BLOCK_ENV) },
    { name: 'calico-node-flow-env.yaml', text: calicoNode(FLOW_ENV) },
    { name: 'calico-node-empty-value.yaml', text: calicoNode(EMPTY_VALUE_ENV) },
    { name: 'calico-node-merge-keys.yaml', text: calicoNode(MERGE_ENV) },
    { name: 'calico-node-shared-env.yaml', text: SHARED_ENV },
    { name: 'calico-node-env-through-alias.yaml', text: ENV_THROUGH_ALIAS },
    { name: 'calico-node-150-aliases.yaml', text: manyAliases(150) },
    { name: 'kube-dns-flow.yaml', text: KUBE_DNS_FLOW },
    { name: 'list.yaml', text: list('List', [calicoNode(BLOCK_ENV), KUBE_DNS_SERVICE_BLOCK]) },
    { name: 'daemonset-list.yaml', text: list('DaemonSetList', [calicoNode(FLOW_ENV)]) },
    { name: 'calico-node-2.json', text: `${JSON.stringify(CALICO_NODE_OBJECT, null, 2)}\n` },
    { name: 'calico-node-4.json', text: JSON.stringify(CALICO_NODE_OBJECT, null, 4) },
    { name: 'calico-node-tab.json', text: `${JSON.stringify(CALICO_NODE_OBJECT, null, '\t')}\n` },
    { name: 'list.json', text: `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [CALICO_NODE_OBJECT] }, null, 2)}\n` },
  ];
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) le.writeUInt16BE(le.readUInt16LE(i), i);
  return le;
}

/** Every base, and each base written the other ways files come: CRLF, no final newline, BOM, UTF-16. */
export function corpus(): CorpusFile[] {
  return baseManifests().flatMap(({ name, text }) => {
    const crlf = text.replace(/\r?\n/g, '\r\n');
    const noFinal = text.replace(/\n+$/, '');
    return [
      { name, bytes: Buffer.from(text) },
      { name: `${name} (CRLF)`, bytes: Buffer.from(crlf) },
      { name: `${name} (no final newline)`, bytes: Buffer.from(noFinal) },
      { name: `${name} (CRLF, no final newline)`, bytes: Buffer.from(crlf.replace(/(\r\n)+$/, '')) },
      { name: `${name} (UTF-8 BOM)`, bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) },
      { name: `${name} (UTF-16LE)`, bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) },
      { name: `${name} (UTF-16BE, CRLF)`, bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(crlf)]) },
    ];
  });
}
