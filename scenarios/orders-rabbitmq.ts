import { defineScenario } from "../harness/scenario/define.ts";

/**
 * The orders consumer that nacks unparsable bodies with requeue, on
 * RabbitMQ. poisonpill should report a redelivery loop on a malformed payload.
 */
export default defineScenario({
  name: "orders-rabbitmq",
  broker: { kind: "rabbitmq", queue: "orders.created" },
  schema: { jsonSchema: "../fixtures/schemas/order-created.schema.json" },
  consumer: {
    command: ["node", "../fixtures/consumers/orders-rabbitmq-requeue.mjs"],
    env: { AMQP_URL: "${brokerUrl}", QUEUE: "${queue}" },
    ready: { output: "orders consumer ready" },
  },
  maxDeliveries: 10,
});
