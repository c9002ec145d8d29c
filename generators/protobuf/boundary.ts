/**
 * Boundary samples: valid messages with one field at an edge of its type.
 * Their expectation is settled by decoding, which accepts all of them except
 * where a proto2 closed enum drops an unknown number from a required field.
 */
import fc from "fast-check";
import protobuf from "protobufjs";

import { encodeValue } from "./codec.ts";
import { chainFallbacks, chainsWhere, type GeneratorContext } from "./context.ts";
import { appendedIndex, editAtChain, wrapForPath, writeElement, type Draft } from "./draft.ts";
import {
  LONG_TYPES,
  TIMESTAMP,
  enumTypeOf,
  formatPath,
  messageTypeOf,
  nestingFields,
  realOneofOf,
  type ScalarType,
} from "./schema.ts";
import { scalarBoundaries } from "./scalars.ts";
import { TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS, type PlainMessage } from "./valid.ts";
import { WireWriter } from "./wire.ts";

/**
 * Nesting depth that protobufjs 8 decodes and one level more it rejects with
 * "max depth exceeded"; protobuf C++ and Java default to the same limit.
 */
export const DECODE_DEPTH_LIMIT = 100;

const INTEGER_TYPES = new Set(["int32", "uint32", "sint32", "fixed32", "sfixed32", ...LONG_TYPES]);
const FLOAT_TYPES = new Set(["float", "double"]);

const TIMESTAMP_BOUNDARIES: PlainMessage[] = [
  { seconds: String(TIMESTAMP_MIN_SECONDS), nanos: 0 },
  { seconds: String(TIMESTAMP_MAX_SECONDS), nanos: 999_999_999 },
  { seconds: "0", nanos: 0 },
  { seconds: "-1", nanos: 999_999_999 },
  // One second past the largest signed 32-bit time_t (2038-01-19T03:14:08Z).
  { seconds: "2147483648", nanos: 0 },
];

function isScalarOf(kinds: Set<string>) {
  return (leaf: protobuf.Field): boolean => !leaf.resolvedType && kinds.has(leaf.type);
}

/** Sets one scalar or Timestamp field, found by `accept`, to each of `boundaries(leaf)`. */
function valueBoundary(
  context: GeneratorContext,
  mutation: string,
  accept: (leaf: protobuf.Field) => boolean,
  boundaries: (leaf: protobuf.Field) => unknown[],
): fc.Arbitrary<Draft> | null {
  const chains = chainsWhere(context, accept);
  if (chains.length === 0) return null;
  return fc.constantFrom(...chains).chain((chain) => {
    const leaf = chain[chain.length - 1];
    return fc
      .tuple(context.base, chainFallbacks(context, chain), fc.constantFrom(...boundaries(leaf)))
      .map(([base, fallbacks, boundary]): Draft => {
        const { value, steps } = editAtChain(base, chain, fallbacks, () => (leaf.repeated ? [boundary] : boundary));
        if (leaf.repeated) steps[steps.length - 1] = { field: leaf, index: 0 };
        return {
          class: "boundary",
          mutation,
          path: formatPath(steps),
          bytes: encodeValue(context.type, value),
          value,
          expect: "decode",
        };
      });
  });
}

/** Enum numbers outside the enum, written by hand because `fromObject` drops them for closed enums. */
function unknownEnumNumbers(enumType: protobuf.Enum): number[] {
  const defined = new Set(Object.values(enumType.values));
  const highest = Math.max(...defined);
  const candidates = [highest + 1, -1, 2 ** 31 - 1, -(2 ** 31)];
  return candidates.filter((n) => !defined.has(n));
}

