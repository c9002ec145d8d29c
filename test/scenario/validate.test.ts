import { describe, expect, it } from "vitest";
import { validateScenario } from "../../harness/scenario/validate.ts";
import { validationErrorOf } from "../support/config-error.ts";

function baseScenario(): Record<string, unknown> {
  return {
    name: "s",
    broker: { kind: "jetstream", subject: "orders.created" },
    schema: { jsonSchema: "schema.json" },
    consumer: { command: ["node", "consumer.js"], ready: { output: "ready" } },
    invariants: [{ name: "holds", command: ["true"] }],
  };
}

describe("unknown scenario fields", () => {
  it("accepts a valid scenario", () => {
    expect(() => validateScenario(baseScenario())).not.toThrow();
  });

  it("accepts $schema and $comment", () => {
    expect(() => validateScenario({ ...baseScenario(), $schema: "x", $comment: "y" })).not.toThrow();
  });

  it.each([
    [{ invariant: [] }, "invariant", "did you mean invariants?"],
    [{ hangTimeoutMS: 3000 }, "hangTimeoutMS", "did you mean hangTimeoutMs?"],
  ])("rejects root field %o", (extra, field, hint) => {
    const error = validationErrorOf({ ...baseScenario(), ...extra });
    expect(error.message).toBe(`unknown scenario field ${field}`);
    expect(error.oneLine()).toContain(hint);
    expect(error.exitCode).toBe(2);
  });

  it("rejects a misspelled broker field", () => {
    const scenario = baseScenario();
    scenario.broker = { kind: "jetstream", subject: "a.b", stram: "S" };
    expect(validationErrorOf(scenario).oneLine()).toContain("did you mean broker.stream?");
  });

  it("rejects a misspelled ready field", () => {
    const scenario = baseScenario();
    scenario.consumer = { command: ["node"], ready: { outptu: "x" } };
    expect(validationErrorOf(scenario).oneLine()).toContain("did you mean consumer.ready.output?");
  });

  it("rejects a rabbitmq field on a NATS broker", () => {
    const scenario = baseScenario();
    scenario.broker = { kind: "jetstream", subject: "a.b", queue: "q" };
    const error = validationErrorOf(scenario);
    expect(error.message).toBe("unknown scenario field broker.queue");
    expect(error.oneLine()).toContain("broker.subject");
  });

  it("rejects an unknown invariant field", () => {
    const scenario = baseScenario();
    scenario.invariants = [{ name: "x", command: ["true"], cmd: ["false"] }];
    expect(validationErrorOf(scenario).message).toBe("unknown scenario field invariants[0].cmd");
  });
});
