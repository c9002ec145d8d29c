import { ConfigError } from "../errors.ts";
import { closestName } from "../text/closest-name.ts";
import { SAMPLE_CLASSES } from "../../generators/sample.ts";
import { isLoopbackHost } from "../brokers/url-guard.ts";
import type { Scenario } from "./types.ts";

type Json = Record<string, unknown>;

function fail(field: string, expected: string, got: unknown, hint?: string): never {
  let shown: string;
  if (got === undefined) shown = "nothing";
  else shown = JSON.stringify(got) ?? String(got);
  throw new ConfigError(`scenario field ${field} must be ${expected}, got ${shown}`, { value: got, hint: hint ?? `fix ${field} in the scenario` });
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Rejects keys the scenario format does not define, so a misspelled option
 * fails the run instead of being ignored. Keys starting with "$" ("$schema",
 * "$comment") are allowed in every object.
 */
function rejectUnknownFields(object: Json, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key) || key.startsWith("$")) continue;
    const field = prefix === "" ? key : `${prefix}.${key}`;
    const suggestion = closestName(key, known);
    const where = prefix === "" ? "" : `${prefix}.`;
    throw new ConfigError(`unknown scenario field ${field}`, {
      value: key,
      hint: suggestion !== undefined ? `did you mean ${where}${suggestion}?` : `the fields here are ${known.map((name) => where + name).join(", ")}`,
    });
  }
}

const SCENARIO_FIELDS = [
  "name",
  "broker",
  "schema",
  "consumer",
  "invariants",
  "hangTimeoutMs",
  "checkEveryMessages",
  "maxInFlight",
  "maxDeliveries",
  "allowRemoteBroker",
  "generator",
  "memory",
  "liveness",
  "contentEncoding",
] as const;
const NATS_BROKER_FIELDS = ["kind", "url", "subject", "stream", "provision"] as const;
const RABBITMQ_BROKER_FIELDS = ["kind", "url", "queue", "exchange", "routingKey", "provision"] as const;
const JSON_SCHEMA_FIELDS = ["jsonSchema"] as const;
const PROTO_SCHEMA_FIELDS = ["proto", "type", "includePaths"] as const;
const CONSUMER_FIELDS = ["command", "env", "cwd", "ready", "stopGraceMs"] as const;
const HANDLER_CONSUMER_FIELDS = ["handler", "timeoutMs", "env", "ready", "stopGraceMs"] as const;
const READY_FIELDS = ["output", "timeoutMs"] as const;
const INVARIANT_FIELDS = ["name", "check", "command"] as const;
const MEMORY_FIELDS = ["enabled", "warmupMessages", "maxGrowthBytesPerMessage", "sampleIntervalMs"] as const;
const LIVENESS_FIELDS = ["url", "command", "intervalMs", "timeoutMs"] as const;
const GENERATOR_FIELDS = ["classes"] as const;

function requireString(object: Json, key: string, prefix: string): string {
  const value = object[key];
  if (typeof value !== "string" || value === "") fail(`${prefix}.${key}`, "a non-empty string", value);
  return value;
}

function optionalString(object: Json, key: string, prefix: string): void {
  if (object[key] !== undefined && typeof object[key] !== "string") fail(`${prefix}.${key}`, "a string", object[key]);
}

function optionalInteger(object: Json, key: string, prefix: string, min: number, unit = ""): void {
  const value = object[key];
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) fail(`${prefix}.${key}`, `an integer >= ${min}${unit}`, value);
}

function validateBroker(broker: unknown): void {
  if (!isObject(broker)) fail("broker", "an object", broker);
  const kinds = ["nats", "jetstream", "rabbitmq"];
  if (!kinds.includes(broker.kind as string)) fail("broker.kind", `one of ${kinds.map((k) => `"${k}"`).join(", ")}`, broker.kind);
  optionalString(broker, "url", "broker");
  if (broker.provision !== undefined && !["auto", "url", "local", "testcontainers"].includes(broker.provision as string)) {
    fail("broker.provision", 'one of "auto", "url", "local", "testcontainers"', broker.provision);
  }
  rejectUnknownFields(broker, broker.kind === "rabbitmq" ? RABBITMQ_BROKER_FIELDS : NATS_BROKER_FIELDS, "broker");
  if (broker.kind === "rabbitmq") {
    requireString(broker, "queue", "broker");
    optionalString(broker, "exchange", "broker");
    optionalString(broker, "routingKey", "broker");
    return;
  }
  const subject = requireString(broker, "subject", "broker");
  if (/[\s*>]/.test(subject) || subject.startsWith(".") || subject.endsWith(".")) {
    fail("broker.subject", "a literal NATS subject without spaces or wildcards", subject);
  }
  optionalString(broker, "stream", "broker");
  if (typeof broker.stream === "string" && !/^[A-Za-z0-9_-]+$/.test(broker.stream)) {
    fail("broker.stream", "a stream name of letters, digits, '_' and '-'", broker.stream);
  }
}

