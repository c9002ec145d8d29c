/** Valid but unusual Unicode that consumers often mishandle, keyed by boundary mutation name. */
export const UNUSUAL_UNICODE: Readonly<Record<string, readonly string[]>> = {
  // Code points above U+FFFF: two UTF-16 code units, four UTF-8 bytes.
  "boundary.astral-plane": ["\u{1F600}", "\u{1D11E}\u{1F680}\u{20000}"],
  // A base letter followed by combining marks: one grapheme, several code points.
  "boundary.combining-mark": ["e\u0301", "Z\u0351\u0360\u0361"],
  // Right-to-left scripts, alone and mixed with left-to-right text.
  "boundary.rtl-text": ["\u05E9\u05DC\u05D5\u05DD", "order \u0645\u0631\u062D\u0628\u0627 42"],
  // Emoji sequences joined by U+200D ZERO WIDTH JOINER.
  "boundary.zero-width-joiner": ["\u{1F469}\u200D\u{1F469}\u200D\u{1F467}", "a\u200Db"],
};

/**
 * Repeats or cuts `text` at code point boundaries so that its length is
 * within [minLength, maxLength]; an empty `text` is padded with "a".
 */
export function fitCodePoints(text: string, minLength: number, maxLength: number): string {
  const unit = text.length > 0 ? [...text] : ["a"];
  const points = [...unit];
  while (points.length < minLength) points.push(...unit);
  return points.slice(0, Math.max(minLength, Math.min(points.length, maxLength))).join("");
}
