import { ConfigError } from "../errors.ts";

/**
 * Replaces `${name}` in a string with its value. An unknown name is an error,
 * so a typo in a scenario fails at once instead of reaching the consumer.
 */
export function expandPlaceholders(text: string, values: Readonly<Record<string, string>>, field: string): string {
  return text.replace(/\$\{([A-Za-z][A-Za-z0-9]*)\}/g, (match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new ConfigError(`unknown placeholder ${match} in ${field}`, {
        value: text,
        hint: `use one of ${Object.keys(values).map((k) => "${" + k + "}").join(", ")}`,
      });
    }
    return value;
  });
}
