// The chart's Prometheus Operator objects, rendered by Helm 3 and Helm 4: node --import tsx --test test/chart/monitoring.test.ts
// Off by default; when on, they fit the monitoring.coreos.com/v1 CRDs (../shared/fixtures/prometheus-operator),
// scrape the chart's own Service over HTTPS with the serving CA, and every alert is valid PromQL over series
// the server really exports, with a summary and a runbook section in the chart README.
import { parser as promql } from '@prometheus-io/lezer-promql';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ClusterDiscovery } from '../../src/cluster/discovery.js';
import { loadConfig } from '../../src/config/load.js';
import { WebhookMetrics } from '../../src/observability/metrics.js';
import { crdValidator } from './crd-schema.js';
import { CHART_DIR, HELM_VERSIONS, NAMESPACE, RELEASE, findAll, findOne, kinds, render, renderError, type K8sObject } from './helm.js';
import { REPO_ROOT } from '../support/repo-root.js';

const FULLNAME = `${RELEASE}-calico-ipv6-webhook`;
const CRDS = join(REPO_ROOT, '..', 'shared', 'fixtures', 'prometheus-operator');
const README = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
const ON = { 'metrics.serviceMonitor.enabled': true, 'metrics.prometheusRule.enabled': true };

interface Endpoint { port: string; scheme: string; path: string; interval: string; scrapeTimeout: string; tlsConfig: { serverName: string; ca: { secret: { name: string; key: string } } } }
interface ServiceMonitor extends K8sObject { spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector: { matchNames: string[] }; endpoints: Endpoint[] } }
interface AlertRule { alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> }
interface PrometheusRule extends K8sObject { spec: { groups: { name: string; rules: AlertRule[] }[] } }
interface Service extends K8sObject { spec: { ports: { name: string }[] } }

const alerts = (objects: K8sObject[]) => findOne<PrometheusRule>(objects, 'PrometheusRule').spec.groups.flatMap((g) => g.rules);
const alert = (objects: K8sObject[], name: string) => {
  const found = alerts(objects).find((a) => a.alert === name);
  assert.ok(found, `alert ${name}`);
  return found;
};

/** Every series name the server can export: its own registry, discovery's gauges, with histogram suffixes. */
async function exportedSeries(): Promise<Set<string>> {
  const registry = new WebhookMetrics().registry;
  const config = loadConfig({ env: {}, flags: {} });
  new ClusterDiscovery({ source: { watch: () => assert.fail('not started') }, namespaces: [], config: () => config, registry });
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

/** Syntax errors and the vector selectors (metric name and matcher text) of a PromQL expression. */
function parsePromql(expr: string): { errors: number[]; selectors: { metric: string; text: string }[] } {
  const errors: number[] = [];
  const selectors: { metric: string; text: string }[] = [];
  promql.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        selectors.push({ metric: id ? expr.slice(id.from, id.to) : '', text: expr.slice(node.from, node.to) });
      }
    },
  });
  return { errors, selectors };
}

