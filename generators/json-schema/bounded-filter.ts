import fc from "fast-check";

import { SchemaError } from "../errors.ts";

/**
 * Keeps drawing from `arbitrary` until `predicate` holds, at most `maxTries`
 * times, then raises the SchemaError that `onExhausted` builds. fast-check's
 * own `filter` retries forever, which would hang on an unsatisfiable schema.
 */
export function boundedFilter<T>(
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => boolean,
  maxTries: number,
  onExhausted: () => SchemaError,
): fc.Arbitrary<T> {
  const attempt = (tried: number): fc.Arbitrary<T> =>
    arbitrary.chain((value) => {
      if (predicate(value)) return fc.constant(value);
      if (tried + 1 >= maxTries) throw onExhausted();
      return attempt(tried + 1);
    });
  return attempt(0);
}
