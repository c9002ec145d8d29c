/** Options of `fromProtobuf`, their defaults and their checks. */
import { SAMPLE_CLASSES, type SampleClass } from "../sample.ts";

export interface ProtobufOptions {
  /**
   * Classes to draw from. Default: every class the message type supports
   * (all but `violation`, which this generator does not produce: each schema
   * break that survives the wire format is labelled `corrupt`).
   * A listed class the type cannot produce raises a SchemaError.
   */
  classes?: readonly SampleClass[];
  /** Relative weight per class. Default: valid 4, boundary 2, corrupt 4, adversarial 1, oversized 1. */
  weights?: Partial<Record<SampleClass, number>>;
  /** Levels of nested messages in valid samples, counted from the root (0 = root only). Default 4, minimum 0. */
  maxDepth?: number;
  /** Maximum elements of a repeated field and entries of a map in valid samples. Default 4, minimum 0. */
  maxRepeated?: number;
  /** Maximum length of strings (code points) and bytes in valid samples. Default 32, minimum 0. */
  maxStringLength?: number;
  /**
   * Length, in characters or bytes, of the long strings and bytes among boundary values.
   * Default 65_536, which is past the 16-bit sizes some consumers assume; minimum 1.
   */
  longStringLength?: number;
  /**
   * Encoded size in bytes of the repeated field in `oversized` amplification
   * samples. Default 262_144 (256 KiB), which stays under the 1 MiB default
   * payload limit of NATS and decodes to about 15 MB in protobufjs 8; minimum 16.
   */
  amplifiedBytes?: number;
}

export interface ResolvedOptions {
  classes: readonly SampleClass[] | undefined;
  weights: Record<SampleClass, number>;
  maxDepth: number;
  maxRepeated: number;
  maxStringLength: number;
  longStringLength: number;
  amplifiedBytes: number;
}

const DEFAULT_WEIGHTS: Record<SampleClass, number> = {
  valid: 4,
  boundary: 2,
  violation: 0,
  adversarial: 1,
  corrupt: 4,
  oversized: 1,
  headers: 0,
};

function integerOption(options: ProtobufOptions, name: keyof ProtobufOptions, fallback: number, min: number): number {
  const value = options[name] ?? fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`fromProtobuf: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(options: ProtobufOptions = {}): ResolvedOptions {
  const weights = { ...DEFAULT_WEIGHTS };
  for (const [name, weight] of Object.entries(options.weights ?? {})) {
    if (!SAMPLE_CLASSES.includes(name as SampleClass)) {
      throw new RangeError(`fromProtobuf: weights has an unknown class ${JSON.stringify(name)}; classes are ${SAMPLE_CLASSES.join(", ")}`);
    }
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`fromProtobuf: weights.${name} must be a finite number >= 0, got ${String(weight)}`);
    }
    weights[name as SampleClass] = weight;
  }
  for (const name of options.classes ?? []) {
    if (!SAMPLE_CLASSES.includes(name)) {
      throw new RangeError(`fromProtobuf: classes has an unknown class ${JSON.stringify(name)}; classes are ${SAMPLE_CLASSES.join(", ")}`);
    }
  }
  if (options.classes && options.classes.length === 0) {
    throw new RangeError("fromProtobuf: classes must list at least one class, got []");
  }
  return {
    classes: options.classes,
    weights,
    maxDepth: integerOption(options, "maxDepth", 4, 0),
    maxRepeated: integerOption(options, "maxRepeated", 4, 0),
    maxStringLength: integerOption(options, "maxStringLength", 32, 0),
    longStringLength: integerOption(options, "longStringLength", 65_536, 1),
    amplifiedBytes: integerOption(options, "amplifiedBytes", 262_144, 16),
  };
}
