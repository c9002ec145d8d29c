import { defineScenario } from "../harness/scenario/define.ts";

/**
 * The signup consumer that walks bodies recursively: deep nesting overflows its stack and
 * crashes it.
 */
export default defineScenario({
  name: "resource-nesting",
  broker: { kind: "jetstream", subject: "signups.nesting", stream: "SIGNUPS" },
  schema: { jsonSchema: "../fixtures/schemas/signup.schema.json" },
  consumer: {
    command: ["node", "../fixtures/consumers/resource-nesting.mjs"],
    env: { NATS_URL: "${brokerUrl}", STREAM: "${stream}" },
    ready: { output: "signup consumer ready" },
  },
  generator: { classes: ["valid", "boundary", "violation", "adversarial", "corrupt", "oversized"] },
});
