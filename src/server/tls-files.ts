// The serving certificate and key from files, reloaded when they change (cert-manager rotates them by
// swapping a Secret volume's symlink), so rotation needs no restart and never serves a half-written pair.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { Reloading } from '../files/reloading.js';

export interface TlsFiles {
  certPath: string;
  keyPath: string;
  /** When set, clients must present a certificate signed by this CA (the API server's client cert). */
  clientCaPath?: string | undefined;
}

/** TLS 1.2 is the floor; the API server speaks 1.3 where it can. */
export const MIN_TLS_VERSION = 'TLSv1.2';

function readTlsOptions(files: TlsFiles): SecureContextOptions {
  const options: SecureContextOptions = {
    cert: readFileSync(files.certPath),
    key: readFileSync(files.keyPath),
    minVersion: MIN_TLS_VERSION,
  };
  if (files.clientCaPath) options.ca = readFileSync(files.clientCaPath);
  // Throws on a key that does not match the certificate, or unreadable PEM: checked before use.
  createSecureContext(options);
  return options;
}

/** notAfter of the serving certificate (the first in the chain), as Unix seconds. */
export function certificateExpirySeconds(options: SecureContextOptions): number {
  return new X509Certificate(options.cert as Buffer).validToDate.getTime() / 1000;
}

/** The serving options, reloaded when the certificate, key or client CA file changes. */
export class TlsReloader extends Reloading<SecureContextOptions> {
  constructor(files: TlsFiles) {
    super([files.certPath, files.keyPath, ...(files.clientCaPath ? [files.clientCaPath] : [])], () => readTlsOptions(files));
  }

  get options(): SecureContextOptions {
    return this.current;
  }
}
