import { readFileSync } from "node:fs";

import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule, { type FormatsPlugin } from "ajv-formats";
import fc from "fast-check";

import { fromJsonSchema, type FromJsonSchemaOptions } from "../../generators/json-schema/index.ts";
import type { Sample } from "../../generators/sample.ts";

const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../fixtures/schemas/${name}`, import.meta.url), "utf8"));
}

/**
 * Compiles `schema` with a new ajv instance, independent of the generator's
 * cached one. `strictNumbers` matches the generator, so the Infinity that
 * JSON.parse makes of literals beyond the double range is not a valid number.
 */
export function independentValidator(schema: object): (value: unknown) => boolean {
  const is2020 = JSON.stringify(schema).includes("2020-12") || JSON.stringify(schema).includes("prefixItems");
  const options = { strict: false, strictNumbers: true };
  const ajv = is2020 ? new Ajv2020(options) : new Ajv(options);
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (value) => validate(value) === true;
}

export function sampleSchema(schema: object, numRuns: number, options?: FromJsonSchemaOptions, seed = 20_240_601): Sample[] {
  return fc.sample(fromJsonSchema(schema, options), { numRuns, seed });
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function textOf(sample: Sample): string {
  return strictDecoder.decode(sample.bytes);
}

/** Decodes and parses as a consumer would; undefined when the bytes are not UTF-8 JSON. */
export function parseBytes(bytes: Uint8Array): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(strictDecoder.decode(bytes)) };
  } catch {
    return undefined;
  }
}
