/** JSON Pointer (RFC 6901) helpers for schema locations and value paths. */

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Appends one reference token to a pointer: `appendPointer("/a", "b/c")` is `/a/b~1c`. */
export function appendPointer(pointer: string, token: string | number): string {
  return `${pointer}/${escapePointerToken(String(token))}`;
}

/** Splits a value path such as `/items/0` into unescaped tokens; "" is the whole value. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map(unescapePointerToken);
}
