import fc from "fast-check";

import { SchemaError } from "../errors.ts";

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

const dateText = fc
  .date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2199-12-31T23:59:59Z"), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

const timeZone = fc.oneof(
  fc.constant("Z"),
  fc
    .tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([sign, hours, minutes]) => `${sign}${pad(hours)}:${pad(minutes)}`),
);

// ajv-formats in full mode requires a time zone on `time` and `date-time`.
const timeText = fc
  .tuple(
    fc.integer({ min: 0, max: 23 }),
    fc.integer({ min: 0, max: 59 }),
    fc.integer({ min: 0, max: 59 }),
    fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
    timeZone,
  )
  .map(([h, m, s, ms, zone]) => `${pad(h)}:${pad(m)}:${pad(s)}${ms === undefined ? "" : `.${pad(ms, 3)}`}${zone}`);

/** Generators for the `format` values whose syntax ajv-formats checks. */
const FORMAT_ARBITRARIES: Readonly<Record<string, fc.Arbitrary<string>>> = {
  date: dateText,
  time: timeText,
  "date-time": fc.tuple(dateText, timeText).map(([date, time]) => `${date}T${time}`),
  uuid: fc.uuid(),
  email: fc.emailAddress(),
  uri: fc.webUrl({ withQueryParameters: true, withFragments: true }),
  hostname: fc.domain(),
  ipv4: fc.ipV4(),
  ipv6: fc.ipV6(),
};

export const SUPPORTED_FORMATS: readonly string[] = Object.keys(FORMAT_ARBITRARIES);

export function formatArbitrary(format: string, pointer: string): fc.Arbitrary<string> {
  const arbitrary = FORMAT_ARBITRARIES[format];
  if (arbitrary === undefined) {
    throw new SchemaError(
      `unsupported format "${format}" at ${pointer}: supported formats are ${SUPPORTED_FORMATS.join(", ")}`,
      pointer,
      "format",
    );
  }
  return arbitrary;
}
