// Large bodies are reviewed in a worker thread, one at a time. Parsing, copying and diffing a 2.3 MB
// DaemonSet takes 50-90 ms of CPU; on the event loop that time is added to every small review arriving
// meanwhile (a normal review took 3-10 s under 30 concurrent large ones). In the worker, the event loop
// only moves bytes, so small reviews are answered as if nothing else were happening, and at most one
// large review's parsed form exists at a time. The body is transferred to the worker, not copied.
//
// The worker cannot call back into the event loop's cluster view (the rules ask it synchronously), so
// with discovery on, large reviews run on the event loop, one at a time, instead (admission-route.ts).
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Endpoint } from '../admission/handler.js';
import type { BodyAnswer } from '../admission/body.js';
import type { ReviewRecord } from '../admission/instrumented.js';
import { rawConfigOf } from '../config/validate.js';
import type { RawConfig, WebhookConfig } from '../config/types.js';

export interface LargeReviewRequest {
  id: number;
  endpoint: Endpoint;
  body: Uint8Array;
  config: RawConfig;
}

export type LargeReviewReply = { id: number; answer: BodyAnswer; records: ReviewRecord[] } | { id: number; error: string };

type Reviewed = { answer: BodyAnswer; records: ReviewRecord[] };

/** The worker's entry: the compiled .js next to this file, or under tsx (tests) the .ts source. */
function startWorker(resourceLimits: ResourceLimits): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './large-review-worker.ts' : './large-review-worker.js', import.meta.url);
  // Under tsx the worker registers tsx itself: the parent's --import hooks do not reach it, and Node's own
  // type stripping would not map the sources' .js imports to their .ts files.
  return fromSource
    ? new Worker(`import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`, { eval: true, resourceLimits })
    : new Worker(entry, { resourceLimits });
}

export class LargeReviewWorker {
  /**
   * `heapMb`: the worker's JavaScript heap. A bounded heap makes its collector keep it small, and a
   * review that would not fit fails alone (the worker is replaced) instead of the process.
   */
  constructor(private readonly heapMb: { old: number; young: number }) {}

  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (reviewed: Reviewed) => void; reject: (error: Error) => void }>();
  private closed = false;

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker({ maxOldGenerationSizeMb: this.heapMb.old, maxYoungGenerationSizeMb: this.heapMb.young });
    // A server with nothing to do must be able to exit.
    worker.unref();
    worker.on('message', (reply: LargeReviewReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if ('answer' in reply) waiting.resolve({ answer: reply.answer, records: reply.records });
      else waiting.reject(new Error(reply.error));
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the large-review worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  review(endpoint: Endpoint, body: Buffer, config: WebhookConfig): Promise<Reviewed> {
    if (this.closed) return Promise.reject(new Error('the large-review worker is closed'));
    const worker = this.ensure();
    const id = this.nextId++;
    // Transfer, not copy: a body that owns its whole ArrayBuffer moves; one sharing a pool is copied first.
    const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : Buffer.from(body);
    const request: LargeReviewRequest = { id, endpoint, body: owned, config: rawConfigOf(config) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(request, [owned.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
