import type { Payload } from "./label.ts";

/** One way to mutate a value: a mutation name, where it applies and how to build the result. */
export interface Candidate {
  /** Dotted name such as `violation.wrong-type`. */
  mutation: string;
  /** JSON pointer of the mutated location; "" for the whole payload. */
  path: string;
  build: () => Payload;
}

/**
 * Orders candidates for trying: first a mutation name chosen by `nameDraw`
 * (every name equally likely, however many locations it has), then one of
 * its candidates chosen by `memberDraw`, then all others in a fixed rotation.
 */
export function rotation(candidates: readonly Candidate[], nameDraw: number, memberDraw: number): Candidate[] {
  if (candidates.length === 0) return [];

  const names = [...new Set(candidates.map((candidate) => candidate.mutation))];
  const name = names[nameDraw % names.length];
  const members = candidates.filter((candidate) => candidate.mutation === name);
  const first = members[memberDraw % members.length]!;

  const start = candidates.indexOf(first);
  return [...candidates.slice(start), ...candidates.slice(0, start)];
}
