/**
 * The per-type data that every sample builder reads: field chains, the
 * recursive route and value arbitraries, computed once per `fromProtobuf` call.
 */
import fc from "fast-check";
import protobuf from "protobufjs";

import { fieldChains, findRecursion, messageTypeOf, type RecursionRoute } from "./schema.ts";
import { ValueArbitraries, type PlainMessage } from "./valid.ts";
import type { ResolvedOptions } from "./options.ts";

/** How many message levels below the root field chains reach. */
const CHAIN_HOPS = 2;

export interface GeneratorContext {
  type: protobuf.Type;
  options: ResolvedOptions;
  values: ValueArbitraries;
  /** Field chains from the root to every non-map field, at most CHAIN_HOPS message levels down. */
  chains: protobuf.Field[][];
  /** A route through a recursive message type, or null when the schema has none. */
  route: RecursionRoute | null;
  /** Valid messages of the root type, the base that most mutations start from. */
  base: fc.Arbitrary<PlainMessage>;
}

export function createContext(type: protobuf.Type, options: ResolvedOptions): GeneratorContext {
  const values = new ValueArbitraries(options);
  return {
    type,
    options,
    values,
    chains: fieldChains(type, CHAIN_HOPS),
    route: findRecursion(type),
    base: values.message(type),
  };
}

/** Valid stand-in messages for each message step of a chain (all but its last field). */
export function chainFallbacks(context: GeneratorContext, chain: readonly protobuf.FieldBase[]): fc.Arbitrary<PlainMessage[]> {
  const steps = chain.slice(0, -1).map((field, i) => context.values.message(messageTypeOf(field)!, i + 1));
  return fc.tuple(...steps);
}

/** Returns the chains whose leaf field satisfies `accept`. */
export function chainsWhere(
  context: GeneratorContext,
  accept: (leaf: protobuf.Field, chain: protobuf.Field[]) => boolean,
): protobuf.Field[][] {
  return context.chains.filter((chain) => accept(chain[chain.length - 1], chain));
}
