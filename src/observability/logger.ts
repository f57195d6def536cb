// Structured JSON logs (pino): one line per review. Object contents are never logged, so ConfigMap and
// Secret data cannot leak; the serializers below are the only way request data reaches a log line.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
  /**
   * Write stdout asynchronously (the server): a line is queued and written by the event loop, and lines
   * logged while a write is in flight go out together, so a busy server makes one write per batch
   * instead of one blocking write per review. Flushed on exit. Ignored when a destination is given.
   */
  async?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? (options.async ? pino.destination({ dest: 1, sync: false }) : undefined);
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: 'calico-ipv6-webhook' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Belt and braces: if an object ever reaches a log call, its data never does.
      redact: { paths: ['*.data', '*.binaryData', '*.stringData', 'object', 'oldObject', 'request.object', 'request.oldObject'], censor: '[redacted]' },
    },
    destination,
  );
}

/** A logger that writes nowhere, for the CLI's offline commands and tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
