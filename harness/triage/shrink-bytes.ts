import { ddmin } from "../run/attribute.ts";
import type { ShrinkBudget } from "./budget.ts";
import type { BytesFails } from "./shrink-json.ts";

/**
 * Reduces any payload byte-wise with delta debugging: removes runs of bytes
 * while the rest still fails. `bytes` must fail. `fails` must not count
 * replays against `budget` itself, because ddmin counts each call.
 */
export async function shrinkBytes(bytes: Uint8Array, fails: BytesFails, budget: ShrinkBudget): Promise<Uint8Array> {
  const indexes = Array.from(bytes.keys());
  const pick = (kept: number[]) => Uint8Array.from(kept, (index) => bytes[index]!);
  const kept = await ddmin(indexes, [], (subset) => fails(pick(subset)), budget);
  return pick(kept);
}
