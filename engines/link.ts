// The network between the browser and the app, as a switch. Browsers reach the app through this
// local TCP forwarder; cutting it resets every open connection and every new one, so the page's
// and the service worker's requests fail as they do when the network goes. Firefox and WebKit
// have no switch that fails a service worker's loopback fetches, so this is the one every engine uses.
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A local forwarder to `targetPort` that can be cut and restored. */
export interface Link {
  /** The port browsers connect to. */
  readonly port: number;
  cut(): void;
  restore(): void;
  /** Sends new connections to another port (a server restarted elsewhere); open ones stay as they are. */
  retarget(port: number): void;
  close(): Promise<void>;
}

/** Opens a forwarder on a free port of 127.0.0.1 to 127.0.0.1:`targetPort`. */
export async function openLink(targetPort: number): Promise<Link> {
  let cut = false;
  let target = targetPort;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the link has no port');
  return {
    port: address.port,
    cut() {
      cut = true;
      for (const socket of open) socket.resetAndDestroy();
    },
    restore() {
      cut = false;
    },
    retarget(port) {
      target = port;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
