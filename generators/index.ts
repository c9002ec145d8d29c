export { fromProtobuf, loadProtoType, type ProtobufOptions } from "./protobuf/index.ts";
