// Prometheus metrics on a registry of the server's own, so several servers (tests) never share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const MAX_KIND_LABELS = 64;

function at<V>(map: Map<string, V>, key: string, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

export class WebhookMetrics {
  readonly registry = new Registry();

  readonly reviews = new Counter({
    name: 'calico_ipv6_webhook_reviews_total',
    help: 'Admission reviews answered, by endpoint, object kind, operation and decision (allowed, patched, denied, error).',
    labelNames: ['endpoint', 'kind', 'operation', 'decision'] as const,
    registers: [this.registry],
  });

  readonly duration = new Histogram({
    name: 'calico_ipv6_webhook_review_duration_seconds',
    help: 'Time to review a decoded request (rules, verdict, patch), by endpoint.',
    labelNames: ['endpoint'] as const,
    // Up to the API server's longest webhook timeout (30 s), so a p99 near the configured timeout is visible.
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly rejections = new Counter({
    name: 'calico_ipv6_webhook_rejections_total',
    help: 'Problems that denied (or, with validationAction warn, would have denied) a review, by rule.',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });

  readonly badRequests = new Counter({
    name: 'calico_ipv6_webhook_bad_requests_total',
    help: 'Requests refused before review: malformed body (400), too large (413), wrong content type (415).',
    labelNames: ['endpoint', 'status'] as const,
    registers: [this.registry],
  });

  readonly reloads = new Counter({
    name: 'calico_ipv6_webhook_reloads_total',
    help: 'Reloads of the configuration file and of the TLS certificate, by what and result.',
    labelNames: ['what', 'result'] as const,
    registers: [this.registry],
  });

  readonly certificateExpiry = new Gauge({
    name: 'calico_ipv6_webhook_certificate_expiry_timestamp_seconds',
    help: 'When the serving certificate in use expires (notAfter, Unix seconds); follows reloads.',
    registers: [this.registry],
  });

  readonly ready = new Gauge({
    name: 'calico_ipv6_webhook_ready',
    help: '1 while the server reports ready.',
    registers: [this.registry],
  });

  /** Kinds seen as a label so far: bounded, so a caller sending random kinds cannot grow the registry. */
  readonly #kindLabels = new Set<string>();

  /** The kind as a metrics label, or `other` past the bound or for a kind that is not a plain name. */
  kindLabel(kind: string): string {
    if (this.#kindLabels.has(kind)) return kind;
    if (this.#kindLabels.size >= MAX_KIND_LABELS || !/^[A-Za-z][A-Za-z0-9]{0,62}$/.test(kind)) return 'other';
    this.#kindLabels.add(kind);
    return kind;
  }

  /** Label children made once, found by nested lookups: counting a review allocates nothing of ours. */
  readonly #reviewChildren = new Map<string, Map<string, Map<string, Map<string, { inc(): void }>>>>();
  readonly #durationChildren = new Map<string, { observe(value: number): void }>();

  /** One review answered; `kind` already passed through kindLabel, so every level is a small set. */
  countReview(endpoint: string, kind: string, operation: string, decision: string): void {
    const byKind = at(this.#reviewChildren, endpoint, () => new Map());
    const byOperation = at(byKind, kind, () => new Map());
    const byDecision = at(byOperation, operation, () => new Map());
    at(byDecision, decision, () => this.reviews.labels(endpoint, kind, operation, decision)).inc();
  }

  observeDuration(endpoint: string, seconds: number): void {
    at(this.#durationChildren, endpoint, () => this.duration.labels(endpoint)).observe(seconds);
  }

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'calico_ipv6_webhook_' });
  }
}
