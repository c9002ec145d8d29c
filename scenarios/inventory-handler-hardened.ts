import { defineScenario } from "../harness/scenario/define.ts";
import { stockMatchesOrders } from "../fixtures/invariants/inventory.ts";

/** The hardened inventory handler, run in-process: poisonpill must report nothing. */
export default defineScenario({
  name: "inventory-handler-hardened",
  broker: { kind: "jetstream", subject: "orders.created", stream: "ORDERS" },
  schema: { jsonSchema: "../fixtures/schemas/order-created.schema.json" },
  consumer: { handler: "../fixtures/handlers/inventory-hardened.ts#handleOrder" },
  invariants: [stockMatchesOrders],
});
