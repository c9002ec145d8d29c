import { defineScenario } from "../harness/scenario/define.ts";
import { ordersStoredOnce } from "../fixtures/invariants/orders.ts";

/**
 * The vulnerable order consumer, decoding protobuf `shop.Order` on JetStream.
 * poisonpill should find two bugs: corrupt bytes crash it, and two uint64
 * order ids above 2^53 that round to the same JS number make one order
 * replace the other. Running it on another broker changes only the `broker`
 * block (and the consumer's connection variables).
 */
export default defineScenario({
  name: "orders-protobuf",
  broker: { kind: "jetstream", subject: "shop.orders", stream: "SHOP_ORDERS" },
  schema: { proto: "../fixtures/proto/orders.proto", type: "shop.Order" },
  consumer: {
    command: ["node", "../fixtures/consumers/orders-vulnerable.mjs"],
    env: { NATS_URL: "${brokerUrl}", STREAM: "${stream}", STATE_DIR: "${stateDir}" },
    ready: { output: "orders consumer ready" },
  },
  invariants: [ordersStoredOnce],
});
