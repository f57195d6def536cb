// What the server serves from files, and their reloads: the configuration and the TLS certificate (given,
// or a self-signed one made on first start), each reloaded when its file changes, with a metric and a log
// line for every reload. startServer (serve.ts) only puts them on the HTTPS server.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { ConfigStore } from '../config/store.js';
import type { ConfigSource } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import type { WebhookMetrics } from '../observability/metrics.js';
import { certificateExpirySeconds, TlsReloader, type TlsFiles } from './tls-files.js';

export interface ServingFilesOptions {
  config: ConfigSource;
  tls?: TlsFiles | undefined;
  /** Overrides tls.clientCaPath; also applies to a self-signed serving certificate. */
  clientCaPath?: string | undefined;
  /** Where a self-signed CA and certificate are written when no TLS files are given. */
  selfSignedDir?: string | undefined;
  logger: Logger;
  metrics: WebhookMetrics;
}

export interface ServingFiles {
  configStore: ConfigStore;
  tls: TlsReloader;
  /** Set when the server made its own certificate: the CA to trust. */
  caPath: string | undefined;
  clientCaPath: string | undefined;
  /** Starts polling the files; `onTls` gets each reloaded certificate. */
  watch(intervalMs: number | undefined, onTls: (secure: SecureContextOptions) => void): void;
  close(): void;
}

/** The TLS files given, or a self-signed pair written to the default folder (the X.509 library loaded only then). */
async function tlsFilesOf(options: ServingFilesOptions): Promise<{ files: TlsFiles; caPath?: string }> {
  if (options.tls) return { files: options.tls };
  const dir = options.selfSignedDir ?? join(tmpdir(), 'calico-ipv6-webhook');
  // Loaded only here: the X.509 library and key generation cost start-up time a server given its certificate does not pay.
  const { writeSelfSignedServing } = await import('./certificates.js');
  const written = await writeSelfSignedServing(dir);
  options.logger.info({ caPath: written.caPath, certPath: written.certPath }, `no --tls-cert given: serving a self-signed certificate; trust the CA at ${written.caPath}`);
  return { files: { certPath: written.certPath, keyPath: written.keyPath }, caPath: written.caPath };
}

export async function servingFiles(options: ServingFilesOptions): Promise<ServingFiles> {
  const { logger, metrics } = options;
  const configStore = new ConfigStore(options.config);
  configStore.on('reloaded', () => {
    metrics.reloads.inc({ what: 'config', result: 'ok' });
    logger.info({ file: options.config.file }, 'configuration reloaded');
  });
  configStore.on('error', (error) => {
    metrics.reloads.inc({ what: 'config', result: 'error' });
    logger.error({ file: options.config.file, error: error.message }, 'configuration reload failed; keeping the previous one');
  });

  const given = await tlsFilesOf(options);
  const clientCaPath = options.clientCaPath ?? given.files.clientCaPath;
  const files = { ...given.files, clientCaPath };
  const tls = new TlsReloader(files);
  metrics.certificateExpiry.set(certificateExpirySeconds(tls.options));
  tls.on('error', (error) => {
    metrics.reloads.inc({ what: 'tls', result: 'error' });
    logger.warn({ certPath: files.certPath, error: error.message }, 'TLS reload failed; serving the previous certificate');
  });

  return {
    configStore,
    tls,
    caPath: given.caPath,
    clientCaPath,
    watch(intervalMs, onTls) {
      tls.on('reloaded', (secure) => {
        onTls(secure);
        metrics.certificateExpiry.set(certificateExpirySeconds(secure));
        metrics.reloads.inc({ what: 'tls', result: 'ok' });
        logger.info({ certPath: files.certPath }, 'TLS certificate reloaded');
      });
      configStore.watch(intervalMs);
      tls.watch(intervalMs);
    },
    close() {
      configStore.close();
      tls.close();
    },
  };
}
