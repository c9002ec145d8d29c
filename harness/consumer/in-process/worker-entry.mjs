// Entry of the handler worker thread. Module hooks registered on the main
// thread do not reach a worker on Node 20, so tsx is registered here before
// any TypeScript is loaded.
import { register } from "tsx/esm/api";

register();
await import("./handler-worker.ts");
