// Memory bounded by design. A review costs memory from the moment its body is read until its answer is
// written: the body itself, then what parsing, cloning and diffing make of it (10 to 20 times the body
// for a DaemonSet with tens of thousands of env entries). Unbounded, 30 concurrent 2.3 MB reviews took
// the process from 84 to ~390 MB, past the chart's 256 MiB limit. So a review is admitted only within a
// budget of body bytes and of concurrent reviews, derived from the container's memory limit; beyond it,
// it waits briefly (its body unread: the socket is paused, so its bytes stay in the client) and is then
// refused with 429 and Retry-After. Large bodies may not use the part of the budget kept for small ones,
// and are reviewed one at a time, so at most one large review's parsed form is alive at once.

export interface BudgetSettings {
  /** Request body bytes admitted at once (being read, waiting or being reviewed). */
  maxBytes: number;
  /** Reviews admitted at once. */
  maxReviews: number;
  /** Bodies of more bytes than this are large. */
  largeBodyBytes: number;
  /** Bytes of maxBytes that only small bodies may use. */
  smallReserveBytes: number;
  /** How long a review may wait for room before it is refused. */
  waitMs: number;
  /** The large-review worker's heap (MB): old and young generation. */
  workerHeapMb: { old: number; young: number };
}

const MiB = 1024 * 1024;

/**
 * The budget for a container memory limit. Measured (bench/large-reviews.ts, 30 concurrent 2.3 MB
 * reviews): the process idles at 70-110 MiB RSS (Node 20 to 26); the large-review worker needs about 12 times the largest
 * body to review it (the JSON text, the parsed object, the rules' copy) and is given a heap of that
 * much, young generation apart; a body admitted but not yet reviewed costs its bytes and up to twice as
 * much again in TLS records and read chunks the collector has not returned yet.
 */
export function budgetForMemoryLimit(limitBytes: number, maxBodyBytes: number): BudgetSettings {
  const runtime = 112 * MiB;
  const workerOld = Math.ceil((12 * maxBodyBytes) / MiB);
  const workerYoung = 8;
  const worker = (workerOld + workerYoung + 16) * MiB;
  const smallReserveBytes = 2 * MiB;
  const left = Math.floor((limitBytes - runtime - worker) / 3);
  return {
    // Never below one largest body plus the small reserve: a legal review must always fit.
    maxBytes: Math.max(maxBodyBytes + smallReserveBytes, left),
    maxReviews: 256,
    largeBodyBytes: 256 * 1024,
    smallReserveBytes,
    waitMs: 1000,
    workerHeapMb: { old: workerOld, young: workerYoung },
  };
}

/** Room held by one admitted review; give it back once, when its answer is written or it failed. */
export interface Admission {
  readonly bytes: number;
  readonly large: boolean;
  release(): void;
}

interface Waiter {
  bytes: number;
  large: boolean;
  grant: (admission: Admission | undefined) => void;
  timer: NodeJS.Timeout;
}

export class ReviewBudget {
  private bytes = 0;
  private reviews = 0;
  private readonly waiting: Waiter[] = [];
  /** Large reviews run one at a time: the tail of their chain. */
  private largeLane: Promise<void> = Promise.resolve();
  /** Highest in-flight byte count seen: for tests and metrics. */
  peakBytes = 0;

  constructor(readonly settings: BudgetSettings) {}

  get inFlightBytes(): number {
    return this.bytes;
  }

  get inFlightReviews(): number {
    return this.reviews;
  }

  isLarge(bytes: number): boolean {
    return bytes > this.settings.largeBodyBytes;
  }

  private fits(bytes: number, large: boolean): boolean {
    const room = this.settings.maxBytes - (large ? this.settings.smallReserveBytes : 0);
    return this.reviews < this.settings.maxReviews && this.bytes + bytes <= room;
  }

  private take(bytes: number, large: boolean): Admission {
    this.bytes += bytes;
    this.reviews++;
    if (this.bytes > this.peakBytes) this.peakBytes = this.bytes;
    let released = false;
    return {
      bytes,
      large,
      release: () => {
        if (released) return;
        released = true;
        this.bytes -= bytes;
        this.reviews--;
        this.wake();
      },
    };
  }

  /** Waiters in arrival order, each admitted if it fits now: a small one never waits behind a large one that does not. */
  private wake(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const waiter = this.waiting[i] as Waiter;
      if (!this.fits(waiter.bytes, waiter.large)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      clearTimeout(waiter.timer);
      waiter.grant(this.take(waiter.bytes, waiter.large));
    }
  }

  /**
   * Room for a body of `bytes` (the announced length; the largest legal body when none is announced),
   * now, or within waitMs; undefined when there was none (answer 429).
   */
  admit(bytes: number): Admission | Promise<Admission | undefined> {
    const large = this.isLarge(bytes);
    // Whoever waits does not fit now (every release re-checks them), so one that fits may pass them.
    if (this.fits(bytes, large)) return this.take(bytes, large);
    if (bytes > this.settings.maxBytes - (large ? this.settings.smallReserveBytes : 0)) return Promise.resolve(undefined);
    return new Promise((grant) => {
      const waiter: Waiter = {
        bytes,
        large,
        grant,
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          grant(undefined);
        }, this.settings.waitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /**
   * Runs `work` for a large review after the large reviews before it: one at a time, each after a turn
   * of the event loop, so that small reviews that arrived meanwhile go first.
   */
  inLargeLane<T>(work: () => Promise<T>): Promise<T> {
    const result = this.largeLane.then(() => new Promise<void>((turn) => setImmediate(turn))).then(work);
    this.largeLane = result.then(() => undefined, () => undefined);
    return result;
  }
}

/** The chart's memory limit (values.yaml resources.limits.memory), the default the budget is sized for. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 256 * MiB;
