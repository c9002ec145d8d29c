/**
 * Finds the smallest sequence of messages that still fails the same way.
 * `fails` replays a sequence against a fresh consumer; every call costs a
 * consumer start, so the searches below count calls against a budget.
 */

export type FailsPredicate<T> = (messages: T[]) => Promise<boolean>;

export class ReplayBudget {
  used = 0;
  constructor(readonly max: number) {}

  get exhausted(): boolean {
    return this.used >= this.max;
  }
}

async function tryReplay<T>(fails: FailsPredicate<T>, messages: T[], budget: ReplayBudget): Promise<boolean> {
  if (budget.exhausted) return false;
  budget.used += 1;
  return fails(messages);
}

/**
 * Delta debugging (ddmin): removes chunks of `items` while `fails(items +
 * suffix)` stays true. Returns a 1-minimal subset when the budget allows,
 * else the smallest failing subset found so far.
 */
export async function ddmin<T>(items: T[], suffix: T[], fails: FailsPredicate<T>, budget: ReplayBudget): Promise<T[]> {
  let current = items;
  let granularity = 2;
  while (current.length >= 1 && !budget.exhausted) {
    if (current.length === 1) {
      if (await tryReplay(fails, suffix, budget)) current = [];
      break;
    }
    const chunkSize = Math.ceil(current.length / granularity);
    const chunks: T[][] = [];
    for (let i = 0; i < current.length; i += chunkSize) chunks.push(current.slice(i, i + chunkSize));

    let reduced = false;
    for (const chunk of chunks) {
      if (await tryReplay(fails, [...chunk, ...suffix], budget)) {
        current = chunk;
        granularity = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && chunks.length > 2) {
      for (const chunk of chunks) {
        const complement = current.filter((item) => !chunk.includes(item));
        if (await tryReplay(fails, [...complement, ...suffix], budget)) {
          current = complement;
          granularity = Math.max(granularity - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (granularity >= current.length) break;
      granularity = Math.min(current.length, granularity * 2);
    }
  }
  return current;
}

/**
 * For a crash or hang: the culprit is usually one of the unacknowledged
 * messages on its own, so each is tried alone first (oldest first), then the
 * whole set is reduced with ddmin. Returns undefined when nothing reproduces.
 */
export async function attributeToMessages<T>(candidates: T[], fails: FailsPredicate<T>, budget: ReplayBudget): Promise<T[] | undefined> {
  for (const candidate of candidates) {
    if (budget.exhausted) return undefined;
    if (await tryReplay(fails, [candidate], budget)) return [candidate];
  }
  if (candidates.length < 2 || !(await tryReplay(fails, candidates, budget))) return undefined;
  return ddmin(candidates, [], fails, budget);
}

/**
 * For a violated invariant: state builds up over every message of the start,
 * so first binary-search the shortest failing prefix (the checks up to
 * `passedThrough` messages held), then try its last message alone, then reduce
 * the rest of the prefix with ddmin while keeping that last message.
 */
export async function attributeToPrefix<T>(messages: T[], passedThrough: number, fails: FailsPredicate<T>, budget: ReplayBudget): Promise<T[] | undefined> {
  let low = Math.max(0, passedThrough);
  let high = messages.length;
  if (!(await tryReplay(fails, messages, budget))) return undefined;
  while (high - low > 1 && !budget.exhausted) {
    const middle = Math.floor((low + high) / 2);
    if (await tryReplay(fails, messages.slice(0, middle), budget)) high = middle;
    else low = middle;
  }
  const prefix = messages.slice(0, high);
  const last = prefix[prefix.length - 1]!;
  if (await tryReplay(fails, [last], budget)) return [last];
  const rest = await ddmin(prefix.slice(0, -1), [last], fails, budget);
  return [...rest, last];
}
