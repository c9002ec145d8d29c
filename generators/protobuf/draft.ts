/**
 * Shared pieces of sample construction: drafts whose expectation may still be
 * settled by decoding, values edited at a field path, and hand-written field
 * occurrences appended at a field path.
 */
import protobuf from "protobufjs";

import type { Expectation, Sample, SampleClass } from "../sample.ts";
import { decodeOutcome, encodeValue } from "./codec.ts";
import { enumTypeOf, messageTypeOf, realOneofOf, type PathStep } from "./schema.ts";
import type { PlainMessage } from "./valid.ts";
import { WireType, WireWriter } from "./wire.ts";

/**
 * A sample before its expectation is final. `expect: "decode"` means the
 * protobufjs decode check decides (see `decodeOutcome`); a fixed expectation
 * is used for mutations whose outcome the wire format itself settles.
 */
export interface Draft {
  class: SampleClass;
  mutation: string;
  path: string;
  bytes: Uint8Array;
  value?: PlainMessage;
  expect: Expectation | "decode";
}

/**
 * Settles a draft into a sample. For decode-decided drafts, `value` is the
 * draft's own value when it has one and the decoded object otherwise, and it
 * is left out of samples a consumer must reject.
 */
export function finalize(type: protobuf.Type, draft: Draft): Sample {
  if (draft.expect !== "decode") {
    return { ...draft, expect: draft.expect, value: draft.expect === "accept" ? draft.value : undefined };
  }
  const outcome = decodeOutcome(type, draft.bytes);
  if (!outcome.ok) return { ...draft, expect: "reject", value: undefined };
  return { ...draft, expect: "accept", value: draft.value ?? outcome.value };
}

/**
 * Returns a copy of `root` in which the field at the end of `chain` is
 * replaced by `update(current)`, or deleted when `update` returns undefined.
 * Missing intermediate messages are taken from `fallbacks` (one per message
 * step); repeated message steps edit element 0. Setting a oneof member clears
 * the other members of that oneof.
 */
export function editAtChain(
  root: PlainMessage,
  chain: readonly protobuf.Field[],
  fallbacks: readonly PlainMessage[],
  update: (current: unknown) => unknown,
): { value: PlainMessage; steps: PathStep[] } {
  const steps: PathStep[] = [];
  const edit = (message: PlainMessage, depth: number): PlainMessage => {
    const field = chain[depth];
    const copy: PlainMessage = { ...message };
    const oneof = realOneofOf(field);
    if (oneof) {
      for (const member of oneof.fieldsArray) if (member !== field) delete copy[member.name];
    }

    if (depth === chain.length - 1) {
      steps.push({ field });
      const next = update(copy[field.name]);
      if (next === undefined) delete copy[field.name];
      else copy[field.name] = next;
      return copy;
    }

    if (field.repeated) {
      steps.push({ field, index: 0 });
      const elements = Array.isArray(copy[field.name]) ? [...(copy[field.name] as PlainMessage[])] : [];
      elements[0] = edit(elements[0] ?? fallbacks[depth], depth + 1);
      copy[field.name] = elements;
    } else {
      steps.push({ field });
      copy[field.name] = edit((copy[field.name] as PlainMessage | undefined) ?? fallbacks[depth], depth + 1);
    }
    return copy;
  };
  return { value: edit(root, 0), steps };
}

/**
 * Wraps field bytes written for the last message in `messageSteps` so that
 * they can be appended to the root message: each step adds a tag and a
 * length (or start and end group tags). A repeated step adds a new element
 * and a singular step absent from `base` adds a new message; either starts
 * with the encoded stand-in from `fallbacks` (one per step, where given), so
 * that the new message has its required fields. A singular step present in
 * `base` merges into it. Returns the path the appended occurrence lands on.
 */
