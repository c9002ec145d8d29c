import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { Scenario } from "../scenario/types.ts";

/**
 * Names the message type a scenario's consumer reads: `json-schema:<file
 * name>` (or the inline schema's `$id`, else a hash of it), or
 * `protobuf:<type>`. A corpus case is replayed by every scenario with the
 * same payload type, so the fixed consumer of a scenario copy replays the
 * cases its vulnerable twin produced.
 */
export function payloadTypeOf(scenario: Scenario): string {
  const { schema } = scenario;
  if ("proto" in schema) return `protobuf:${schema.type.replace(/^\./, "")}`;
  if (typeof schema.jsonSchema === "string") return `json-schema:${basename(schema.jsonSchema)}`;
  const id = (schema.jsonSchema as { $id?: unknown }).$id;
  if (typeof id === "string") return `json-schema:${id}`;
  return `json-schema:inline-${createHash("sha256").update(JSON.stringify(schema.jsonSchema)).digest("hex").slice(0, 10)}`;
}
