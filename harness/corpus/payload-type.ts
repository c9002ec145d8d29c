import { createHash } from "node:crypto";
import { basename } from "node:path";
import { ConfigError } from "../errors.ts";
import type { LoadedScenario } from "../scenario/load.ts";
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

/** A finding, corpus case or other reproducer, with the payload type it was recorded for. */
export interface RecordedReproducer {
  /** Name used in messages, e.g. `finding crash-1a2b3c4d5e`. */
  name: string;
  /** Payload type it was recorded for; undefined when unknown (then nothing is checked). */
  payloadType: string | undefined;
}

/**
 * Rejects a scenario whose consumer reads another payload type than the
 * reproducer was recorded for: its bytes would be sent to a consumer that
 * cannot parse them, and a "no longer fails" would mean nothing.
 * `force` skips the check.
 */
export function assertSamePayloadType(recorded: RecordedReproducer, loaded: LoadedScenario, force: boolean): void {
  if (force || recorded.payloadType === undefined) return;
  const actual = payloadTypeOf(loaded.scenario);
  if (actual === recorded.payloadType) return;
  const where = loaded.file === undefined ? `scenario "${loaded.scenario.name}"` : `scenario ${loaded.file}`;
  throw new ConfigError(`${where} reads ${actual}, but ${recorded.name} was recorded for ${recorded.payloadType}`, {
    value: actual,
    hint: "pass a scenario with the same payload type, or --any-scenario to send the payload anyway",
  });
}
