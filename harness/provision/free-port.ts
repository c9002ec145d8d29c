import { createServer } from "node:net";

/**
 * Returns a TCP port that was free on 127.0.0.1 a moment ago. Another process
 * can take it before the caller binds it; callers that start servers retry
 * on a bind failure.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("could not read the port of a listening socket"));
      });
    });
  });
}
