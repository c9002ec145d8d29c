import type { Candidate } from "./candidates.ts";
import { utf8 } from "./json-text.ts";

/** Byte sequences that no UTF-8 decoder may accept. */
const INVALID_UTF8: ReadonlyArray<readonly number[]> = [
  [0xff], // never valid in UTF-8
  [0xc3, 0x28], // lead byte followed by a non-continuation byte
  [0xc0, 0xaf], // overlong encoding of "/"
  [0xed, 0xa0, 0x80], // UTF-8 encoding of the surrogate U+D800
  [0xe2, 0x82], // sequence cut short
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0x80], // continuation byte without a lead byte
];

/** Text that is not JSON, including near misses that lenient parsers accept. */
const NOT_JSON: readonly string[] = [
  "hello",
  "<order><id>1</id></order>",
  "undefined",
  "NaN",
  "{'order_id': 1}",
  "{order_id: 1}",
  "[1, 2,]",
  '{"a": 1,}',
  "0x10",
  '"unterminated',
  "// comment\n{}",
];

const TRAILING_GARBAGE: readonly string[] = ["}", "xyz", "\u0000", ",", "{}", "\n{\"second\":true}"];

const BOM = [0xef, 0xbb, 0xbf];

/**
 * Lists byte-level corruptions of a valid JSON text. `positionDraw` picks the
 * cut for truncation and the insertion point for invalid UTF-8. Deep nesting
 * is built as text in a loop, so its depth is limited by memory, not by the
 * call stack.
 */
export function corruptCandidates(validText: string, positionDraw: number, nestingDepth: number): Candidate[] {
  const valid = utf8(validText);
  const bytes = (build: () => Uint8Array) => () => ({ bytes: build() });
  const candidates: Candidate[] = [];

  const cut = valid.length > 1 ? 1 + (positionDraw % (valid.length - 1)) : 0;
  candidates.push({ mutation: "corrupt.truncate", path: "", build: bytes(() => valid.slice(0, cut)) });

  // Inside the first string literal where there is one, so that only the encoding is wrong.
  const quote = validText.indexOf('"');
  const insertAt = quote >= 0 ? utf8(validText.slice(0, quote + 1)).length : Math.floor(valid.length / 2);
  for (const sequence of INVALID_UTF8) {
    candidates.push({
      mutation: "corrupt.invalid-utf8",
      path: "",
      build: bytes(() => concat(valid.slice(0, insertAt), Uint8Array.from(sequence), valid.slice(insertAt))),
    });
  }

  candidates.push({ mutation: "corrupt.empty", path: "", build: bytes(() => new Uint8Array(0)) });
  for (const text of NOT_JSON) candidates.push({ mutation: "corrupt.not-json", path: "", build: bytes(() => utf8(text)) });

  candidates.push({
    mutation: "corrupt.deep-nesting",
    path: "",
    build: bytes(() => utf8("[".repeat(nestingDepth) + "]".repeat(nestingDepth))),
  });
  candidates.push({
    mutation: "corrupt.deep-nesting",
    path: "",
    build: bytes(() => utf8('{"a":'.repeat(nestingDepth) + "null" + "}".repeat(nestingDepth))),
  });

  for (const garbage of TRAILING_GARBAGE) {
    candidates.push({ mutation: "corrupt.trailing-garbage", path: "", build: bytes(() => utf8(validText + garbage)) });
  }
  candidates.push({ mutation: "corrupt.bom-prefix", path: "", build: bytes(() => concat(Uint8Array.from(BOM), valid)) });

  return candidates;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
