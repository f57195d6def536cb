// The graceful shutdown: unready first (so endpoints drop this pod), wait the delay, stop accepting, let
// in-flight reviews finish within the timeout, then close what is left. Called once; later calls share it.
import type { Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from '../observability/logger.js';

export interface ShutdownOptions {
  server: Server;
  logger: Logger;
  /** Seconds between turning unready and refusing new connections. */
  delaySeconds: number;
  /** Seconds in-flight requests get to finish once the listener is closed. */
  timeoutSeconds: number;
  /** Turns the server unready (readiness, the ready gauge, `Connection: close` on answers). */
  unready(): void;
  /** After the delay, before the listener closes: stop the file reloads. */
  stopWatching(): void;
  /** After the last connection: stop the rest (the large-review worker). */
  closeRest(): Promise<void>;
}

/** Tracks the server's connections and returns its shutdown. */
export function gracefulShutdown(options: ShutdownOptions): () => Promise<void> {
  const { server, logger } = options;
  const sockets = new Set<Socket>();
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      options.unready();
      logger.info({ delaySeconds: options.delaySeconds }, 'shutting down: readiness is now false');
      await new Promise((resolve) => setTimeout(resolve, options.delaySeconds * 1000));
      options.stopWatching();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), options.timeoutSeconds * 1000);
      await closed;
      clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await options.closeRest();
      logger.info('shut down');
    })();
    return closing;
  };
}
