// Structured JSON logs (pino): one line per review. Object contents are never logged, so ConfigMap and
// Secret data cannot leak; censorLogObject below catches one that reaches a log call by mistake.
import { pino, type Logger, type DestinationStream } from 'pino';
import { isRecord } from '../k8s/object.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
  /**
   * Write stdout asynchronously and in batches (the server): lines are gathered up to BATCH_BYTES and
   * written by the event loop, and what is gathered goes out at least every FLUSH_INTERVAL_MS, so a busy
   * server makes a write per batch (measured: one every 12 reviews, where joining only the lines logged
   * during a write in flight made one every 4). Flushed on exit and, by the server, after its start-up
   * line. Ignored when a destination is given.
   */
  async?: boolean;
  /** Where the asynchronous log goes: stdout unless a test gives another file descriptor. */
  fd?: number;
}

/** A batch: about 25 review lines (sonic-boom writes at most 16 KiB at once). */
const BATCH_BYTES = 8 * 1024;
/** How late a line may appear in the log at most (plus the time of the write itself). */
export const FLUSH_INTERVAL_MS = 200;

const CENSOR = '[redacted]';
const OBJECT_KEYS = new Set(['object', 'oldObject']);
const DATA_KEYS = new Set(['data', 'binaryData', 'stringData']);


/**
 * Belt and braces: if an object ever reaches a log call, its data never does. Censors what pino's
 * redact paths `object`, `oldObject`, `request.object`, `request.oldObject` and `*.data`,
 * `*.binaryData`, `*.stringData` would, in one shallow pass that copies nothing when nothing matches:
 * a fifth of the cost of pino's redact on the per-review line, which never matches.
 */
function censorLogObject(entry: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in entry) {
    const value = entry[key];
    if (OBJECT_KEYS.has(key)) {
      (out ??= { ...entry })[key] = CENSOR;
      continue;
    }
    if (!isRecord(value)) continue;
    let inner: Record<string, unknown> | undefined;
    for (const innerKey in value) {
      if (DATA_KEYS.has(innerKey) || (key === 'request' && OBJECT_KEYS.has(innerKey))) (inner ??= { ...value })[innerKey] = CENSOR;
    }
    if (inner) (out ??= { ...entry })[key] = inner;
  }
  return out ?? entry;
}

/** Writes what the batch holds now; false once the stream is destroyed (stdout closed). */
function flushNow(stream: ReturnType<typeof pino.destination>): boolean {
  try {
    stream.flush();
    return true;
  } catch {
    return false;
  }
}

function batchedStdout(fd: number): ReturnType<typeof pino.destination> {
  const stream = pino.destination({ dest: fd, sync: false, minLength: BATCH_BYTES });
  // unref: the timer never keeps the process alive; sonic-boom flushes what is left at exit.
  const timer = setInterval(() => {
    if (!flushNow(stream)) clearInterval(timer);
  }, FLUSH_INTERVAL_MS);
  timer.unref();
  return stream;
}

/**
 * pino's isoTime, made once per millisecond: toISOString was a tenth of a review line's cost, and a busy
 * server writes many lines within one millisecond.
 */
function isoTimeByMillisecond(): () => string {
  let last = -1;
  let text = '';
  return () => {
    const now = Date.now();
    if (now !== last) {
      last = now;
      text = `,"time":"${new Date(now).toISOString()}"`;
    }
    return text;
  };
}

/** pino's numeric level of `warn`: warnings and errors are rare and wanted now, so they go out at once. */
const WARN = 40;

export function createLogger(options: LoggerOptions = {}): Logger {
  const batched = options.destination || !options.async ? undefined : batchedStdout(options.fd ?? 1);
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: 'calico-ipv6-webhook' },
      timestamp: isoTimeByMillisecond(),
      formatters: { level: (label) => ({ level: label }), log: censorLogObject },
      ...(batched && {
        hooks: {
          logMethod(args, method, level) {
            method.apply(this, args);
            if (level >= WARN) flushNow(batched);
          },
        },
      }),
    },
    options.destination ?? batched,
  );
}

