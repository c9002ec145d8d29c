import { ConfigError } from "../../harness/errors.ts";
import { validateScenario } from "../../harness/scenario/validate.ts";

/** Returns the ConfigError validateScenario raises for `scenario`; throws if it accepts the scenario. */
export function validationErrorOf(scenario: unknown): ConfigError {
  try {
    validateScenario(scenario);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("validateScenario accepted the scenario");
}
