import type { SampleClass } from "../sample.ts";

/** Sample classes that fromJsonSchema produces. */
export type JsonSchemaSampleClass = Exclude<SampleClass, "oversized">;

export const JSON_SCHEMA_SAMPLE_CLASSES: readonly JsonSchemaSampleClass[] = [
  "valid",
  "boundary",
  "violation",
  "adversarial",
  "corrupt",
];

export interface FromJsonSchemaOptions {
  /**
   * Classes to produce. Default: all five. This generator does not produce
   * `oversized` and raises a RangeError for it. If the schema accepts every
   * JSON value, no violation sample exists. The default set then leaves
   * `violation` out, and naming it explicitly raises a SchemaError.
   */
  classes?: readonly SampleClass[];
  /**
   * Relative weight of each class, non-negative integers. Default:
   * valid 2, boundary 2, violation 3, adversarial 3, corrupt 1, so about
   * 8 in 11 samples parse as JSON and break or stress the schema.
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
}

export type ResolvedOptions = Required<Omit<FromJsonSchemaOptions, "classes" | "weights">> & {
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
};

/** Fills in defaults and raises a RangeError or TypeError naming the first invalid option. */
export function resolveOptions(options: FromJsonSchemaOptions = {}): ResolvedOptions {
  const requestedClasses = options.classes === undefined ? undefined : checkClasses(options.classes);

  const weights = { ...DEFAULT_WEIGHTS };
  for (const [name, weight] of Object.entries(options.weights ?? {})) {
    if (!JSON_SCHEMA_SAMPLE_CLASSES.includes(name as JsonSchemaSampleClass)) {
      throw new TypeError(`weights.${name}: unknown sample class; use one of ${JSON_SCHEMA_SAMPLE_CLASSES.join(", ")}`);
    }
    weights[name as JsonSchemaSampleClass] = checkInteger(`weights.${name}`, weight, 0);
  }

  return {
    requestedClasses,
    weights,
    maxDepth: checkInteger("maxDepth", options.maxDepth ?? 4, 0),
    maxStringLength: checkInteger("maxStringLength", options.maxStringLength ?? 32, 0),
    maxArrayLength: checkInteger("maxArrayLength", options.maxArrayLength ?? 5, 0),
    nestingDepth: checkInteger("nestingDepth", options.nestingDepth ?? 10_000, 1),
    bigNumberDigits: checkInteger("bigNumberDigits", options.bigNumberDigits ?? 5_000, 1),
  };
}

function checkClasses(classes: readonly SampleClass[]): JsonSchemaSampleClass[] {
  if (classes.length === 0) throw new RangeError("classes must name at least one sample class, got []");
  for (const name of classes) {
    if (!JSON_SCHEMA_SAMPLE_CLASSES.includes(name as JsonSchemaSampleClass)) {
      throw new RangeError(
        `classes: fromJsonSchema does not produce "${name}"; use ${JSON_SCHEMA_SAMPLE_CLASSES.join(", ")}`,
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
