import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ENV_FILE = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts", ".podman-env");

/**
 * Reads the variables scripts/setup-podman.sh wrote (DOCKER_HOST, image names,
 * TESTCONTAINERS_RYUK_DISABLED). CI does not export them to the whole suite,
 * so that every other test provisions brokers the way a machine without a
 * container engine does; the Testcontainers tests load them here.
 */
export function readPodmanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  if (!existsSync(ENV_FILE)) return env;
  for (const line of readFileSync(ENV_FILE, "utf8").split("\n")) {
    const match = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match !== null) env[match[1]!] = match[2]!.replace(/^"(.*)"$/, "$1");
  }
  return env;
}

/** Copies the podman variables into process.env where they are not set already. */
export function loadPodmanEnv(): void {
  for (const [name, value] of Object.entries(readPodmanEnv())) process.env[name] ??= value;
}
