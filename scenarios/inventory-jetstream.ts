import { defineScenario } from "../harness/scenario/define.ts";
import { stockMatchesOrders } from "../fixtures/invariants/inventory.ts";

/**
 * The vulnerable inventory consumer on JetStream. poisonpill should find two
 * bugs: a malformed body crashes it, and a negative quantity raises stock.
 */
export default defineScenario({
  name: "inventory-jetstream",
  broker: { kind: "jetstream", subject: "orders.created", stream: "ORDERS" },
  schema: { jsonSchema: "../fixtures/schemas/order-created.schema.json" },
  consumer: {
    command: ["node", "../fixtures/consumers/inventory-vulnerable.mjs"],
    env: { NATS_URL: "${brokerUrl}", STREAM: "${stream}", STATE_DIR: "${stateDir}" },
  },
  invariants: [stockMatchesOrders],
});
