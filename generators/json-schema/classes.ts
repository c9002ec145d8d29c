import fc from "fast-check";

import type { Expectation, Sample } from "../sample.ts";
import { adversarialCandidates } from "./adversarial.ts";
import { boundaryCandidates } from "./boundary.ts";
import { rotation, type Candidate } from "./candidates.ts";
import type { SchemaContext } from "./context.ts";
import { corruptCandidates } from "./corrupt.ts";
import { toJsonText } from "./json-text.ts";
import { decodeGzip } from "./encoding.ts";
import { labelBytes, makeSample } from "./label.ts";
import { locateValues } from "./locations.ts";
import type { JsonSchemaSampleClass } from "./options.ts";
import { oversizedCandidates } from "./oversized.ts";
import { violationCandidates } from "./violation.ts";

/** Mutations whose payload a correct consumer never processes: the broker refuses it, or inflating it must be refused. */
const ALWAYS_REJECT = new Set(["oversized.over-limit", "oversized.gzip-bomb"]);

/**
 * Builds one arbitrary per sample class, all derived from the same valid
 * values. `boundary` keeps the first candidate that ajv accepts and
 * `violation` the first that ajv rejects. `adversarial`, `corrupt` and
 * `oversized` keep whatever ajv decides, except that a payload over the
 * broker limit and a decompression bomb are always `reject`.
 */
export function classArbitraries(
  ctx: SchemaContext,
  validValues: fc.Arbitrary<unknown>,
): Record<JsonSchemaSampleClass, fc.Arbitrary<Sample>> {
  const { validate, options } = ctx;
  const withDraws = fc.tuple(validValues, fc.nat(), fc.nat());

  return {
    valid: validValues.map((value) => makeSample(validate, "valid", "valid.generated", "", { value })),

    boundary: withDraws.map(([value, nameDraw, memberDraw]) => {
      const candidates = boundaryCandidates(value, locateValues(ctx, value), options.maxStringLength);
      return (
        firstWithExpectation(ctx, "boundary", rotation(candidates, nameDraw, memberDraw), "accept") ??
        // No edge value fits (a schema made of `const`, say); the valid value is the only boundary.
        makeSample(validate, "boundary", "boundary.none", "", { value })
      );
    }),

    violation: withDraws.map(([value, nameDraw, memberDraw]) => {
      const candidates = violationCandidates(value, locateValues(ctx, value));
      const sample = firstWithExpectation(ctx, "violation", rotation(candidates, nameDraw, memberDraw), "reject");
      // fromJsonSchema only offers this class when some whole-value replacement is rejected,
      // and those replacements are always among the candidates.
      if (sample === undefined) throw new Error("no violation candidate was rejected by ajv");
      return sample;
    }),

    adversarial: withDraws.map(([value, nameDraw, memberDraw]) => {
      const [candidate] = rotation(adversarialCandidates(value, locateValues(ctx, value), options.bigNumberDigits), nameDraw, memberDraw);
      return makeSample(validate, "adversarial", candidate!.mutation, candidate!.path, candidate!.build());
    }),

    corrupt: fc.tuple(withDraws, fc.nat()).map(([[value, nameDraw, memberDraw], positionDraw]) => {
      const candidates = corruptCandidates(toJsonText(value), positionDraw, options.nestingDepth);
      const [candidate] = rotation(candidates, nameDraw, memberDraw);
      return makeSample(validate, "corrupt", candidate!.mutation, candidate!.path, candidate!.build());
    }),

    oversized: withDraws.map(([value, nameDraw, memberDraw]) => {
      const limits = {
        // resolveOptions refuses `oversized` without maxPayloadBytes, so this default is never used to size a payload.
        maxPayloadBytes: options.maxPayloadBytes ?? 1_048_576,
        nestingDepth: options.oversizedNestingDepth,
        numberDigits: options.oversizedNumberDigits,
        contentEncoding: options.contentEncoding,
      };
      const [candidate] = rotation(oversizedCandidates(value, locateValues(ctx, value), limits), nameDraw, memberDraw);
      const payload = candidate!.build();
      const bytes = "bytes" in payload ? payload.bytes : new Uint8Array(0);
      const json = options.contentEncoding === "gzip" && candidate!.mutation !== "oversized.gzip-bomb" ? decodeGzip(bytes) : bytes;
      const label = json === undefined || candidate!.mutation === "oversized.gzip-bomb" ? { expect: "reject" as const } : labelBytes(validate, json);
      const sample: Sample = { class: "oversized", mutation: candidate!.mutation, path: candidate!.path, expect: ALWAYS_REJECT.has(candidate!.mutation) ? "reject" : label.expect, bytes };
      if ("value" in label) sample.value = label.value;
      return sample;
    }),
  };
}

function firstWithExpectation(
  ctx: SchemaContext,
  sampleClass: "boundary" | "violation",
  candidates: readonly Candidate[],
  expect: Expectation,
): Sample | undefined {
  for (const candidate of candidates) {
    const sample = makeSample(ctx.validate, sampleClass, candidate.mutation, candidate.path, candidate.build());
    if (sample.expect === expect) return sample;
  }
  return undefined;
}
