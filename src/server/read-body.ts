// A request body read once, within a limit. With a Content-Length (what the API server sends): a body
// that arrives in one chunk (a normal review does) is used as it came, without a copy; one in several
// chunks is copied into one buffer of exactly that length. Without one: the chunks as they come, joined.
import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {}

/** The body, or BodyTooLarge past `limit` bytes; rejects when the client goes away mid-body. */
export function readBody(req: IncomingMessage, declared: number | undefined, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (declared !== undefined && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    let whole: Buffer | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > (declared ?? limit)) {
        cleanup();
        // Node reads and drops the rest once the answer is written, keeping the connection usable.
        reject(new BodyTooLarge());
        return;
      }
      if (declared !== undefined && (whole || chunk.length < declared)) {
        whole ??= Buffer.allocUnsafe(declared);
        chunk.copy(whole, received);
      } else {
        chunks.push(chunk);
      }
      received += chunk.length;
    };
    const onEnd = () => {
      cleanup();
      if (declared !== undefined && received !== declared) reject(new Error('request body shorter than its Content-Length'));
      else resolve(whole ?? (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received)));
    };
    const onClose = () => {
      cleanup();
      reject(new Error('request aborted'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onClose);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onClose);
    req.on('close', onClose);
  });
}
