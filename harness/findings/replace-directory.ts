import { rename, rm } from "node:fs/promises";

/**
 * Moves a fully written `temporary` directory to `target`, replacing any
 * directory there. A process killed in between leaves the old directory
 * renamed aside (`<target>.old-*`) and the new one in place, never a half
 * written target.
 */
export async function replaceDirectory(temporary: string, target: string): Promise<void> {
  const previous = `${target}.old-${process.pid}-${Date.now()}`;
  let hadPrevious = true;
  try {
    await rename(target, previous);
  } catch {
    hadPrevious = false;
  }
  await rename(temporary, target);
  if (hadPrevious) await rm(previous, { recursive: true, force: true });
}