function validateSchema(schema: unknown): void {
  if (!isObject(schema)) fail("schema", 'an object such as { "jsonSchema": "order.schema.json" }', schema);
  if ("jsonSchema" in schema) {
    rejectUnknownFields(schema, JSON_SCHEMA_FIELDS, "schema");
    const source = schema.jsonSchema;
    if (typeof source !== "string" && !isObject(source)) fail("schema.jsonSchema", "a file path or a schema object", source);
    return;
  }
  if ("proto" in schema) {
    rejectUnknownFields(schema, PROTO_SCHEMA_FIELDS, "schema");
    requireString(schema, "proto", "schema");
    requireString(schema, "type", "schema");
    if (schema.includePaths !== undefined && !(Array.isArray(schema.includePaths) && schema.includePaths.every((p) => typeof p === "string"))) {
      fail("schema.includePaths", "an array of directory paths", schema.includePaths);
    }
    return;
  }
  fail("schema", 'an object with "jsonSchema" or with "proto" and "type"', schema);
}

function validateConsumer(consumer: unknown): void {
  if (!isObject(consumer)) fail("consumer", "an object", consumer);
  if (consumer.command !== undefined && consumer.handler !== undefined) {
    fail("consumer", 'an object with either "command" or "handler", not both', consumer);
  }
  if (consumer.handler !== undefined) {
    validateHandlerConsumer(consumer);
  } else {
    rejectUnknownFields(consumer, CONSUMER_FIELDS, "consumer");
    const command = consumer.command;
    if (!Array.isArray(command) || command.length === 0 || !command.every((part) => typeof part === "string")) {
      fail("consumer.command", 'a non-empty array of strings, e.g. ["node", "consumer.js"], or a "handler"', command);
    }
  }
  if (consumer.env !== undefined) {
    if (!isObject(consumer.env)) fail("consumer.env", "an object of strings", consumer.env);
    for (const [name, value] of Object.entries(consumer.env)) {
      if (typeof value !== "string") fail(`consumer.env.${name}`, "a string", value);
    }
  }
  optionalString(consumer, "cwd", "consumer");
  optionalInteger(consumer, "stopGraceMs", "consumer", 0, " (milliseconds)");
  if (consumer.ready !== undefined) {
    if (!isObject(consumer.ready)) fail("consumer.ready", "an object", consumer.ready);
    rejectUnknownFields(consumer.ready, READY_FIELDS, "consumer.ready");
    const output = consumer.ready.output;
    if (output !== undefined && typeof output !== "string" && !(output instanceof RegExp)) fail("consumer.ready.output", "a regular expression", output);
    if (typeof output === "string") {
      try {
        new RegExp(output);
      } catch (error) {
        fail("consumer.ready.output", "a valid regular expression", output, `fix the pattern (${(error as Error).message})`);
      }
    }
    optionalInteger(consumer.ready, "timeoutMs", "consumer.ready", 1, " (milliseconds)");
  }
}

