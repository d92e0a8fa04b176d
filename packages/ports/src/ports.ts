import { once } from "node:events";
import { createServer } from "node:net";

/** Whether nothing listens on this loopback port. */
export async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, "127.0.0.1");
  try {
    await once(server, "listening");
    server.close();
    await once(server, "close");
    return true;
  } catch {
    return false;
  }
}

/** A free loopback port: bind port 0, read it, let it go. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

/**
 * A free port below Linux's ephemeral range (32768 and up), for a server a test stops and starts
 * again on the same port: while it is down, an outgoing connection of another test could take a
 * port in that range as its source port, and the server would then come back elsewhere.
 */
export async function freePortBelowEphemeralRange(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await portFree(port)) return port;
  }
}
