// Holds the live configuration and reloads it when its file changes, keeping the last good one on error.
import { Reloading } from '../files/reloading.js';
import { loadConfig, type ConfigSource } from './load.js';
import type { WebhookConfig } from './types.js';

export class ConfigStore extends Reloading<WebhookConfig> {
  /** Throws ConfigError when the initial configuration is invalid: the server must not start on it. */
  constructor(source: ConfigSource) {
    super(source.file ? [source.file] : [], () => loadConfig(source));
  }
}