function validateHandlerConsumer(consumer: Json): void {
  rejectUnknownFields(consumer, HANDLER_CONSUMER_FIELDS, "consumer");
  const handler = consumer.handler;
  if (typeof handler !== "string" || !/^[^#]+(#[A-Za-z_$][\w$]*)?$/.test(handler)) {
    fail("consumer.handler", 'a module path and an optional export name, e.g. "./handlers/inventory.ts#handleOrder"', handler);
  }
  optionalInteger(consumer, "timeoutMs", "consumer", 1, " (milliseconds)");
  if (isObject(consumer.ready) && consumer.ready.output !== undefined) {
    fail("consumer.ready.output", "absent for a handler, which reports readiness itself", consumer.ready.output, "remove consumer.ready.output");
  }
}

function validateInvariants(invariants: unknown): void {
  if (invariants === undefined) return;
  if (!Array.isArray(invariants)) fail("invariants", "an array", invariants);
  invariants.forEach((invariant: unknown, index) => {
    const prefix = `invariants[${index}]`;
    if (!isObject(invariant)) fail(prefix, "an object", invariant);
    rejectUnknownFields(invariant, INVARIANT_FIELDS, prefix);
    requireString(invariant, "name", prefix);
    const hasCheck = typeof invariant.check === "function";
    const hasCommand = Array.isArray(invariant.command) && invariant.command.length > 0 && invariant.command.every((p) => typeof p === "string");
    if (!hasCheck && !hasCommand) fail(prefix, 'an object with a "check" function or a non-empty "command" array', invariant);
  });
}

function validateMemory(memory: unknown): void {
  if (memory === undefined) return;
  if (!isObject(memory)) fail("memory", "an object", memory);
  rejectUnknownFields(memory, MEMORY_FIELDS, "memory");
  if (memory.enabled !== undefined && typeof memory.enabled !== "boolean") fail("memory.enabled", "true or false", memory.enabled);
  optionalInteger(memory, "warmupMessages", "memory", 0);
  optionalInteger(memory, "maxGrowthBytesPerMessage", "memory", 1, " (bytes per message)");
  optionalInteger(memory, "sampleIntervalMs", "memory", 10, " (milliseconds)");
}

function validateLiveness(liveness: unknown): void {
  if (liveness === undefined) return;
  if (!isObject(liveness)) fail("liveness", "an object", liveness);
  rejectUnknownFields(liveness, LIVENESS_FIELDS, "liveness");
  const { url, command } = liveness;
  if ((url === undefined) === (command === undefined)) fail("liveness", 'an object with either "url" or "command"', liveness);
  if (url !== undefined) {
    if (typeof url !== "string") fail("liveness.url", "a URL string", url);
    let parsed: URL;
    try {
      parsed = new URL(url.replace(/\$\{livenessPort\}/g, "1"));
    } catch {
      fail("liveness.url", "a valid http URL", url);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") fail("liveness.url", "an http or https URL", url);
    if (!isLoopbackHost(parsed.hostname.replace(/^\[|\]$/g, ""))) fail("liveness.url", "a URL on a loopback host (127.0.0.1, localhost, [::1])", url);
  }
  if (command !== undefined && !(Array.isArray(command) && command.length > 0 && command.every((part) => typeof part === "string"))) {
    fail("liveness.command", 'a non-empty array of strings, e.g. ["./probe.sh"]', command);
  }
  optionalInteger(liveness, "intervalMs", "liveness", 10, " (milliseconds)");
  optionalInteger(liveness, "timeoutMs", "liveness", 1, " (milliseconds)");
}

/** Checks a scenario's shape and values; throws a ConfigError naming the first bad field. */
export function validateScenario(input: unknown): Scenario {
  if (!isObject(input)) fail("(root)", "an object", input);
  rejectUnknownFields(input, SCENARIO_FIELDS, "");
  requireString(input, "name", "scenario");
  validateBroker(input.broker);
  validateSchema(input.schema);
  validateConsumer(input.consumer);
  validateInvariants(input.invariants);
  optionalInteger(input, "hangTimeoutMs", "scenario", 1, " (milliseconds)");
  optionalInteger(input, "checkEveryMessages", "scenario", 1);
  optionalInteger(input, "maxInFlight", "scenario", 1);
  optionalInteger(input, "maxDeliveries", "scenario", 1);
  if (input.allowRemoteBroker !== undefined && typeof input.allowRemoteBroker !== "boolean") fail("scenario.allowRemoteBroker", "true or false", input.allowRemoteBroker);
  validateMemory(input.memory);
  validateLiveness(input.liveness);
  if (input.contentEncoding !== undefined && input.contentEncoding !== "identity" && input.contentEncoding !== "gzip") {
    fail("scenario.contentEncoding", '"identity" or "gzip"', input.contentEncoding);
  }
  if (input.generator !== undefined) {
    if (!isObject(input.generator)) fail("generator", "an object", input.generator);
    rejectUnknownFields(input.generator, GENERATOR_FIELDS, "generator");
    const classes = input.generator.classes;
    if (classes !== undefined && !(Array.isArray(classes) && classes.length > 0 && classes.every((c) => SAMPLE_CLASSES.includes(c)))) {
      fail("generator.classes", `a non-empty array of ${SAMPLE_CLASSES.join(", ")}`, classes);
    }
  }
  return input as unknown as Scenario;
}
