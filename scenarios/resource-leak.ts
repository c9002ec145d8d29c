import { defineScenario } from "../harness/scenario/define.ts";

/**
 * The leaky signup consumer: it keeps about 1 KB per message forever. poisonpill should
 * report memory growth and the payload classes that drive it.
 */
export default defineScenario({
  name: "resource-leak",
  broker: { kind: "jetstream", subject: "signups.leak", stream: "SIGNUPS" },
  schema: { jsonSchema: "../fixtures/schemas/signup.schema.json" },
  consumer: {
    command: ["node", "../fixtures/consumers/resource-leaky.mjs"],
    env: { NATS_URL: "${brokerUrl}", STREAM: "${stream}" },
    ready: { output: "signup consumer ready" },
  },
  // A fixture this small is warm after 1_000 messages; a shorter warm-up makes each class phase faster.
  memory: { warmupMessages: 1_000, maxGrowthBytesPerMessage: 256, sampleIntervalMs: 200 },
});
