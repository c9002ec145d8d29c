import { defineScenario } from "../harness/scenario/define.ts";

/** The orders consumer that dead-letters unparsable bodies; poisonpill should find nothing. */
export default defineScenario({
  name: "orders-rabbitmq-hardened",
  broker: { kind: "rabbitmq", queue: "orders.created" },
  schema: { jsonSchema: "../fixtures/schemas/order-created.schema.json" },
  consumer: {
    command: ["node", "../fixtures/consumers/orders-rabbitmq-hardened.mjs"],
    env: { AMQP_URL: "${brokerUrl}", QUEUE: "${queue}" },
    ready: { output: "orders consumer ready" },
  },
  maxDeliveries: 10,
});
