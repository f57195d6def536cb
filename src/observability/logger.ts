// Structured JSON logs (pino): one line per review. Object contents are never logged, so ConfigMap and
// Secret data cannot leak; the serializers below are the only way request data reaches a log line.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: 'calico-ipv6-webhook' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Belt and braces: if an object ever reaches a log call, its data never does.
      redact: { paths: ['*.data', '*.binaryData', '*.stringData', 'object', 'oldObject', 'request.object', 'request.oldObject'], censor: '[redacted]' },
    },
    options.destination,
  );
}

/** A logger that writes nowhere, for the CLI's offline commands and tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
