// The large-review worker's thread: reviews one large body at a time, off the server's event loop, with
// the same decorator as the event loop, recording into a list the event loop replays into its metrics
// and log.
import { parentPort } from 'node:worker_threads';
import { answerBody } from '../admission/body.js';
import { reviewRequest } from '../admission/handler.js';
import { instrumentedWith, type ReviewRecord } from '../admission/instrumented.js';
import { validateConfig } from '../config/validate.js';
import type { RawConfig, WebhookConfig } from '../config/types.js';
import type { LargeReviewRequest, LargeReviewReply } from './large-reviews.js';

let configText = '';
let config: WebhookConfig | undefined;

function configOf(raw: RawConfig): WebhookConfig {
  const text = JSON.stringify(raw);
  if (text !== configText || !config) {
    config = validateConfig(raw);
    configText = text;
  }
  return config;
}

parentPort?.on('message', (request: LargeReviewRequest) => {
  let reply: LargeReviewReply;
  try {
    const records: ReviewRecord[] = [];
    const current = configOf(request.config);
    const review = instrumentedWith((endpoint, decoded) => reviewRequest(endpoint, decoded, current), (record) => records.push(record));
    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
    reply = { id: request.id, answer: answerBody(request.endpoint, body, review), records };
  } catch (error) {
    reply = { id: request.id, error: (error as Error).stack ?? String(error) };
  }
  parentPort?.postMessage(reply);
});
