/**
 * Removes runs of items while `keeps(remaining)` holds: first everything,
 * then halves, quarters and so on down to single items. Returns the
 * remaining items. `keeps` is expected to spend a replay per call and to
 * return false once the budget is spent, which ends the search.
 */
export async function removeChunks<T>(items: readonly T[], keeps: (remaining: T[]) => Promise<boolean>, exhausted: () => boolean): Promise<T[]> {
  let current = [...items];
  for (let size = current.length; size >= 1 && !exhausted(); size = Math.floor(size / 2)) {
    let index = 0;
    while (index < current.length && !exhausted()) {
      const remaining = [...current.slice(0, index), ...current.slice(index + size)];
      if (await keeps(remaining)) current = remaining;
      else index += size;
    }
  }
  return current;
}
