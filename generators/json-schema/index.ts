export { fromJsonSchema } from "./from-json-schema.ts";
export type { FromJsonSchemaOptions, JsonSchemaSampleClass } from "./options.ts";
