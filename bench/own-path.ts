// The webhook's own path from body bytes to answer bytes, in this process (bench:budget and bench).
import { openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { reviewRequest, type Reviewer } from '../src/admission/handler.js';
import { answerBody } from '../src/admission/body.js';
import { instrumented } from '../src/admission/instrumented.js';
import { createLogger } from '../src/observability/logger.js';
import { WebhookMetrics } from '../src/observability/metrics.js';
import { loadConfig } from '../src/config/load.js';

/**
 * answerBody (scan, parse, decode, rules, patch, encode) with its metrics and review log line (to
 * /dev/null in 8 KiB batches as the server's, written synchronously: this loop never yields to let an
 * asynchronous write finish): best of 7 batches, in µs, warm.
 */
export function reviewMicros(body: string): { micros: number; answerBytes: number } {
  const config = loadConfig({});
  const logger = createLogger({ destination: pino.destination({ dest: openSync('/dev/null', 'w'), sync: true, minLength: 8192 }) });
  const review: Reviewer = instrumented((endpoint, decoded) => reviewRequest(endpoint, decoded, config), { metrics: new WebhookMetrics({ processMetrics: false }), logger });
  const raw = Buffer.from(body);
  const answerBytes = Buffer.byteLength(answerBody('mutate', raw, review).text);
  for (let i = 0; i < 3000; i++) answerBody('mutate', raw, review);
  let best = Infinity;
  for (let batch = 0; batch < 7; batch++) {
    const start = performance.now();
    for (let i = 0; i < 2000; i++) answerBody('mutate', raw, review);
    best = Math.min(best, ((performance.now() - start) / 2000) * 1000);
  }
  return { micros: best, answerBytes };
}
