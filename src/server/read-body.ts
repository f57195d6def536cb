// A request body read once into one buffer, within a limit: with a Content-Length (what the API server
// sends) into a buffer of exactly that size, without one into the chunks as they come.
import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {}

/** The body, or BodyTooLarge past `limit` bytes; rejects when the client goes away mid-body. */
export function readBody(req: IncomingMessage, declared: number | undefined, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (declared !== undefined && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const whole = declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > (whole ? whole.length : limit)) {
        cleanup();
        // Node reads and drops the rest once the answer is written, keeping the connection usable.
        reject(new BodyTooLarge());
        return;
      }
      if (whole) chunk.copy(whole, received);
      else chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => {
      cleanup();
      if (whole && received !== whole.length) reject(new Error('request body shorter than its Content-Length'));
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
