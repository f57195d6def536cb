// The webhook under test, run from the built dist/ as a child process with a harness-made certificate,
// and registered with the API server by URL through the Helm chart's own webhooks template, so the
// tests and the chart share one webhook configuration.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { type ServingCert, type TestCluster } from './cluster.js';
import { servingUrl } from '../../support/child.js';
import { REPO_ROOT } from '../../support/repo-root.js';

export const MUTATING_WEBHOOK = 'mutate.calico-ipv6-webhook.projectcalico.org';
export const VALIDATING_WEBHOOK = 'validate.calico-ipv6-webhook.projectcalico.org';
const CHART = join(REPO_ROOT, 'charts/calico-ipv6-webhook');
const CLI = join(REPO_ROOT, 'dist/cli/main.js');

export interface WebhookProcess {
  url: string;
  port: number;
  pid: number;
  /** JSON log lines the server wrote so far. */
  logs: Record<string, unknown>[];
  /** Prometheus text from /metrics. */
  metrics(): Promise<string>;
  /** SIGTERM and wait for exit (graceful shutdown with no delay). */
  stop(): Promise<number | null>;
}

export type WebhookOptions =
  | {
    cert: ServingCert;
    configPath: string;
    /** A fixed port, to restart on the address already registered. */
    port?: number;
  }
  | {
    /** The whole command line after the program (a pod's container args: `serve --config=...`). */
    args: string[];
    /** The CA that verifies the serving certificate, read at each request (it may rotate). */
    caPath?: string;
    /** The name the serving certificate is for, when it is not 127.0.0.1. */
    servername?: string;
  };

export async function startWebhook(options: WebhookOptions): Promise<WebhookProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const args = 'args' in options ? options.args : [
    'serve', '--host', '127.0.0.1', '--port', String(options.port ?? 0),
    '--tls-cert', options.cert.certPath, '--tls-key', options.cert.keyPath,
    '--config', options.configPath, '--shutdown-delay', '0',
  ];
  const ca = async () => ('args' in options ? (options.caPath ? readFile(options.caPath, 'utf8') : undefined) : options.cert.caPem);
  const servername = 'args' in options ? options.servername : undefined;
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await servingUrl(child, logs, 20_000);
  process.once('exit', () => child.kill('SIGKILL'));
  const port = Number(new URL(url).port);
  return {
    url,
    port,
    pid: child.pid!,
    logs,
    metrics: async () => get(`https://127.0.0.1:${port}/metrics`, await ca(), servername),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

function get(url: string, ca: string | undefined, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { ca, servername, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject).end();
  });
}

/** The sum of a counter's samples whose labels include every given label. */
export function counterSum(metricsText: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export interface WebhookConfigurationOptions {
  url: string;
  caPem: string;
  mutation?: boolean;
  namespaces?: string[];
  failurePolicy?: 'Fail' | 'Ignore';
}

/** The chart's webhooks template in URL mode, exactly as `helm install` would render it. */
export async function renderWebhookConfigurations(cluster: TestCluster, options: WebhookConfigurationOptions): Promise<string> {
  const args = [
    'template', 'e2e', CHART, '--namespace', 'calico-ipv6-webhook', '--show-only', 'templates/webhooks.yaml',
    '--set', `webhook.url=${options.url}`,
    '--set', 'server.enabled=false', '--set', 'certManager.enabled=false',
    '--set', `tls.caBundle=${Buffer.from(options.caPem).toString('base64')}`,
    '--set', `mutation.enabled=${options.mutation ?? true}`,
    '--set', `webhook.failurePolicy=${options.failurePolicy ?? 'Fail'}`,
    '--set', `webhook.namespaces={${(options.namespaces ?? ['kube-system']).join(',')}}`,
    // The cluster under test decides matchConditions, as it does for `helm install`.
    '--kube-version', (await serverVersion(cluster)).replace(/^v/, ''),
  ];
  const rendered = await cluster.helm(3, args);
  if (rendered.code !== 0) throw new Error(`helm template failed: ${rendered.stderr}`);
  return rendered.stdout;
}

export async function serverVersion(cluster: TestCluster): Promise<string> {
  const r = await cluster.kubectl(['version', '-o', 'json']);
  return (JSON.parse(r.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion;
}

export async function writeConfig(path: string, values: Record<string, unknown>): Promise<void> {
  const lines = Object.entries(values).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  await writeFile(path, `${lines.join('\n')}\n`);
}
