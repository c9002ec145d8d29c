/**
 * Reflection helpers over protobufjs types: wire types per field, field
 * paths through nested messages, recursion cycles and unused field numbers.
 */
import protobuf from "protobufjs";

import { MAX_FIELD_NUMBER, WireType } from "./wire.ts";

export type ScalarType =
  | "double" | "float"
  | "int32" | "uint32" | "sint32" | "fixed32" | "sfixed32"
  | "int64" | "uint64" | "sint64" | "fixed64" | "sfixed64"
  | "bool" | "string" | "bytes";

const VARINT_TYPES = new Set(["int32", "uint32", "sint32", "int64", "uint64", "sint64", "bool"]);
const I64_TYPES = new Set(["fixed64", "sfixed64", "double"]);
const I32_TYPES = new Set(["fixed32", "sfixed32", "float"]);

/** Scalar types whose values do not fit a JS number exactly. */
export const LONG_TYPES = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

export const TIMESTAMP = ".google.protobuf.Timestamp";
export const DURATION = ".google.protobuf.Duration";

export function messageTypeOf(field: protobuf.FieldBase): protobuf.Type | null {
  const target = field.resolve().resolvedType;
  return target instanceof protobuf.Type ? target : null;
}

export function enumTypeOf(field: protobuf.FieldBase): protobuf.Enum | null {
  const target = field.resolve().resolvedType;
  return target instanceof protobuf.Enum ? target : null;
}

/** The wire type of one element of the field (ignores packing). */
export function elementWireType(field: protobuf.FieldBase): number {
  if (enumTypeOf(field)) return WireType.VARINT;
  if (messageTypeOf(field)) return (field as protobuf.Field).delimited ? WireType.SGROUP : WireType.LEN;
  if (VARINT_TYPES.has(field.type)) return WireType.VARINT;
  if (I64_TYPES.has(field.type)) return WireType.I64;
  if (I32_TYPES.has(field.type)) return WireType.I32;
  return WireType.LEN;
}

/** Whether a repeated field of this element type may use packed encoding. */
export function isPackable(field: protobuf.FieldBase): boolean {
  return !field.map && elementWireType(field) !== WireType.LEN && elementWireType(field) !== WireType.SGROUP;
}

/** The field's oneof, skipping the synthetic oneof protobufjs makes for proto3 `optional`. */
export function realOneofOf(field: protobuf.FieldBase): protobuf.OneOf | null {
  const oneof = field.partOf;
  if (!oneof) return null;
  return oneof.fieldsArray.length > 1 || !oneof.name.startsWith("_") ? oneof : null;
}

/** Oneofs declared in the message, without proto3 `optional` synthetic ones. */
export function realOneofs(type: protobuf.Type): protobuf.OneOf[] {
  return type.oneofsArray.filter((oneof) => oneof.fieldsArray.length > 1 || !oneof.name.startsWith("_"));
}

/** One step of a field path: the field, and for repeated message fields the element index. */
export interface PathStep {
  field: protobuf.Field;
  index?: number;
}

/** Formats steps as a field path such as `items[0].sku`. */
export function formatPath(steps: readonly PathStep[]): string {
  return steps.map((step) => (step.index === undefined ? step.field.name : `${step.field.name}[${step.index}]`)).join(".");
}

/**
 * Lists field chains from `type` down to every non-map field, through singular
 * and repeated message fields, at most `maxHops` message levels deep and
 * without entering a message type twice on one chain.
 */
export function fieldChains(type: protobuf.Type, maxHops: number): protobuf.Field[][] {
  const chains: protobuf.Field[][] = [];
  const walk = (current: protobuf.Type, prefix: protobuf.Field[], seen: Set<string>): void => {
    for (const field of current.fieldsArray) {
      if (field.map) continue;
      chains.push([...prefix, field]);
      const child = messageTypeOf(field);
      if (child && !seen.has(child.fullName) && prefix.length < maxHops && !isWellKnownTime(child)) {
        walk(child, [...prefix, field], new Set([...seen, child.fullName]));
      }
    }
  };
  walk(type, [], new Set([type.fullName]));
  return chains;
}

export function isWellKnownTime(type: protobuf.Type): boolean {
  return type.fullName === TIMESTAMP || type.fullName === DURATION;
}

/**
 * A recursive route through the schema: `prefix` leads from the root to a
 * message type that `cycle` leads back to itself. Both are lists of message
 * fields (no maps). Returns null when no message type reachable from the root
 * can contain itself.
 */
export interface RecursionRoute {
  prefix: protobuf.Field[];
  cycle: protobuf.Field[];
}

export function findRecursion(root: protobuf.Type): RecursionRoute | null {
  const stackTypes: string[] = [root.fullName];
  const stackFields: protobuf.Field[] = [];
  const finished = new Set<string>();

  const visit = (current: protobuf.Type): RecursionRoute | null => {
    for (const field of current.fieldsArray) {
      if (field.map) continue;
      const child = messageTypeOf(field);
      if (!child) continue;
      const onStack = stackTypes.indexOf(child.fullName);
      if (onStack >= 0) {
        const fields = [...stackFields, field];
        return { prefix: fields.slice(0, onStack), cycle: fields.slice(onStack) };
      }
      if (finished.has(child.fullName)) continue;
      stackTypes.push(child.fullName);
      stackFields.push(field);
      const found = visit(child);
      stackTypes.pop();
      stackFields.pop();
      if (found) return found;
      finished.add(child.fullName);
    }
    return null;
  };
  return visit(root);
}

/** Returns `count` message fields that nest along the route: prefix, then the cycle over and over. */
export function nestingFields(route: RecursionRoute, count: number): protobuf.Field[] {
  const fields: protobuf.Field[] = [];
  for (let i = 0; i < count; i++) {
    fields.push(i < route.prefix.length ? route.prefix[i] : route.cycle[(i - route.prefix.length) % route.cycle.length]);
  }
  return fields;
}

/**
 * Returns a field number that the message does not declare, at least `min`,
 * so that its tag takes the expected number of bytes.
 */
export function unusedFieldNumber(type: protobuf.Type, min = 1): number {
  const used = new Set(type.fieldsArray.map((field) => field.id));
  for (let candidate = Math.max(min, 1); candidate <= MAX_FIELD_NUMBER; candidate++) {
    if (!used.has(candidate) && (candidate < 19_000 || candidate > 19_999)) return candidate;
  }
  throw new RangeError(`message ${type.fullName} declares every field number`);
}
