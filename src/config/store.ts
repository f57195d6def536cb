// Holds the live configuration and reloads it when its file changes, keeping the last good one on error.
import { watchFile, unwatchFile } from 'node:fs';
import { EventEmitter } from 'node:events';
import { loadConfig, type ConfigSource } from './load.js';
import type { WebhookConfig } from './types.js';

export interface ConfigStoreEvents {
  reloaded: [WebhookConfig];
  error: [Error];
}

export class ConfigStore extends EventEmitter<ConfigStoreEvents> {
  #current: WebhookConfig;
  #watching = false;

  /** Throws ConfigError when the initial configuration is invalid: the server must not start on it. */
  constructor(private readonly source: ConfigSource) {
    super();
    this.#current = loadConfig(source);
  }

  get current(): WebhookConfig {
    return this.#current;
  }

  /** Re-reads the stack; on failure keeps the previous configuration and emits `error`. */
  reload(): boolean {
    try {
      this.#current = loadConfig(this.source);
      this.emit('reloaded', this.#current);
      return true;
    } catch (error) {
      this.emit('error', error as Error);
      return false;
    }
  }

  /**
   * Polls the file's stat: a ConfigMap volume swaps a symlink, which fs.watch on the file misses,
   * while stat follows the link and sees the new content's mtime.
   */
  watch(intervalMs = 1000): void {
    const file = this.source.file;
    if (!file || this.#watching) return;
    this.#watching = true;
    watchFile(file, { interval: intervalMs, persistent: false }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) this.reload();
    });
  }

  close(): void {
    if (this.source.file && this.#watching) unwatchFile(this.source.file);
    this.#watching = false;
  }
}
