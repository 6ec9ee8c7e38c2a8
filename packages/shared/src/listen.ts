import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The small HTTP servers beside the main ones (the dispatcher's /healthz, /metrics): started on
// their port and closed at once at shutdown, connections and all.

export interface SmallServer {
  port: number;
  close(): Promise<void>;
}

/** Listens on `where` (port 0: any free one) and resolves once it does, or rejects. */
export async function listenOn(
  server: Server,
  where: { host: string; port: number },
): Promise<SmallServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
