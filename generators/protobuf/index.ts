/**
 * `fromProtobuf(type, options)`: labelled protobuf samples for one message
 * type, drawn from the classes valid, boundary, corrupt, adversarial and
 * oversized.
 *
 * Every sample says what a correct consumer must do with its bytes. Where
 * the protobuf wire format leaves room for doubt, protobufjs decides: the
 * bytes are decoded with `Type.decode` and checked with `Type.verify`, and a
 * sample that passes both is `accept`, any other `reject`. That rule labels
 * these cases, as the protobuf encoding documents them:
 * - unknown fields of any wire type, and known fields sent with the wrong
 *   wire type, are skipped: accept;
 * - a singular field sent twice keeps the last value, and sub-messages
 *   merge; two members of one oneof keep the last member: accept;
 * - an enum number outside the enum is kept in proto3 (open enums) and moved
 *   to the unknown fields in proto2 (closed enums): accept, unless that
 *   leaves a proto2 `required` field missing;
 * - invalid UTF-8 in a `string` field is rejected where the field requires
 *   UTF-8 validation (proto3 and editions), and decoded with replacement
 *   characters in proto2: reject in proto3, accept in proto2.
 * Framing errors (truncation, overlong varints, lengths past the end,
 * unclosed groups, nesting past 100 levels) and missing proto2 `required`
 * fields are always `reject`; amplification samples are always `accept`.
 *
 * `value` holds the plain object that was encoded, or for hand-written wire
 * bytes the object protobufjs decodes (with 64-bit integers as decimal
 * strings and enums as numbers); it is undefined for samples a consumer must
 * reject and for amplification samples.
 */
import fc from "fast-check";
import protobuf from "protobufjs";

import { SchemaError } from "../errors.ts";
import { SAMPLE_CLASSES, type Sample, type SampleClass } from "../sample.ts";
import { adversarialMutations } from "./adversarial.ts";
import { amplificationMutations } from "./amplify.ts";
import { boundaryMutations } from "./boundary.ts";
import { encodeValue } from "./codec.ts";
import { createContext, type GeneratorContext } from "./context.ts";
import { framingMutations } from "./corrupt-framing.ts";
import { fieldMutations } from "./corrupt-fields.ts";
import { finalize, type Draft } from "./draft.ts";
import { resolveOptions, type ProtobufOptions } from "./options.ts";

export type { ProtobufOptions } from "./options.ts";
export { loadProtoType } from "./load.ts";
export { WireWriter, WireType } from "./wire.ts";

/** What a class needs from the schema, for the error when a requested class has no samples. */
const CLASS_NEEDS: Record<SampleClass, string> = {
  valid: "a message type",
  boundary: "a message type",
  violation: "nothing this generator offers: schema breaks that survive the wire format are in class corrupt",
  corrupt: "a message type",
  adversarial: "a string field or a map with string keys",
  oversized: "a repeated int64/uint64/sint64 field, a repeated message field whose type has no required fields, or a repeated bytes field",
  headers: "message headers, which fromAmqpHeaders adds around a payload generator",
};

function validMessages(context: GeneratorContext): fc.Arbitrary<Draft> {
  return context.base.map((value): Draft => ({
    class: "valid",
    mutation: "valid.message",
    path: "",
    bytes: encodeValue(context.type, value),
    value,
    expect: "decode",
  }));
}

function resolveSchema(type: protobuf.Type): void {
  try {
    (type.root as protobuf.Root | null)?.resolveAll();
    type.resolveAll();
  } catch (error) {
    throw new SchemaError(
      `message ${type.fullName} has a reference that does not resolve: ${(error as Error).message}; load every imported file (loadProtoType does)`,
      type.fullName,
      undefined,
      { cause: error },
    );
  }
}

/**
 * Returns an arbitrary of labelled samples for `type`. Throws SchemaError
 * when `options.classes` lists a class the type cannot produce, and
 * RangeError for invalid options.
 */
export function fromProtobuf(type: protobuf.Type, options?: ProtobufOptions): fc.Arbitrary<Sample> {
  const resolved = resolveOptions(options);
  resolveSchema(type);
  const context = createContext(type, resolved);

  const byClass: Record<SampleClass, fc.Arbitrary<Draft>[]> = {
    valid: [validMessages(context)],
    boundary: boundaryMutations(context),
    violation: [],
    headers: [],
    corrupt: [...fieldMutations(context), ...framingMutations(context)],
    adversarial: adversarialMutations(context),
    oversized: amplificationMutations(context),
  };

  for (const name of resolved.classes ?? []) {
    if (byClass[name].length === 0) {
      throw new SchemaError(
        `fromProtobuf: message ${type.fullName} cannot produce class ${name}, which needs ${CLASS_NEEDS[name]}; leave ${name} out of classes`,
        type.fullName,
        name,
      );
    }
  }

  const classes = (resolved.classes ?? SAMPLE_CLASSES).filter((name) => byClass[name].length > 0 && resolved.weights[name] > 0);
  if (classes.length === 0) {
    throw new RangeError(
      `fromProtobuf: every selected class has weight 0 (classes ${JSON.stringify(resolved.classes ?? SAMPLE_CLASSES)}, weights ${JSON.stringify(resolved.weights)}); give one a positive weight`,
    );
  }

  const weighted = classes.map((name) => ({ arbitrary: fc.oneof(...byClass[name]), weight: resolved.weights[name] }));
  return fc.oneof(...weighted).map((draft) => finalize(type, draft));
}
