/**
 * Amplification samples (class `oversized`): small, valid messages whose
 * repeated fields decode into one heap object per one or two encoded bytes.
 * A correct consumer must accept them, because they are schema-valid and
 * below common broker payload limits. A consumer that runs out of memory on
 * them, or lets a flood of them add up, has a bug the harness should report.
 *
 * Measured with protobufjs 8.8.1 on Node 20.20 (the retained heap after a
 * forced GC, as `protobuf-amplification.test.ts` does it, 256 KiB samples of
 * fixtures/proto/kitchen_sink.proto): one-byte packed 64-bit varints decode
 * to Long objects at about 60 heap bytes per encoded byte, two-byte empty
 * `bytes` elements to Buffer views at about 54, and two-byte empty
 * `kitchen.Scalars` sub-messages at about 36. The test asserts at least 10.
 */
import fc from "fast-check";
import protobuf from "protobufjs";

import { encodeValue } from "./codec.ts";
import { chainsWhere, type GeneratorContext } from "./context.ts";
import { wrapForPath, type Draft } from "./draft.ts";
import { formatPath, messageTypeOf } from "./schema.ts";
import { WireType, WireWriter, varintBytes } from "./wire.ts";

const VARINT64_TYPES = new Set(["int64", "uint64", "sint64"]);

function hasRequired(type: protobuf.Type): boolean {
  return type.fieldsArray.some((field) => field.required);
}

/** Builds the sample: base message, then `payload` wrapped to land on the chain's leaf field. */
function amplified(context: GeneratorContext, mutation: string, chain: protobuf.Field[], payload: (size: number) => Uint8Array): fc.Arbitrary<Draft> {
  return context.base.map((base): Draft => {
    const messageSteps = chain.slice(0, -1);
    const wrapped = wrapForPath(base, messageSteps, payload(context.options.amplifiedBytes));
    const leaf = chain[chain.length - 1];
    return {
      class: "oversized",
      mutation,
      path: formatPath([...wrapped.steps, { field: leaf }]),
      bytes: new WireWriter().raw(encodeValue(context.type, base)).raw(wrapped.bytes).finish(),
      // NOTE: value is left out: it would hold as many elements as the payload has bytes.
      expect: "accept",
    };
  });
}

/** `size` bytes of fields, each a tag followed by a zero length: empty elements. */
function emptyElements(fieldNumber: number, size: number): Uint8Array {
  const element = new WireWriter().tag(fieldNumber, WireType.LEN).varint(0).finish();
  const writer = new WireWriter();
  for (let written = 0; written + element.length <= size; written += element.length) writer.raw(element);
  return writer.finish();
}

/** Chains whose message steps all allow an appended empty element to decode. */
function plainSteps(chain: protobuf.Field[]): boolean {
  return chain.slice(0, -1).every((step) => !step.delimited && !hasRequired(messageTypeOf(step)!));
}

export function amplificationMutations(context: GeneratorContext): fc.Arbitrary<Draft>[] {
  const arbitraries: fc.Arbitrary<Draft>[] = [];

  const varint64 = chainsWhere(context, (leaf, chain) => leaf.repeated && !leaf.resolvedType && VARINT64_TYPES.has(leaf.type) && plainSteps(chain));
  if (varint64.length > 0) {
    arbitraries.push(
      fc.constantFrom(...varint64).chain((chain) =>
        amplified(context, "oversized.packed-varint64", chain, (size) => {
          const leaf = chain[chain.length - 1];
          const header = new WireWriter().tag(leaf.id, WireType.LEN).finish();
          const count = size - header.length - varintBytes(size).length;
          return new WireWriter().raw(header).lengthDelimited(new Uint8Array(count).fill(0x01)).finish();
        }),
      ),
    );
  }

  const messages = chainsWhere(context, (leaf, chain) => {
    const type = messageTypeOf(leaf);
    return leaf.repeated && type !== null && !leaf.delimited && !hasRequired(type) && plainSteps(chain);
  });
  if (messages.length > 0) {
    arbitraries.push(
      fc.constantFrom(...messages).chain((chain) =>
        amplified(context, "oversized.empty-messages", chain, (size) => emptyElements(chain[chain.length - 1].id, size)),
      ),
    );
  }

  const bytes = chainsWhere(context, (leaf, chain) => leaf.repeated && leaf.type === "bytes" && !leaf.resolvedType && plainSteps(chain));
  if (bytes.length > 0) {
    arbitraries.push(
      fc.constantFrom(...bytes).chain((chain) =>
        amplified(context, "oversized.empty-bytes", chain, (size) => emptyElements(chain[chain.length - 1].id, size)),
      ),
    );
  }
  return arbitraries;
}
