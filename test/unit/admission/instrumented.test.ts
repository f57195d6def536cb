// Metrics and the review log as a decorator around a reviewer: counted, timed, logged; a reviewer that
// throws is answered with a 500 and counted as an error; two servers' metrics share nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowed, respond } from '../../../src/admission/answer.js';
import type { Reviewer } from '../../../src/admission/handler.js';
import { instrumented } from '../../../src/admission/instrumented.js';
import { decodeReview } from '../../../src/admission/review.js';
import { createLogger } from '../../../src/observability/logger.js';
import { WebhookMetrics } from '../../../src/observability/metrics.js';
import { calicoNodeDaemonSet, review } from '../../support/reviews.js';

function logged() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { lines, logger };
}

const request = decodeReview(review(calicoNodeDaemonSet(), { uid: 'u-7' }));

describe('instrumented reviewer', () => {
  it('counts, times and logs each review, without the object', async () => {
    const metrics = new WebhookMetrics({ processMetrics: false });
    const { lines, logger } = logged();
    const inner: Reviewer = (_endpoint, r) => ({ response: respond(r.uid, allowed()), decision: 'denied', violated: ['calico-node/ip6'], target: 'calico-node', patchOperations: 0 });
    const outcome = instrumented(inner, { metrics, logger })('validate', request);
    assert.equal(outcome.decision, 'denied');
    const text = await metrics.registry.metrics();
    assert.match(text, /calico_ipv6_webhook_reviews_total\{endpoint="validate",kind="DaemonSet",operation="CREATE",decision="denied"\} 1/);
    assert.match(text, /calico_ipv6_webhook_rejections_total\{rule="calico-node\/ip6"\} 1/);
    assert.match(text, /calico_ipv6_webhook_review_duration_seconds_count\{endpoint="validate"\} 1/);
    const line = lines.find((l) => l.msg === 'review');
    assert.equal(line?.uid, 'u-7');
    assert.equal(line?.rule, 'calico-node');
    assert.equal(line?.decision, 'denied');
    assert.equal(JSON.stringify(lines).includes('CALICO_IPV6POOL_CIDR'), false);
  });

  it('a reviewer that throws is answered 500 InternalError with the uid, counted as error and logged', async () => {
    const metrics = new WebhookMetrics({ processMetrics: false });
    const { lines, logger } = logged();
    const outcome = instrumented(() => { throw new Error('bug'); }, { metrics, logger })('mutate', request);
    assert.deepEqual(outcome.response, { uid: 'u-7', allowed: false, status: { code: 500, reason: 'InternalError', message: 'calico-ipv6-webhook failed to review this object: bug' } });
    assert.equal(outcome.decision, 'error');
    assert.match(await metrics.registry.metrics(), /decision="error"\} 1/);
    assert.ok(lines.some((l) => l.msg === 'rule failed'));
  });

  it('kind labels are bounded per metrics instance: one server filling its set leaves another alone', () => {
    const full = new WebhookMetrics({ processMetrics: false });
    for (let i = 0; i < 64; i += 1) full.kindLabel(`Kind${i}`);
    assert.equal(full.kindLabel('DaemonSet'), 'other');
    assert.equal(full.kindLabel('Kind3'), 'Kind3');
    assert.equal(new WebhookMetrics({ processMetrics: false }).kindLabel('DaemonSet'), 'DaemonSet');
    assert.equal(full.kindLabel('not a kind!'), 'other');
  });
});
