import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";

/**
 * Directories searched after PATH. Debian installs nats-server and
 * rabbitmq-server into /usr/sbin, which is missing from the PATH of most
 * non-root users.
 */
const EXTRA_DIRECTORIES = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/** Returns the absolute path of an executable named `name` on PATH (then the sbin directories), or undefined. */
export async function findExecutable(name: string): Promise<string | undefined> {
  if (isAbsolute(name)) return (await isExecutable(name)) ? name : undefined;
  const directories = [...(process.env.PATH ?? "").split(delimiter).filter((entry) => entry !== ""), ...EXTRA_DIRECTORIES];
  for (const directory of directories) {
    const candidate = join(directory, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
