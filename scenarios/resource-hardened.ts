import { defineScenario } from "../harness/scenario/define.ts";

/**
 * The hardened signup consumer: bounded cache, linear-time email check, depth limit.
 * poisonpill should find nothing, memory growth included.
 */
export default defineScenario({
  name: "resource-hardened",
  broker: { kind: "jetstream", subject: "signups.hardened", stream: "SIGNUPS" },
  schema: { jsonSchema: "../fixtures/schemas/signup.schema.json" },
  consumer: {
    command: ["node", "../fixtures/consumers/resource-hardened.mjs"],
    env: { NATS_URL: "${brokerUrl}", STREAM: "${stream}" },
    ready: { output: "signup consumer ready" },
  },
});
