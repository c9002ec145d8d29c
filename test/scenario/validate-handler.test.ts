import { describe, expect, it } from "vitest";
import { resolveSettings } from "../../harness/run/settings.ts";
import { validateScenario } from "../../harness/scenario/validate.ts";
import { validationErrorOf } from "../support/config-error.ts";

function withConsumer(consumer: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: "s", broker: { kind: "jetstream", subject: "orders.created" }, schema: { jsonSchema: "schema.json" }, consumer, ...extra };
}

describe("consumer.handler", () => {
  it.each(["./handlers/inventory.ts#handleOrder", "./handlers/inventory.ts", "./h.mjs#$run_2"])("accepts %s", (handler) => {
    expect(() => validateScenario(withConsumer({ handler, timeoutMs: 500, env: { A: "${stateDir}" }, ready: { timeoutMs: 1 }, stopGraceMs: 0 }))).not.toThrow();
  });

  it("rejects command and handler together", () => {
    const error = validationErrorOf(withConsumer({ command: ["node"], handler: "./h.ts#f" }));
    expect(error.message).toContain('either "command" or "handler", not both');
  });

  it.each(["", "./h.ts#", "./h.ts#not-a-name", "#f"])("rejects handler %j", (handler) => {
    expect(validationErrorOf(withConsumer({ handler })).message).toContain("scenario field consumer.handler must be");
  });

  it("rejects a program field beside a handler", () => {
    expect(validationErrorOf(withConsumer({ handler: "./h.ts#f", cwd: "." })).message).toBe("unknown scenario field consumer.cwd");
  });

  it("rejects timeoutMs beside a command", () => {
    expect(validationErrorOf(withConsumer({ command: ["node"], timeoutMs: 5 })).message).toBe("unknown scenario field consumer.timeoutMs");
  });

  it("rejects ready.output beside a handler", () => {
    expect(validationErrorOf(withConsumer({ handler: "./h.ts#f", ready: { output: "x" } })).message).toContain("consumer.ready.output");
  });

  it("rejects a timeoutMs below 1", () => {
    expect(validationErrorOf(withConsumer({ handler: "./h.ts#f", timeoutMs: 0 })).message).toContain("consumer.timeoutMs must be an integer >= 1");
  });

  it("defaults the time limit to hangTimeoutMs", () => {
    expect(resolveSettings(validateScenario(withConsumer({ handler: "./h.ts#f" }, { hangTimeoutMs: 700 }))).handlerTimeoutMs).toBe(700);
    expect(resolveSettings(validateScenario(withConsumer({ handler: "./h.ts#f", timeoutMs: 90 }))).handlerTimeoutMs).toBe(90);
  });
});
