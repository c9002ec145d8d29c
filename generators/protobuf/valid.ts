/**
 * Arbitraries of valid plain objects for a message type, in the form that
 * `Type.fromObject` accepts: field names as the type declares them, 64-bit
 * integers as decimal strings, enums as numbers, bytes as Uint8Array.
 */
import fc from "fast-check";
import protobuf from "protobufjs";

import { SchemaError } from "../errors.ts";
import { DURATION, TIMESTAMP, enumTypeOf, messageTypeOf, realOneofOf, realOneofs, type ScalarType } from "./schema.ts";
import { scalarArbitrary } from "./scalars.ts";

export type PlainMessage = Record<string, unknown>;

export interface ValueLimits {
  maxDepth: number;
  maxRepeated: number;
  maxStringLength: number;
}

/** Timestamp seconds from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, the range the type documents. */
export const TIMESTAMP_MIN_SECONDS = -62_135_596_800n;
export const TIMESTAMP_MAX_SECONDS = 253_402_300_799n;
/** Duration seconds span about +-10,000 years, the range the type documents. */
export const DURATION_MAX_SECONDS = 315_576_000_000n;
const MAX_NANOS = 999_999_999;

/**
 * Recursion depth past `maxDepth` at which a chain of `required` message
 * fields is declared impossible: such a chain has no finite valid message.
 */
const REQUIRED_DEPTH_SLACK = 32;

/** Builds value arbitraries per message type, caching one per type and depth. */
export class ValueArbitraries {
  private readonly cache = new Map<string, fc.Arbitrary<PlainMessage>>();

  constructor(private readonly limits: ValueLimits) {}

  message(type: protobuf.Type, depth = 0): fc.Arbitrary<PlainMessage> {
    const key = `${type.fullName}@${depth}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    if (depth > this.limits.maxDepth + REQUIRED_DEPTH_SLACK) {
      throw new SchemaError(
        `message ${type.fullName} is reachable through a cycle of required message fields, so no finite message is valid; make one field of the cycle optional`,
        type.fullName,
        "required",
      );
    }
    const built = this.buildMessage(type, depth);
    this.cache.set(key, built);
    return built;
  }

  private buildMessage(type: protobuf.Type, depth: number): fc.Arbitrary<PlainMessage> {
    if (type.fullName === TIMESTAMP) return timestampArbitrary();
    if (type.fullName === DURATION) return durationArbitrary();

    const entries: fc.Arbitrary<[string, unknown][]>[] = [];
    for (const field of type.fieldsArray) {
      if (realOneofOf(field)) continue;
      entries.push(this.fieldEntry(field, depth));
    }
    for (const oneof of realOneofs(type)) {
      const members = oneof.fieldsArray.filter((member) => this.fits(member, depth));
      const choices = members.map((member) => this.single(member, depth).map((value): [string, unknown][] => [[member.name, value]]));
      entries.push(fc.oneof(fc.constant<[string, unknown][]>([]), ...choices));
    }
    return fc.tuple(...entries).map((parts) => Object.fromEntries(parts.flat()));
  }

  /** Whether a message-typed field can still nest at this depth. */
  private fits(field: protobuf.Field, depth: number): boolean {
    return !messageTypeOf(field) || depth < this.limits.maxDepth || field.required;
  }

  private fieldEntry(field: protobuf.Field, depth: number): fc.Arbitrary<[string, unknown][]> {
    if (!this.fits(field, depth)) return fc.constant<[string, unknown][]>([]);

    let value: fc.Arbitrary<unknown>;
    if (field.map) value = this.map(field as unknown as protobuf.MapField, depth);
    else if (field.repeated) value = fc.array(this.single(field, depth), { maxLength: this.limits.maxRepeated });
    else value = this.single(field, depth);

    const entry = value.map((v): [string, unknown][] => [[field.name, v]]);
    // Fields without presence (proto3 implicit scalars) are always written, so
    // only fields with presence, other than required ones, may be left out.
    const mayOmit = !field.required && (field.hasPresence || field.repeated || field.map);
    return mayOmit ? fc.oneof(entry, fc.constant<[string, unknown][]>([])) : entry;
  }

  /** One element of the field: a scalar, an enum number or a nested message. */
  single(field: protobuf.FieldBase, depth: number): fc.Arbitrary<unknown> {
    const enumType = enumTypeOf(field);
    if (enumType) return fc.constantFrom(...Object.values(enumType.values));
    const messageType = messageTypeOf(field);
    if (messageType) return this.message(messageType, depth + 1);
    return scalarArbitrary(field.type as ScalarType, this.limits.maxStringLength);
  }

  private map(field: protobuf.MapField, depth: number): fc.Arbitrary<PlainMessage> {
    const key = scalarArbitrary(field.keyType as ScalarType, this.limits.maxStringLength).map(String);
    return fc.dictionary(key, this.single(field, depth), { maxKeys: this.limits.maxRepeated });
  }
}

function timestampArbitrary(): fc.Arbitrary<PlainMessage> {
  return fc.record({
    seconds: fc.bigInt({ min: TIMESTAMP_MIN_SECONDS, max: TIMESTAMP_MAX_SECONDS }).map(String),
    nanos: fc.integer({ min: 0, max: MAX_NANOS }),
  });
}

/** Duration: seconds and nanos must share a sign, which the draw keeps. */
function durationArbitrary(): fc.Arbitrary<PlainMessage> {
  return fc
    .tuple(fc.bigInt({ min: 0n, max: DURATION_MAX_SECONDS }), fc.integer({ min: 0, max: MAX_NANOS }), fc.boolean())
    .map(([seconds, nanos, negative]) => ({
      seconds: String(negative ? -seconds : seconds),
      nanos: negative && nanos > 0 ? -nanos : nanos,
    }));
}
