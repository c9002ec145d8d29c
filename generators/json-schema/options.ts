import type { PayloadSampleClass, SampleClass } from "../sample.ts";

/** Sample classes that fromJsonSchema produces: every class but `headers`. */
export type JsonSchemaSampleClass = PayloadSampleClass;

/** The classes produced when `classes` is not given; `oversized` must be named because it needs `maxPayloadBytes`. */
export const JSON_SCHEMA_SAMPLE_CLASSES: readonly JsonSchemaSampleClass[] = [
  "valid",
  "boundary",
  "violation",
  "adversarial",
  "corrupt",
];

const ALL_CLASSES: readonly JsonSchemaSampleClass[] = [...JSON_SCHEMA_SAMPLE_CLASSES, "oversized"];

/** How payload bytes are encoded on the wire. */
export type ContentEncoding = "identity" | "gzip";

export interface FromJsonSchemaOptions {
  /**
   * Classes to produce. Default: valid, boundary, violation, adversarial and
   * corrupt. `oversized` is produced only when named here, and then needs
   * `maxPayloadBytes`; its samples are up to that size, so a flood of them
   * costs memory and bandwidth. If the schema accepts every
   * JSON value, no violation sample exists. The default set then leaves
   * `violation` out, and naming it explicitly raises a SchemaError.
   */
  classes?: readonly SampleClass[];
  /**
   * Relative weight of each class, non-negative integers. Default:
   * valid 2, boundary 2, violation 3, adversarial 3, corrupt 1, oversized 1,
   * so without `oversized` about 8 in 11 samples parse as JSON and break or
   * stress the schema.
   */
  weights?: Partial<Record<JsonSchemaSampleClass, number>>;
  /**
   * Maximum number of `$ref` expansions on one path of a generated value.
   * At the limit, optional properties and array items that need another
   * expansion are left out. Default 4.
   */
  maxDepth?: number;
  /** Maximum length, in code points, of strings without `maxLength`. Default 32. */
  maxStringLength?: number;
  /** Maximum item count of arrays without `maxItems`. Default 5. */
  maxArrayLength?: number;
  /** Nesting depth of the deeply nested arrays and objects in `corrupt` samples. Default 10_000. */
  nestingDepth?: number;
  /** Digit count of the long number literals in `adversarial` samples. Default 5_000. */
  bigNumberDigits?: number;
  /**
   * Largest payload the broker accepts, in bytes (NATS `max_payload`,
   * RabbitMQ `max_message_size`). Sizes the `oversized` samples: one of
   * exactly this size, one a byte over, strings and arrays just under it.
   * Required when `oversized` is requested; no default, because a guessed
   * limit would test the wrong edge.
   */
  maxPayloadBytes?: number;
  /** Nesting depth of the deeply nested values in `oversized` samples, capped to fit `maxPayloadBytes`. Default 100_000. */
  oversizedNestingDepth?: number;
  /** Digit count of the long number literals in `oversized` samples, capped to fit `maxPayloadBytes`. Default 100_000. */
  oversizedNumberDigits?: number;
  /**
   * Wire encoding of every payload. With `gzip` each sample is compressed
   * after it is labelled (the label describes the decompressed JSON), and the
   * `oversized` class adds decompression bombs that expand about 1000-fold.
   * Default `identity`.
   */
  contentEncoding?: ContentEncoding;
}

export type ResolvedOptions = Required<Omit<FromJsonSchemaOptions, "classes" | "weights" | "maxPayloadBytes">> & {
  maxPayloadBytes: number | undefined;
  /** Classes the caller named, or undefined for the default set. */
  requestedClasses: readonly JsonSchemaSampleClass[] | undefined;
  weights: Record<JsonSchemaSampleClass, number>;
};

const DEFAULT_WEIGHTS: Record<JsonSchemaSampleClass, number> = {
  valid: 2,
  boundary: 2,
  violation: 3,
  adversarial: 3,
  corrupt: 1,
  oversized: 1,
};

/** Fills in defaults and raises a RangeError or TypeError naming the first invalid option. */
export function resolveOptions(options: FromJsonSchemaOptions = {}): ResolvedOptions {
  const requestedClasses = options.classes === undefined ? undefined : checkClasses(options.classes);

  const weights = { ...DEFAULT_WEIGHTS };
  for (const [name, weight] of Object.entries(options.weights ?? {})) {
    if (!ALL_CLASSES.includes(name as JsonSchemaSampleClass)) {
      throw new TypeError(`weights.${name}: unknown sample class; use one of ${ALL_CLASSES.join(", ")}`);
    }
    weights[name as JsonSchemaSampleClass] = checkInteger(`weights.${name}`, weight, 0);
  }

  const resolved: ResolvedOptions = {
    requestedClasses,
    weights,
    maxDepth: checkInteger("maxDepth", options.maxDepth ?? 4, 0),
    maxStringLength: checkInteger("maxStringLength", options.maxStringLength ?? 32, 0),
    maxArrayLength: checkInteger("maxArrayLength", options.maxArrayLength ?? 5, 0),
    nestingDepth: checkInteger("nestingDepth", options.nestingDepth ?? 10_000, 1),
    bigNumberDigits: checkInteger("bigNumberDigits", options.bigNumberDigits ?? 5_000, 1),
    maxPayloadBytes: options.maxPayloadBytes === undefined ? undefined : checkInteger("maxPayloadBytes", options.maxPayloadBytes, 64),
    oversizedNestingDepth: checkInteger("oversizedNestingDepth", options.oversizedNestingDepth ?? 100_000, 1),
    oversizedNumberDigits: checkInteger("oversizedNumberDigits", options.oversizedNumberDigits ?? 100_000, 1),
    contentEncoding: checkEncoding(options.contentEncoding ?? "identity"),
  };
  if (requestedClasses?.includes("oversized") && resolved.maxPayloadBytes === undefined) {
    throw new RangeError("classes: oversized needs maxPayloadBytes, the broker's payload limit in bytes; pass it in the options");
  }
  return resolved;
}

function checkEncoding(value: unknown): ContentEncoding {
  if (value !== "identity" && value !== "gzip") throw new RangeError(`contentEncoding must be "identity" or "gzip", got ${String(value)}`);
  return value;
}

function checkClasses(classes: readonly SampleClass[]): JsonSchemaSampleClass[] {
  if (classes.length === 0) throw new RangeError("classes must name at least one sample class, got []");
  for (const name of classes) {
    if (!ALL_CLASSES.includes(name as JsonSchemaSampleClass)) {
      throw new RangeError(
        `classes: fromJsonSchema does not produce "${name}"; use ${ALL_CLASSES.join(", ")}`,
      );
    }
  }
  return [...new Set(classes)] as JsonSchemaSampleClass[];
}

function checkInteger(name: string, value: unknown, minimum: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be an integer >= ${minimum}, got ${String(value)}`);
  }
  return value;
}
