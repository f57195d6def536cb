// The webhook's own path from body bytes to answer bytes, in this process (bench:budget and bench), run
// on the build the bench serves (BENCH_WEBHOOK's dist, default dist/): what ships, not the sources under
// tsx, whose helpers (esbuild's keepNames wrappers) cost a tenth more.
import { openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import type * as Handler from '../src/admission/handler.js';
import type * as Body from '../src/admission/body.js';
import type * as Instrumented from '../src/admission/instrumented.js';
import type * as Logging from '../src/observability/logger.js';
import type * as Metrics from '../src/observability/metrics.js';
import type * as ConfigLoad from '../src/config/load.js';
import { REPO_ROOT } from './harness.js';

export type OwnPath = (body: string) => { micros: number; answerBytes: number };

/** The dist folder of the webhook under test: BENCH_WEBHOOK is its cli/main.js. */
function distRoot(): string {
  return process.env.BENCH_WEBHOOK ? resolve(dirname(process.env.BENCH_WEBHOOK), '..') : join(REPO_ROOT, 'dist');
}

/**
 * answerBody (scan, parse, decode, rules, patch, encode) with its metrics and review log line (to
 * /dev/null in 8 KiB batches as the server's, written synchronously: this loop never yields to let an
 * asynchronous write finish): best of 7 batches, in µs, warm.
 */
export async function ownPath(): Promise<OwnPath> {
  const dist = distRoot();
  const from = <T>(path: string) => import(pathToFileURL(join(dist, path)).href) as Promise<T>;
  const [{ reviewRequest }, { answerBody }, { instrumented }, { createLogger }, { WebhookMetrics }, { loadConfig }] = await Promise.all([
    from<typeof Handler>('admission/handler.js'), from<typeof Body>('admission/body.js'), from<typeof Instrumented>('admission/instrumented.js'),
    from<typeof Logging>('observability/logger.js'), from<typeof Metrics>('observability/metrics.js'), from<typeof ConfigLoad>('config/load.js'),
  ]);
  return (body) => {
    const config = loadConfig({});
    const logger = createLogger({ destination: pino.destination({ dest: openSync('/dev/null', 'w'), sync: true, minLength: 8192 }) });
    const review: Handler.Reviewer = instrumented((endpoint, decoded) => reviewRequest(endpoint, decoded, config), { metrics: new WebhookMetrics({ processMetrics: false }), logger });
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
  };
}
