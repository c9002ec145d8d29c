import { defineScenario } from "../harness/scenario/define.ts";

/**
 * A core NATS consumer (no JetStream, no acknowledgements) that blocks its event loop on an
 * email containing NUL. poisonpill sees it through the liveness probe and the server's /connz:
 * a hang, with how long the consumer was blocked.
 */
export default defineScenario({
  name: "resource-core-nats-block",
  broker: { kind: "nats", subject: "signups.core", provision: "local" },
  schema: { jsonSchema: "../fixtures/schemas/signup.schema.json" },
  consumer: {
    command: ["node", "../fixtures/consumers/resource-core-nats-block.mjs"],
    env: { NATS_URL: "${brokerUrl}", SUBJECT: "${subject}", HEALTH_PORT: "${livenessPort}" },
    ready: { output: "core nats consumer ready" },
  },
  // A probe timeout of a second tolerates a loaded two-core machine; a healthy consumer responds in milliseconds.
  liveness: { url: "http://127.0.0.1:${livenessPort}/health", intervalMs: 200, timeoutMs: 1000 },
  hangTimeoutMs: 3000,
});
