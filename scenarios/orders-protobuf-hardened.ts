import { defineScenario } from "../harness/scenario/define.ts";
import { ordersStoredOnce } from "../fixtures/invariants/orders.ts";

/**
 * The hardened order consumer, decoding protobuf `shop.Order` on JetStream:
 * poisonpill must report nothing. Running it on another broker changes only
 * the `broker` block (and the consumer's connection variables).
 */
export default defineScenario({
  name: "orders-protobuf-hardened",
  broker: { kind: "jetstream", subject: "shop.orders", stream: "SHOP_ORDERS" },
  schema: { proto: "../fixtures/proto/orders.proto", type: "shop.Order" },
  consumer: {
    command: ["node", "../fixtures/consumers/orders-hardened.mjs"],
    env: { NATS_URL: "${brokerUrl}", STREAM: "${stream}", STATE_DIR: "${stateDir}" },
    ready: { output: "orders consumer ready" },
  },
  invariants: [ordersStoredOnce],
});