for (const v of HELM_VERSIONS) {
  void describe(`monitoring objects (helm ${v})`, () => {
    void test('off by default: neither a ServiceMonitor nor a PrometheusRule', () => {
      const objects = render(v);
      assert.deepEqual(findAll(objects, 'ServiceMonitor'), []);
      assert.deepEqual(findAll(objects, 'PrometheusRule'), []);
      const only = render(v, { set: { 'metrics.serviceMonitor.enabled': true } });
      assert.deepEqual(kinds(only).filter((k) => k === 'ServiceMonitor' || k === 'PrometheusRule'), ['ServiceMonitor']);
    });

    void test('both fit the Prometheus Operator v1 CRDs', () => {
      const objects = render(v, { set: { ...ON, 'discovery.enabled': true } });
      for (const [kind, file] of [['ServiceMonitor', 'monitoring.coreos.com_servicemonitors.yaml'], ['PrometheusRule', 'monitoring.coreos.com_prometheusrules.yaml']] as const) {
        const schema = crdValidator(join(CRDS, file), 'v1');
        assert.equal(schema.kind, kind);
        const object = findOne(objects, kind);
        assert.equal(object.apiVersion, 'monitoring.coreos.com/v1');
        assert.equal(object.metadata.namespace, NAMESPACE);
        assert.deepEqual(schema.validate(object), [], `${kind} fits its CRD`);
      }
    });

    void test('the ServiceMonitor scrapes the Service over HTTPS, verifying the serving certificate with its CA', () => {
      const objects = render(v, { set: { ...ON, 'metrics.serviceMonitor.interval': '15s', 'metrics.serviceMonitor.labels.release': 'prom' } });
      const monitor = findOne<ServiceMonitor>(objects, 'ServiceMonitor');
      const service = findOne<Service>(objects, 'Service');
      assert.equal(monitor.metadata.labels?.release, 'prom');
      for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) assert.equal(service.metadata.labels?.[key], value, `the Service carries ${key}`);
      assert.deepEqual(monitor.spec.namespaceSelector.matchNames, [NAMESPACE]);
      const [endpoint] = monitor.spec.endpoints;
      assert.ok(endpoint && monitor.spec.endpoints.length === 1);
      assert.ok(service.spec.ports.some((p) => p.name === endpoint.port), `the Service has a port named ${endpoint.port}`);
      assert.equal(endpoint.scheme, 'https');
      assert.equal(endpoint.path, '/metrics');
      assert.equal(endpoint.interval, '15s');
      // The name the serving Certificate carries, and its Secret (cert-manager writes ca.crt into it).
      const serving = findAll(objects, 'Certificate').find((c) => !(c.spec as { isCA?: boolean }).isCA) as K8sObject & { spec: { secretName: string; dnsNames: string[] } };
      assert.ok(serving.spec.dnsNames.includes(endpoint.tlsConfig.serverName));
      assert.deepEqual(endpoint.tlsConfig.ca.secret, { name: serving.spec.secretName, key: 'ca.crt' });
      // Without cert-manager: the existing Secret, or the one named.
      const existing = { ...ON, 'certManager.enabled': false, 'tls.existingSecret': 'my-tls', 'tls.caBundle': 'Y2E=' };
      assert.deepEqual(findOne<ServiceMonitor>(render(v, { set: existing }), 'ServiceMonitor').spec.endpoints[0]?.tlsConfig.ca.secret, { name: 'my-tls', key: 'ca.crt' });
      const named = { ...existing, 'metrics.serviceMonitor.caSecret.name': 'my-ca', 'metrics.serviceMonitor.caSecret.key': 'ca.pem' };
      assert.deepEqual(findOne<ServiceMonitor>(render(v, { set: named }), 'ServiceMonitor').spec.endpoints[0]?.tlsConfig.ca.secret, { name: 'my-ca', key: 'ca.pem' });
      // No Service to scrape without the server; bad durations are refused by the schema.
      assert.match(renderError(v, { set: { ...ON, 'server.enabled': false, 'webhook.url': 'https://127.0.0.1:8443', 'tls.caBundle': 'Y2E=' } }), /serviceMonitor.enabled needs server.enabled/);
      assert.match(renderError(v, { set: { 'metrics.serviceMonitor.interval': 'often' } }), /interval/);
    });

    void test('the alerts: valid PromQL over exported series of this release, each with severity, summary and a runbook section', async () => {
      const objects = render(v, { set: { ...ON, 'discovery.enabled': true } });
      const series = await exportedSeries();
      const names = alerts(objects).map((a) => a.alert);
      assert.deepEqual(names, [
        'CalicoIPv6WebhookDown', 'CalicoIPv6WebhookNoReadyReplica', 'CalicoIPv6WebhookDenials', 'CalicoIPv6WebhookSlow',
        'CalicoIPv6WebhookCertificateExpiry', 'CalicoIPv6WebhookReloadFailures', 'CalicoIPv6WebhookDiscoveryMismatch',
      ]);
      for (const rule of alerts(objects)) {
        const { errors, selectors } = parsePromql(rule.expr);
        assert.deepEqual(errors, [], `${rule.alert}: ${rule.expr} parses`);
        assert.ok(selectors.length > 0);
        for (const { metric, text } of selectors) {
          assert.ok(metric === 'up' || series.has(metric), `${rule.alert}: ${metric} is exported by the server`);
          // This release's targets only (the ServiceMonitor's job is the Service name).
          assert.match(text, new RegExp(`namespace="${NAMESPACE}"`), `${rule.alert}: ${text}`);
          assert.match(text, new RegExp(`job="${FULLNAME}"`), `${rule.alert}: ${text}`);
        }
        assert.match(rule.labels.severity ?? '', /^(critical|warning)$/);
        assert.ok((rule.annotations.summary ?? '').length > 20, `${rule.alert} has a summary`);
        assert.match(rule.annotations.runbook ?? '', new RegExp(`Monitoring: ${rule.alert}$`));
        assert.match(README, new RegExp(`^### ${rule.alert}$`, 'm'), `README.md has a runbook section for ${rule.alert}`);
      }
      // The discovery alert only where discovery runs.
      assert.ok(!alerts(render(v, { set: ON })).some((a) => a.alert === 'CalicoIPv6WebhookDiscoveryMismatch'));
    });

    void test('thresholds follow the values: timeout, renewBefore, denial rate; extra labels on every alert', () => {
      const objects = render(v, { set: { ...ON, 'webhook.timeoutSeconds': 10, 'certManager.renewBefore': '1h30m', 'metrics.prometheusRule.denialsPerMinute': 3, 'metrics.prometheusRule.alertLabels.team': 'net' } });
      assert.match(alert(objects, 'CalicoIPv6WebhookSlow').expr, /histogram_quantile\(0\.99, .*calico_ipv6_webhook_review_duration_seconds_bucket.* > 10 \* 0\.8$/);
      assert.match(alert(objects, 'CalicoIPv6WebhookCertificateExpiry').expr, / - time\(\) < 5400$/);
      assert.match(alert(objects, 'CalicoIPv6WebhookDenials').expr, /decision="denied".* \* 60 > 3$/);
      for (const rule of alerts(objects)) assert.equal(rule.labels.team, 'net', rule.alert);
      // The default renewBefore (720h), and an explicit window that wins over it.
      assert.match(alert(render(v, { set: ON }), 'CalicoIPv6WebhookCertificateExpiry').expr, / < 2592000$/);
      const explicit = render(v, { set: { ...ON, 'metrics.prometheusRule.certificateExpiresWithin': '168h0m0s' } });
      assert.match(alert(explicit, 'CalicoIPv6WebhookCertificateExpiry').expr, / < 604800$/);
    });
  });
}