function enumBoundary(context: GeneratorContext): fc.Arbitrary<Draft> | null {
  const chains = chainsWhere(context, (leaf) => enumTypeOf(leaf) !== null);
  if (chains.length === 0) return null;
  return fc.constantFrom(...chains).chain((chain) => {
    const leaf = chain[chain.length - 1];
    const messageSteps = chain.slice(0, -1);
    const numbers = fc.constantFrom(...unknownEnumNumbers(enumTypeOf(leaf)!));
    return fc.tuple(context.base, chainFallbacks(context, chain), numbers).map(([base, fallbacks, number]): Draft => {
      const inner = writeElement(new WireWriter(), leaf, number).finish();
      const wrapped = wrapForPath(base, messageSteps, inner, fallbacks);
      const path = formatPath([...wrapped.steps, { field: leaf, index: appendedIndex(base, messageSteps, leaf) }]);
      // The appended occurrence wins over an earlier one of a singular field,
      // so the base message's own value for the field does not matter.
      const bytes = new WireWriter().raw(encodeValue(context.type, base)).raw(wrapped.bytes).finish();
      return { class: "boundary", mutation: "boundary.enum-unknown", path, bytes, expect: "decode" };
    });
  });
}

/**
 * Builds a message nested exactly DECODE_DEPTH_LIMIT levels along the schema's
 * recursive route, each level filled with a valid stand-in message.
 */
function maxNesting(context: GeneratorContext): fc.Arbitrary<Draft> | null {
  if (!context.route) return null;
  const fields = nestingFields(context.route, DECODE_DEPTH_LIMIT);
  const owners = [...new Map(fields.map((field) => [(field.parent as protobuf.Type).fullName, field.parent as protobuf.Type])).values()];
  const last = messageTypeOf(fields[fields.length - 1])!;
  if (!owners.includes(last)) owners.push(last);
  const standIns = fc.tuple(...owners.map((owner) => context.values.message(owner, context.options.maxDepth)));
  const path = formatPath([...context.route.prefix, ...context.route.cycle].map((field) => ({ field, index: field.repeated ? 0 : undefined })));

  return standIns.map((messages): Draft => {
    const byType = new Map(owners.map((owner, i) => [owner.fullName, messages[i]]));
    let child: PlainMessage = { ...byType.get(last.fullName)! };
    for (let i = fields.length - 1; i >= 0; i--) {
      const field = fields[i];
      const parent: PlainMessage = { ...byType.get((field.parent as protobuf.Type).fullName)! };
      const oneof = realOneofOf(field);
      if (oneof) for (const member of oneof.fieldsArray) delete parent[member.name];
      parent[field.name] = field.repeated ? [child] : child;
      child = parent;
    }
    return {
      class: "boundary",
      mutation: "boundary.max-nesting",
      path,
      bytes: encodeValue(context.type, child),
      value: child,
      expect: "decode",
    };
  });
}

/** Builds the empty message, in which every proto3 field has its default. */
function emptyMessage(): fc.Arbitrary<Draft> {
  return fc.constant({ class: "boundary", mutation: "boundary.empty-message", path: "", bytes: new Uint8Array(0), expect: "decode" });
}

export function boundaryMutations(context: GeneratorContext): fc.Arbitrary<Draft>[] {
  const long = context.options.longStringLength;
  const candidates = [
    valueBoundary(context, "boundary.integer", isScalarOf(INTEGER_TYPES), (leaf) => scalarBoundaries(leaf.type as ScalarType, long)),
    valueBoundary(context, "boundary.float", isScalarOf(FLOAT_TYPES), (leaf) => scalarBoundaries(leaf.type as ScalarType, long)),
    valueBoundary(context, "boundary.string", isScalarOf(new Set(["string"])), () => scalarBoundaries("string", long)),
    valueBoundary(context, "boundary.bytes", isScalarOf(new Set(["bytes"])), () => scalarBoundaries("bytes", long)),
    valueBoundary(context, "boundary.timestamp", (leaf) => messageTypeOf(leaf)?.fullName === TIMESTAMP, () => TIMESTAMP_BOUNDARIES),
    enumBoundary(context),
    maxNesting(context),
    emptyMessage(),
  ];
  return candidates.filter((candidate): candidate is fc.Arbitrary<Draft> => candidate !== null);
}
