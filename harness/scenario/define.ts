import type { Scenario } from "./types.ts";

/**
 * Declares a scenario in TypeScript. Relative paths in it resolve from the
 * scenario file's directory when the CLI or `loadScenario` loads it.
 */
export function defineScenario(scenario: Scenario): Scenario {
  return scenario;
}
