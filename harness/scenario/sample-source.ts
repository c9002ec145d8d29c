import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import fc from "fast-check";
import { SchemaError } from "../../generators/errors.ts";
import { fromJsonSchema } from "../../generators/json-schema/index.ts";
import { withAmqpHeaders } from "../../generators/headers/index.ts";
import { fromProtobuf, loadProtoType } from "../../generators/protobuf/index.ts";
import type { PayloadSampleClass, Sample, SampleClass } from "../../generators/sample.ts";
import { ConfigError } from "../errors.ts";
import type { LoadedScenario } from "./load.ts";

/**
 * The scenario's payload generator with the reproduction scheme fast-check
 * uses: sample `i` of seed `s` is `fc.sample(arbitrary, { seed: s, path: "i" })`,
 * and a path `"i:j:k"` walks shrink steps from it.
 */
export class SampleSource {
  constructor(readonly arbitrary: fc.Arbitrary<Sample>) {}

  /** `count` consecutive samples starting at index `start`; cheap to call in chunks. */
  range(seed: number, start: number, count: number): Sample[] {
    return fc.sample(this.arbitrary, { seed, path: String(start), numRuns: count });
  }

  /** The sample at a fast-check path ("17", or "17:0:3" after shrinking). */
  at(seed: number, path: string): Sample {
    const [sample] = fc.sample(this.arbitrary, { seed, path, numRuns: 1 });
    if (sample === undefined) throw new ConfigError(`no sample at path "${path}" for seed ${seed}`, { value: path, hint: "check the path recorded with the finding" });
    return sample;
  }
}

async function readSchemaFile(path: string): Promise<object> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === "ENOENT" ? `schema file ${path} not found` : `schema file ${path} could not be read (${code})`, {
      value: path,
      hint: "fix schema.jsonSchema in the scenario; relative paths resolve from the scenario file's directory",
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as object;
  } catch (error) {
    throw new ConfigError(`schema file ${path} is not valid JSON: ${(error as Error).message}`, { value: path, hint: "fix the JSON syntax of the schema", cause: error });
  }
}

function schemaConfigError(error: SchemaError, source: string): ConfigError {
  return new ConfigError(`schema ${source}: ${error.message}`, { value: error.pointer, hint: "change the schema, or restrict the scenario to what poisonpill supports (see the README)", cause: error });
}

/**
 * Converts a .proto loading error into a ConfigError. The loader's message
 * names the file, the line where protobufjs reports one, and the fix, so the
 * hint only points at the scenario field to change.
 */
function protoConfigError(error: SchemaError, schema: { type: string }): ConfigError {
  let hint = "schema.proto in the scenario names the file; relative paths resolve from the scenario file's directory";
  if (error.keyword === "import") hint = "set schema.includePaths in the scenario; relative paths resolve from the scenario file's directory";
  else if (error.keyword === schema.type) hint = "set schema.type in the scenario to one of those, fully qualified";
  return new ConfigError(error.message, { value: error.pointer, hint, cause: error });
}

export interface SampleSourceOptions {
  /** The broker's payload limit in bytes; sizes the `oversized` class of JSON Schema scenarios. */
  maxPayloadBytes?: number;
  /** The AMQP connection's negotiated `frame_max` in bytes; sizes the `headers` class. Default: RabbitMQ's 131_072. */
  frameMaxBytes?: number;
}

/**
 * Share of `headers` samples in a RabbitMQ flood that draws from every
 * class: one in twenty. Header samples carry valid payloads, and one in
 * eleven of them is a table of about 64 KiB, so a larger share would mostly
 * slow the flood without testing the payload handling more.
 */
const HEADERS_WEIGHT = 1;
const PAYLOAD_WEIGHT = 19;

/**
 * Builds the sample generator a scenario's `schema` describes; schema
 * problems become ConfigErrors. RabbitMQ scenarios also get the `headers`
 * class (valid payloads with adversarial AMQP field tables) unless
 * `generator.classes` leaves it out; other brokers reject it.
 */
export async function buildSampleSource(loaded: LoadedScenario, options: SampleSourceOptions = {}): Promise<SampleSource> {
  const classes = loaded.scenario.generator?.classes;
  const withHeaders = loaded.scenario.broker.kind === "rabbitmq" && (classes === undefined || classes.includes("headers"));
  if (!withHeaders && classes?.includes("headers")) {
    throw new ConfigError(`generator.classes: headers is produced for RabbitMQ scenarios only, and this one uses ${loaded.scenario.broker.kind}`, {
      value: classes,
      hint: "leave headers out of generator.classes",
    });
  }
  const payloadClasses = classes?.filter((name): name is PayloadSampleClass => name !== "headers");
  if (!withHeaders) return new SampleSource(await payloadArbitrary(loaded, payloadClasses, options));

  const headers = withAmqpHeaders(await payloadArbitrary(loaded, ["valid"], options), { frameMaxBytes: options.frameMaxBytes });
  if (payloadClasses !== undefined && payloadClasses.length === 0) return new SampleSource(headers);
  const payloads = await payloadArbitrary(loaded, payloadClasses, options);
  return new SampleSource(fc.oneof({ arbitrary: payloads, weight: PAYLOAD_WEIGHT }, { arbitrary: headers, weight: HEADERS_WEIGHT }));
}

/** Builds the payload generator for `classes` (undefined: the generator's default set). */
async function payloadArbitrary(loaded: LoadedScenario, classes: SampleClass[] | undefined, options: SampleSourceOptions): Promise<fc.Arbitrary<Sample>> {
  const { schema } = loaded.scenario;
  if ("jsonSchema" in schema) {
    const source = typeof schema.jsonSchema === "string" ? resolve(loaded.baseDir, schema.jsonSchema) : "(inline)";
    const document = typeof schema.jsonSchema === "string" ? await readSchemaFile(source) : schema.jsonSchema;
    try {
      return fromJsonSchema(document, { classes, maxPayloadBytes: options.maxPayloadBytes, contentEncoding: loaded.scenario.contentEncoding });
    } catch (error) {
      if (error instanceof SchemaError) throw schemaConfigError(error, source);
      if (error instanceof RangeError && classes?.includes("oversized") && options.maxPayloadBytes === undefined) {
        throw new ConfigError("the oversized class needs the broker's payload limit, which is only known once the broker is up", {
          value: classes,
          hint: "run the scenario against a broker, or leave oversized out of generator.classes here",
          cause: error,
        });
      }
      throw error;
    }
  }
  const protoFile = resolve(loaded.baseDir, schema.proto);
  let type: Awaited<ReturnType<typeof loadProtoType>>;
  try {
    type = await loadProtoType(protoFile, schema.type, { includePaths: (schema.includePaths ?? []).map((p) => resolve(loaded.baseDir, p)) });
  } catch (error) {
    if (error instanceof SchemaError) throw protoConfigError(error, schema);
    throw error;
  }
  try {
    return fromProtobuf(type, { classes });
  } catch (error) {
    if (error instanceof SchemaError) throw schemaConfigError(error, protoFile);
    throw error;
  }
}
