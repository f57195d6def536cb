// Whether serve can have its address, asked before it writes certificates: a second `serve` on a port in
// use must fail without rewriting the CA and serving certificate the running one reloads (issue 23).
import { createServer } from 'node:net';

/** A listen failure the user can act on: the message is one line, and serve exits 2. */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use (is another serve running?)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s',
};

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The error as a ListenError when it is a listen failure with a known cause, else undefined. */
export function listenErrorOf(error: unknown, host: string, port: number): ListenError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === undefined ? undefined : REASONS[code];
  return reason ? new ListenError(`cannot listen on ${hostPort(host, port)}: ${reason}`) : undefined;
}

/** Binds and releases the address; rejects with a ListenError when it cannot be had. Port 0 always can. */
export async function assertCanListen(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(listenErrorOf(error, host, port) ?? error));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
