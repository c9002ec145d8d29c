import { defineScenario } from "../harness/scenario/define.ts";
import { stockMatchesOrders } from "../fixtures/invariants/inventory.ts";

/**
 * The vulnerable inventory handler, run in-process on JetStream. poisonpill
 * should find two bugs: a malformed body makes it throw, and a negative
 * quantity raises stock.
 */
export default defineScenario({
  name: "inventory-handler",
  broker: { kind: "jetstream", subject: "orders.created", stream: "ORDERS" },
  schema: { jsonSchema: "../fixtures/schemas/order-created.schema.json" },
  consumer: { handler: "../fixtures/handlers/inventory-vulnerable.ts#handleOrder" },
  invariants: [stockMatchesOrders],
});
