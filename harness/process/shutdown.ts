import createDebug from "debug";
import { EnvironmentError, describeThrown } from "../errors.ts";

const debug = createDebug("poisonpill:shutdown");

/**
 * Time the cleanups get after SIGINT, SIGTERM or SIGHUP before the harness
 * exits anyway. Removing a broker container through the engine API takes
 * well under a second, and killing a private broker's leftover daemons about
 * as long. 8 s stays below the 10 s that `docker stop` and most CI runners
 * wait between SIGTERM and SIGKILL.
 */
export const INTERRUPT_CLEANUP_TIMEOUT_MS = 8_000;

const EXIT_CODES: Record<InterruptSignal, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

type InterruptSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** Work to do when the harness is interrupted; the synchronous part of every cleanup runs before any asynchronous part. */
export type InterruptCleanup = () => void | Promise<unknown>;

const cleanups = new Set<{ name: string; run: InterruptCleanup }>();
let handlersInstalled = false;
let interruption: { signal: InterruptSignal; done: Promise<never> } | undefined;

/**
 * Registers a cleanup to run when the harness gets SIGINT, SIGTERM or SIGHUP,
 * and installs the signal handlers on first use. Returns a function that
 * removes the registration; owners call it once they have released the
 * resource themselves.
 *
 * On a signal every cleanup starts at once; the harness waits for all of them
 * (at most INTERRUPT_CLEANUP_TIMEOUT_MS) and then exits with 128 + the signal
 * number (130 for SIGINT, 143 for SIGTERM). A second signal exits at once.
 */
export function onInterrupt(name: string, run: InterruptCleanup): () => void {
  installHandlers();
  const entry = { name, run };
  cleanups.add(entry);
  return () => {
    cleanups.delete(entry);
  };
}

/** The signal that interrupted the harness, or undefined while it runs normally. */
export function interruptedBy(): InterruptSignal | undefined {
  return interruption?.signal;
}

/**
 * Throws once the harness is interrupted. Called before work that would
 * misread the interruption: a consumer killed by the cleanup is no crash.
 */
export function throwIfInterrupted(): void {
  if (interruption !== undefined) throw new EnvironmentError(`run interrupted by ${interruption.signal}`, { hint: "brokers and consumers started by the run are being stopped" });
}

/**
 * After an interruption, waits until the cleanups have run and the process
 * exits; resolves at once otherwise. Lets an entry point that catches the
 * errors an interruption causes (a killed consumer, a closed connection)
 * leave the exit code to the signal handler.
 */
export async function waitForInterruptCleanup(): Promise<void> {
  if (interruption !== undefined) await interruption.done;
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of Object.keys(EXIT_CODES) as InterruptSignal[]) process.on(signal, () => handleSignal(signal));
}

let interruptNotice: ((signal: InterruptSignal, cleanupCount: number) => void) | undefined;

/** Sets a function called when an interruption starts, before the cleanups run, so the CLI can print a line. */
export function setInterruptNotice(listener: (signal: InterruptSignal, cleanupCount: number) => void): void {
  interruptNotice = listener;
}

function handleSignal(signal: InterruptSignal): void {
  if (interruption === undefined) {
    try {
      interruptNotice?.(signal, cleanups.size);
    } catch {
      // A failing notice must not stop the cleanup.
    }
  }
  if (interruption !== undefined) {
    debug("Got %s during cleanup; exiting without waiting", signal);
    process.exit(EXIT_CODES[interruption.signal]);
  }
  debug("Got %s; running %d cleanup(s)", signal, cleanups.size);
  const running = [...cleanups].map(async ({ name, run }) => {
    try {
      await run();
    } catch (error) {
      debug("Cleanup %s failed: %s", name, describeThrown(error));
    }
  });
  cleanups.clear();

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      debug("Cleanups still running after %d ms; exiting", INTERRUPT_CLEANUP_TIMEOUT_MS);
      resolve();
    }, INTERRUPT_CLEANUP_TIMEOUT_MS);
  });
  const done = Promise.race([Promise.allSettled(running), timeout]).then(() => {
    clearTimeout(timer);
    process.exit(EXIT_CODES[signal]);
  });
  interruption = { signal, done };
}
