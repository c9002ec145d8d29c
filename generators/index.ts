export { fromProtobuf, loadProtoType, type ProtobufOptions } from "./protobuf/index.ts";
export { fromJsonSchema, type FromJsonSchemaOptions, type JsonSchemaSampleClass } from "./json-schema/index.ts";
