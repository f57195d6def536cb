// `serve`: the webhook server, until SIGTERM or SIGINT ends it gracefully.
import { createLogger } from '../observability/logger.js';
import { startServer, type RunningServer } from '../server/serve.js';
import { loadConfig } from '../config/load.js';
import type { ClusterDiscovery } from '../cluster/discovery.js';
import { WebhookMetrics } from '../observability/metrics.js';
import { CONFIG_FLAGS, CONFIG_HELP, configSource, numberFlag, parse, stringFlag, UsageError } from './options.js';
import type { CliIo } from './io.js';
import { TARGETS } from '../targets/registry.js';
import { assertCanListen, listenErrorOf } from './listen-check.js';

export { ListenError } from './listen-check.js';

/** `calico-node / canal DaemonSets, ...`: what discovery watches of the targets, as the registry says. */
const WATCHED = TARGETS.flatMap((t) => t.resources.filter((r) => r.watch).map((r) => `${' '.repeat(30)}${r.names === 'any' ? 'all' : r.names.join(' / ')} ${r.kind}s`)).join('\n');

export const SERVE_HELP = `Usage: calico-ipv6-webhook serve [options]

Serves POST /mutate and /validate (AdmissionReview v1 and v1beta1), GET /healthz, /readyz and /metrics
over HTTPS. With no --tls-cert it makes a self-signed CA and certificate and logs where the CA is.

Server:
  --port N                  port (default 8443)
  --host ADDRESS            address to bind (default 127.0.0.1; in a cluster use ::)
  --tls-cert FILE           serving certificate (PEM), reloaded when it changes
  --tls-key FILE            its private key (PEM)
  --client-ca FILE          require client certificates signed by this CA (the API server's)
  --cert-dir DIR            where a self-signed certificate is written (default: a temp folder)
  --shutdown-delay SECONDS  unready time before closing on SIGTERM (default 5)
  --shutdown-timeout SECONDS time in-flight reviews get after that (default 10)
  --log-level LEVEL         trace, debug, info, warn, error (default info)
  --memory-limit-mib N      the container's memory limit, which sizes the budget of reviews in flight
                            (env CALICO_IPV6_WEBHOOK_MEMORY_LIMIT_MIB, which the chart fills from
                            resources.limits.memory; default 256)

Cluster discovery (needs API access; the chart's discovery.enabled grants it):
  --discovery               watch kubeadm-config, the kube-proxy and kubelet-config ConfigMaps, Nodes and the
                            targets that ask for it: warn on target objects (and in /readyz?verbose and
                            metrics) where the cluster disagrees with the configuration, resolve env
                            valueFrom ConfigMap references, and read the Calico version. Targets watched:
${WATCHED}
  --kubeconfig FILE         kubeconfig for discovery (default: in-cluster, $KUBECONFIG, ~/.kube/config)
  --discovery-namespaces NS[,NS...]  where those targets live (default kube-system)

Exit codes: 0 stopped by SIGTERM or SIGINT after draining, 1 the shutdown failed or an unexpected error,
2 usage, configuration or certificate error, or the address cannot be had (the port in use); checked
before any certificate is written.

${CONFIG_HELP}`;

const SERVE_FLAGS = {
  ...CONFIG_FLAGS,
  port: { type: 'string' },
  host: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'client-ca': { type: 'string' },
  'cert-dir': { type: 'string' },
  'shutdown-delay': { type: 'string' },
  'shutdown-timeout': { type: 'string' },
  'log-level': { type: 'string' },
  'memory-limit-mib': { type: 'string' },
  discovery: { type: 'boolean' },
  kubeconfig: { type: 'string' },
  'discovery-namespaces': { type: 'string' },
} as const;

