import { pointerTokens } from "./pointer.ts";

/**
 * Defines an own enumerable property. Plain assignment of `__proto__` would
 * replace the prototype instead and the key would never reach the JSON text.
 */
export function setOwn(target: Record<string, unknown> | unknown[], key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Deep-copies a JSON value, keeping own `__proto__` keys as data. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (typeof value !== "object" || value === null) return value;

  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(copy, key, cloneJson((value as Record<string, unknown>)[key]));
  return copy as T;
}

/** Returns a copy of `root` with the value at JSON pointer `path` replaced; "" replaces the whole value. */
export function replaceAt(root: unknown, path: string, replacement: unknown): unknown {
  return editAt(root, path, (parent, key) => setOwn(parent, key, replacement));
}

/** Returns a copy of `root` without the object property or array item at `path`. */
export function removeAt(root: unknown, path: string): unknown {
  return editAt(root, path, (parent, key) => {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  });
}

function editAt(
  root: unknown,
  path: string,
  edit: (parent: Record<string, unknown> | unknown[], key: string) => void,
): unknown {
  const tokens = pointerTokens(path);
  if (tokens.length === 0) throw new RangeError("editAt needs a path below the root, got \"\"");

  const copy = cloneJson(root);
  let parent: unknown = copy;
  for (const token of tokens.slice(0, -1)) parent = (parent as Record<string, unknown>)[token];
  if (typeof parent !== "object" || parent === null) {
    throw new RangeError(`no object or array at the parent of ${path}`);
  }

  edit(parent as Record<string, unknown> | unknown[], tokens[tokens.length - 1]!);
  return copy;
}

/** Serializes a JSON value with object keys sorted, so equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Deep equality of JSON values, as JSON Schema defines it for `enum`, `const` and `uniqueItems`. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
