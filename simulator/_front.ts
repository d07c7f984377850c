/**
 * The connection-level front of a simulator injecting `reset` or
 * `never-answer` faults.
 *
 * A `Deno.serve` handler cannot drop its connection: whatever it does (throw,
 * answer `Response.error()`, error the body), Deno still sends a status line.
 * So when such faults are asked for, clients connect to this front instead: a
 * TCP relay (`node:net`, whose `resetAndDestroy` sends a real RST) that pipes
 * each client connection to the `Deno.serve` server on a private loopback
 * port. The handler of a faulted request asks the front to reset the client
 * connection its request came on, found by the relay socket's local port
 * (which the handler sees as its remote address).
 *
 * Only runs with those faults: every other simulator serves clients directly,
 * so the relay's hop (tens of microseconds per write) never touches their
 * timing.
 *
 * @module
 */

import net from "node:net";

/** A running front. */
export interface ConnectionFront {
  /** The port clients connect to. */
  readonly port: number;
  /** Sets the loopback port of the server that connections from now on are relayed to. */
  relayTo(serverPort: number): void;
  /**
   * Resets (RST, no response byte) the client connection whose relay to the
   * server has local port `relayPort`; `false` when it is already gone.
   */
  reset(relayPort: number): boolean;
  /** Stops accepting and closes every connection. */
  close(): Promise<void>;
}

/**
 * Starts a front on `hostname:port`; it relays to `127.0.0.1` on the port
 * given to {@linkcode ConnectionFront.relayTo}.
 */
export async function startFront(hostname: string, port: number): Promise<ConnectionFront> {
  let serverPort = 0;
  /** Client sockets by the local port of their relay socket. */
  const byRelay = new Map<number, net.Socket>();
  const open = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (client) => {
    const relay = net.connect({ host: "127.0.0.1", port: serverPort, noDelay: true });
    open.add(client).add(relay);
    let relayPort: number | undefined;
    relay.once("connect", () => {
      relayPort = relay.localPort;
      if (relayPort !== undefined) byRelay.set(relayPort, client);
    });
    const end = () => {
      if (relayPort !== undefined) byRelay.delete(relayPort);
      open.delete(client);
      open.delete(relay);
      client.destroy();
      relay.destroy();
    };
    // A reset or a client gone mid-stream errors the pipes: nothing to report.
    client.on("error", end).on("close", end);
    relay.on("error", end).on("close", end);
    client.pipe(relay);
    relay.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    relayTo(port) {
      serverPort = port;
    },
    reset(relayPort) {
      const client = byRelay.get(relayPort);
      if (client === undefined) return false;
      byRelay.delete(relayPort);
      client.resetAndDestroy();
      return true;
    },
    close() {
      for (const socket of open) socket.destroy();
      open.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