/** The flag, else the variable the chart sets from the container's limit, else the chart's default. */
function memoryLimitMib(values: Parameters<typeof numberFlag>[0], env: NodeJS.ProcessEnv): number {
  const fromEnv = env.CALICO_IPV6_WEBHOOK_MEMORY_LIMIT_MIB;
  const fallback = fromEnv === undefined || fromEnv === '' ? 256 : Number(fromEnv);
  if (!Number.isFinite(fallback) || fallback < 64) throw new UsageError(`CALICO_IPV6_WEBHOOK_MEMORY_LIMIT_MIB must be a number of MiB from 64, got ${JSON.stringify(fromEnv)}`);
  return numberFlag(values, 'memory-limit-mib', fallback, 64, 1024 * 1024);
}

export async function runServe(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, SERVE_FLAGS, false);
  if (values.help) {
    io.stdout(SERVE_HELP);
    return 0;
  }
  const cert = stringFlag(values, 'tls-cert');
  const key = stringFlag(values, 'tls-key');
  if (Boolean(cert) !== Boolean(key)) throw new UsageError('--tls-cert and --tls-key go together');
  const port = numberFlag(values, 'port', 8443, 0, 65535);
  const host = stringFlag(values, 'host') ?? '127.0.0.1';
  // Before anything is written: a self-signed certificate in the default folder is the running server's too.
  await assertCanListen(host, port);
  const logger = createLogger({ level: stringFlag(values, 'log-level'), async: true });
  const source = configSource(values, io.env);
  const metrics = new WebhookMetrics();
  let started: RunningServer | undefined = undefined;
  let discovery: ClusterDiscovery | undefined;
  if (values.discovery) {
    // Until the server's configuration store exists, the configuration as it is at start.
    const initial = loadConfig(source);
    const namespaces = (stringFlag(values, 'discovery-namespaces') ?? 'kube-system').split(',').map((n) => n.trim()).filter(Boolean);
    // Loaded only with --discovery: @kubernetes/client-node costs memory a plain webhook does not need.
    const { startClusterDiscovery } = await import('../cluster/discovery.js');
    discovery = startClusterDiscovery({ kubeconfig: stringFlag(values, 'kubeconfig'), namespaces, config: () => started?.configStore.current ?? initial, logger, registry: metrics.registry });
  } else if (stringFlag(values, 'kubeconfig') !== undefined || stringFlag(values, 'discovery-namespaces') !== undefined) {
    throw new UsageError('--kubeconfig and --discovery-namespaces go with --discovery');
  }
  // The signals are taken from before the server listens: one arriving between the ready line and the
  // end of start-up is honoured once the server is up, instead of killing the process ungracefully.
  let early: string | undefined;
  let onSignal: (signal: string) => void = (signal) => void (early ??= signal);
  const onTerm = () => onSignal('SIGTERM');
  const onInt = () => onSignal('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  const running = await startServer({
    config: source,
    metrics,
    cluster: discovery,
    readinessExtra: discovery,
    port,
    host,
    tls: cert && key ? { certPath: cert, keyPath: key } : undefined,
    clientCaPath: stringFlag(values, 'client-ca'),
    selfSignedDir: stringFlag(values, 'cert-dir'),
    shutdownDelaySeconds: numberFlag(values, 'shutdown-delay', 5, 0, 600),
    shutdownTimeoutSeconds: numberFlag(values, 'shutdown-timeout', 10, 0, 600),
    memoryLimitBytes: memoryLimitMib(values, io.env) * 1024 * 1024,
    logger,
  }).catch((error: unknown) => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    discovery?.stop();
    // Taken between the check and the listen: still one line, exit 2.
    throw listenErrorOf(error, host, port) ?? error;
  });
  started = running;
  return new Promise<number>((resolve) => {
    // The log is written asynchronously (a batch per write); its last lines are out before the exit code.
    const flushed = (code: number) => logger.flush(() => resolve(code));
    const stop = (signal: string) => {
      logger.info({ signal }, 'signal received');
      running.shutdown().then(() => {
        discovery?.stop();
        flushed(0);
      }, (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        flushed(1);
      });
    };
    onSignal = stop;
    if (early !== undefined) stop(early);
  });
}