export function wrapForPath(
  base: PlainMessage,
  messageSteps: readonly protobuf.Field[],
  innerBytes: Uint8Array,
  fallbacks: readonly PlainMessage[] = [],
): { bytes: Uint8Array; steps: PathStep[] } {
  const steps: PathStep[] = [];
  const fresh: boolean[] = [];
  let cursor: unknown = base;
  for (const field of messageSteps) {
    const current = cursor && typeof cursor === "object" ? (cursor as PlainMessage)[field.name] : undefined;
    if (field.repeated) {
      steps.push({ field, index: Array.isArray(current) ? current.length : 0 });
      fresh.push(true);
      cursor = undefined;
    } else {
      steps.push({ field });
      fresh.push(current === undefined);
      cursor = current;
    }
  }

  let bytes = innerBytes;
  for (let i = messageSteps.length - 1; i >= 0; i--) {
    const field = messageSteps[i];
    const writer = new WireWriter();
    if (field.delimited) writer.tag(field.id, WireType.SGROUP);
    const content = new WireWriter();
    if (fresh[i] && fallbacks[i]) content.raw(encodeValue(messageTypeOf(field)!, fallbacks[i]));
    content.raw(bytes);
    if (field.delimited) writer.raw(content.finish()).tag(field.id, WireType.EGROUP);
    else writer.lenField(field.id, content.finish());
    bytes = writer.finish();
  }
  return { bytes, steps };
}

/** Index of the element that an appended occurrence of a repeated leaf field becomes. */
export function appendedIndex(base: PlainMessage, messageSteps: readonly protobuf.Field[], leaf: protobuf.Field): number | undefined {
  if (!leaf.repeated) return undefined;
  let cursor: unknown = base;
  for (const field of messageSteps) {
    if (field.repeated || !cursor || typeof cursor !== "object") return 0;
    cursor = (cursor as PlainMessage)[field.name];
  }
  const current = cursor && typeof cursor === "object" ? (cursor as PlainMessage)[leaf.name] : undefined;
  return Array.isArray(current) ? current.length : 0;
}

/**
 * Writes one occurrence of a field (tag and payload) holding one element
 * value. `fieldNumber` overrides the field's own number, which map entries
 * need for their value (field 2).
 */
export function writeElement(writer: WireWriter, field: protobuf.FieldBase, value: unknown, fieldNumber = field.id): WireWriter {
  const messageType = messageTypeOf(field);
  if (messageType) {
    const payload = encodeValue(messageType, value as PlainMessage);
    if (field instanceof protobuf.Field && field.delimited) {
      return writer.tag(fieldNumber, WireType.SGROUP).raw(payload).tag(fieldNumber, WireType.EGROUP);
    }
    return writer.lenField(fieldNumber, payload);
  }
  if (enumTypeOf(field)) return writer.tag(fieldNumber, WireType.VARINT).varint(value as number);
  return writeScalar(writer, fieldNumber, field.type, value);
}

/** Writes a field occurrence of a scalar type; 64-bit values may be decimal strings. */
export function writeScalar(writer: WireWriter, fieldNumber: number, type: string, value: unknown): WireWriter {
  switch (type) {
    case "int32":
    case "uint32":
    case "int64":
    case "uint64":
      return writer.tag(fieldNumber, WireType.VARINT).varint(BigInt(value as string | number));
    case "sint32":
    case "sint64":
      return writer.tag(fieldNumber, WireType.VARINT).zigzag(BigInt(value as string | number));
    case "bool":
      return writer.tag(fieldNumber, WireType.VARINT).varint(value ? 1 : 0);
    case "fixed32":
    case "sfixed32":
      return writer.tag(fieldNumber, WireType.I32).fixed32(BigInt(value as number));
    case "fixed64":
    case "sfixed64":
      return writer.tag(fieldNumber, WireType.I64).fixed64(BigInt(value as string | number));
    case "float": {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setFloat32(0, value as number, true);
      return writer.tag(fieldNumber, WireType.I32).raw(bytes);
    }
    case "double": {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, value as number, true);
      return writer.tag(fieldNumber, WireType.I64).raw(bytes);
    }
    case "string":
      return writer.lenField(fieldNumber, new TextEncoder().encode(value as string));
    case "bytes":
      return writer.lenField(fieldNumber, value as Uint8Array);
    default:
      throw new TypeError(`cannot write a value of protobuf type ${type}`);
  }
}
