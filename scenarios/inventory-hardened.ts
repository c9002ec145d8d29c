import { defineScenario } from "../harness/scenario/define.ts";
import { stockMatchesOrders } from "../fixtures/invariants/inventory.ts";

/** The hardened inventory consumer: poisonpill must report nothing. */
export default defineScenario({
  name: "inventory-hardened",
  broker: { kind: "jetstream", subject: "orders.created", stream: "ORDERS" },
  schema: { jsonSchema: "../fixtures/schemas/order-created.schema.json" },
  consumer: {
    command: ["node", "../fixtures/consumers/inventory-hardened.mjs"],
    env: { NATS_URL: "${brokerUrl}", STREAM: "${stream}", STATE_DIR: "${stateDir}" },
  },
  invariants: [stockMatchesOrders],
});
