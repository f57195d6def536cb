// The serving certificate and key from files, reloaded when they change (cert-manager rotates them by
// swapping a Secret volume's symlink), so rotation needs no restart and never serves a half-written pair.
import { readFileSync, watchFile, unwatchFile } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { EventEmitter } from 'node:events';

export interface TlsFiles {
  certPath: string;
  keyPath: string;
  /** When set, clients must present a certificate signed by this CA (the API server's client cert). */
  clientCaPath?: string | undefined;
}

/** TLS 1.2 is the floor; the API server speaks 1.3 where it can. */
export const MIN_TLS_VERSION = 'TLSv1.2';

export function readTlsOptions(files: TlsFiles): SecureContextOptions {
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

export interface TlsReloaderEvents {
  reloaded: [SecureContextOptions];
  error: [Error];
}

export class TlsReloader extends EventEmitter<TlsReloaderEvents> {
  #options: SecureContextOptions;
  #watching = false;

  constructor(private readonly files: TlsFiles) {
    super();
    this.#options = readTlsOptions(files);
  }

  get options(): SecureContextOptions {
    return this.#options;
  }

  reload(): boolean {
    try {
      this.#options = readTlsOptions(this.files);
      this.emit('reloaded', this.#options);
      return true;
    } catch (error) {
      // Certificate and key are written one after the other; a mismatch now is usually fixed by the next write.
      this.emit('error', error as Error);
      return false;
    }
  }

  private paths(): string[] {
    return [this.files.certPath, this.files.keyPath, ...(this.files.clientCaPath ? [this.files.clientCaPath] : [])];
  }

  /** stat polling follows symlinks, so it sees a Secret volume's atomic swap that fs.watch can miss. */
  watch(intervalMs = 1000): void {
    if (this.#watching) return;
    this.#watching = true;
    for (const path of this.paths()) {
      watchFile(path, { interval: intervalMs, persistent: false }, (now, before) => {
        if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) this.reload();
      });
    }
  }

  close(): void {
    if (!this.#watching) return;
    for (const path of this.paths()) unwatchFile(path);
    this.#watching = false;
  }
}
