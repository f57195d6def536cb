// Memory bounded by design: reviews hold body bytes only within the budget. Over HTTPS, with the budget
// of the smallest container: a large review that does not fit gets 429 with Retry-After before its body
// is sent in full, a small one is still answered correctly, and the bytes in flight never exceeded the
// budget. And the budget itself, under any sequence of arrivals and releases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import type { ClientRequest } from 'node:http';
import fc from 'fast-check';
import { applyPatch, type Operation } from 'rfc6902';
import { budgetForMemoryLimit, ReviewBudget, type Admission, type BudgetSettings } from '../../../src/server/review-budget.js';
import { MAX_BODY_BYTES } from '../../../src/server/app.js';
import { calicoNodeDaemonSet, nonTargetConfigMap, review } from '../../support/reviews.js';
import { decodePatch, replyOf, responseOf, send, startTestServer, type Reply, type TestServer } from '../../support/server.js';

/** A non-target review of exactly `size` bytes. */
function reviewOfSize(size: number, uid: string): Buffer {
  const base = JSON.stringify(review(nonTargetConfigMap({ pad: '' }), { uid }));
  return Buffer.from(base.replace('"pad":""', `"pad":"${'p'.repeat(size - base.length)}"`));
}

/** Sends the headers and the first `sent` bytes of `body`; the rest only when `finish` is called. */
function partly(server: TestServer, body: Buffer, sent: number): { reply: Promise<Reply>; finish(): void; req: ClientRequest } {
  let req!: ClientRequest;
  const reply = new Promise<Reply>((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': body.length };
    req = httpsRequest(new URL('/mutate', server.url), { method: 'POST', ca: server.ca, agent: false, headers }, (res) => void replyOf(res).then(resolve, reject));
    req.on('error', reject);
    req.write(body.subarray(0, sent));
  });
  return { reply, finish: () => req.end(body.subarray(sent)), req };
}

const eventually = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(check(), 'condition never met');
};

test('over HTTPS: beyond the budget a review gets 429 and Retry-After unread; small reviews go on; in-flight bytes stay within it', async (t) => {
  // The smallest budget: one largest body plus the small reserve, so large bodies fit one at a time.
  const server = await startTestServer(t, { memoryLimitBytes: 64 * 1024 * 1024 });
  const { budget } = server.running;
  assert.equal(budget.settings.maxBytes, MAX_BODY_BYTES + budget.settings.smallReserveBytes);

  const first = reviewOfSize(2_500_000, 'large-1');
  const holding = partly(server, first, 1000);
  await eventually(() => budget.inFlightBytes >= first.length);

  // The second large review does not fit: refused after a short wait, with only 1000 of its bytes sent.
  const second = partly(server, reviewOfSize(2_400_000, 'large-2'), 1000);
  const refused = await second.reply;
  second.req.destroy();
  assert.equal(refused.status, 429, refused.text.slice(0, 300));
  assert.equal(refused.headers['retry-after'], '1');
  const refusedReview = responseOf(refused);
  assert.equal(refusedReview.allowed, false);
  assert.equal(refusedReview.status?.code, 429);
  assert.match(refusedReview.status?.message ?? '', /memory budget/);

  // A normal review meanwhile: answered, and right.
  const object = calicoNodeDaemonSet();
  const small = await send(server.url, '/mutate', review(object, { uid: 'small' }), { ca: server.ca });
  assert.equal(small.status, 200);
  const answer = responseOf(small);
  assert.equal(answer.uid, 'small');
  assert.equal(answer.patchType, 'JSONPatch');
  const patched = structuredClone(object);
  assert.deepEqual(applyPatch(patched, decodePatch(answer) as Operation[]).filter((e) => e !== null), []);

  // The first, once its body is complete, is reviewed as usual.
  holding.finish();
  const done = await holding.reply;
  assert.equal(done.status, 200);
  assert.deepEqual(responseOf(done), { uid: 'large-1', allowed: true });

  assert.ok(budget.peakBytes <= budget.settings.maxBytes, `peak ${budget.peakBytes} > budget ${budget.settings.maxBytes}`);
  await eventually(() => budget.inFlightBytes === 0 && budget.inFlightReviews === 0);
});

test('a bigger container gets a bigger budget, never below one largest body plus the reserve', () => {
  const sizes = [64, 128, 256, 512, 1024, 4096].map((mib) => budgetForMemoryLimit(mib * 1024 * 1024, MAX_BODY_BYTES).maxBytes);
  for (let i = 1; i < sizes.length; i++) assert.ok((sizes[i] ?? 0) >= (sizes[i - 1] ?? 0));
  assert.ok((sizes[0] ?? 0) >= MAX_BODY_BYTES);
  // The chart's 256 MiB holds at least several 2.3 MB bodies in flight, and less than a fifth of the limit.
  const chart = budgetForMemoryLimit(256 * 1024 * 1024, MAX_BODY_BYTES).maxBytes;
  assert.ok(chart >= 4 * 2_400_000 && chart <= (256 * 1024 * 1024) / 5, String(chart));
});

test('the budget, under any arrivals and releases: bytes and reviews never exceed it, large ones leave the reserve, no one waits forever', async () => {
  const settings: BudgetSettings = { maxBytes: 10_000, maxReviews: 5, largeBodyBytes: 1000, smallReserveBytes: 2000, waitMs: 5, workerHeapMb: { old: 1, young: 1 } };
  const step = fc.oneof(
    fc.record({ arrive: fc.integer({ min: 1, max: 12_000 }) }),
    fc.record({ release: fc.nat() }),
    fc.record({ wait: fc.constant(true) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
      const budget = new ReviewBudget(settings);
      const held: Admission[] = [];
      const pending: Promise<void>[] = [];
      const check = () => {
        assert.ok(budget.inFlightBytes <= settings.maxBytes);
        assert.ok(budget.inFlightReviews <= settings.maxReviews);
        const large = held.filter((a) => a.large).reduce((sum, a) => sum + a.bytes, 0);
        assert.ok(large <= settings.maxBytes - settings.smallReserveBytes, `large ${large}`);
      };
      for (const s of steps) {
        if ('arrive' in s) {
          const got = budget.admit(s.arrive);
          if (got instanceof Promise) {
            pending.push(got.then((admission) => {
              if (admission) held.push(admission);
              check();
            }));
          } else held.push(got);
        } else if ('release' in s) {
          held.splice(s.release % Math.max(1, held.length), 1)[0]?.release();
        } else {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        check();
      }
      // Everyone waiting is answered (admitted or refused) once the wait is over.
      await Promise.all(pending);
      for (const admission of held.splice(0)) admission.release();
      assert.equal(budget.inFlightBytes, 0);
      assert.equal(budget.inFlightReviews, 0);
      assert.ok(budget.peakBytes <= settings.maxBytes);
    }),
    { numRuns: 300 },
  );
});
