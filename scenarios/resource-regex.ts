import { defineScenario } from "../harness/scenario/define.ts";

/**
 * The signup consumer with a backtracking email regular expression. A long run of word
 * characters without "@" pins a core: poisonpill should report a CPU spin.
 */
export default defineScenario({
  name: "resource-regex",
  broker: { kind: "jetstream", subject: "signups.regex", stream: "SIGNUPS" },
  schema: { jsonSchema: "../fixtures/schemas/signup.schema.json" },
  consumer: {
    command: ["node", "../fixtures/consumers/resource-regex.mjs"],
    env: { NATS_URL: "${brokerUrl}", STREAM: "${stream}" },
    ready: { output: "signup consumer ready" },
  },
  hangTimeoutMs: 2000,
  generator: { classes: ["valid", "boundary", "violation", "adversarial", "corrupt", "oversized"] },
});
