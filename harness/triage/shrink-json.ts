import { removeChunks } from "./remove-chunks.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** True when the payload, sent as these bytes, still fails the same way; false once the budget is spent. */
export type BytesFails = (bytes: Uint8Array) => Promise<boolean>;

/** Full passes over the tree; each pass that changes nothing ends the search earlier. */
const MAX_PASSES = 4;

const encoder = new TextEncoder();

/** Decodes strict UTF-8 JSON, or returns undefined for anything else. */
export function parseJsonPayload(bytes: Uint8Array): { value: Json } | undefined {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { value: JSON.parse(text) as Json };
  } catch {
    return undefined;
  }
}

function encode(value: Json): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

function replaceAt(root: Json, path: readonly (string | number)[], value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[head as number] = replaceAt(root[head as number]!, rest, value);
    return copy;
  }
  const record = root as Record<string, Json>;
  return { ...record, [head as string]: replaceAt(record[head as string]!, rest, value) };
}

function valueAt(root: Json, path: readonly (string | number)[]): Json {
  let node = root;
  for (const step of path) node = Array.isArray(node) ? node[step as number]! : (node as Record<string, Json>)[step as string]!;
  return node;
}

/** The simplest value of the same JSON type. */
function simplest(value: Json): Json {
  if (Array.isArray(value)) return [];
  if (value === null) return null;
  switch (typeof value) {
    case "object":
      return {};
    case "string":
      return "";
    case "number":
      return 0;
    case "boolean":
      return false;
  }
}

/**
 * Reduces a JSON payload structurally: drops object members and array items,
 * replaces values with `0`, `""`, `false`, `[]` or `{}`, shortens strings and
 * moves integers toward zero, keeping each change for which `fails` holds,
 * until a pass changes nothing or `exhausted()` turns true.
 *
 * The payload is re-serialized compactly, so the first replay checks that the
 * compact form still fails. Returns undefined when it does not (the failure
 * depends on the exact bytes: whitespace, duplicate keys, number spelling),
 * so the caller can fall back to a byte-wise search.
 */
export async function shrinkJson(value: Json, fails: BytesFails, exhausted: () => boolean): Promise<Uint8Array | undefined> {
  if (!(await fails(encode(value)))) return undefined;
  let root = value;
  const tryRoot = async (candidate: Json): Promise<boolean> => {
    if (!(await fails(encode(candidate)))) return false;
    root = candidate;
    return true;
  };

  const shrinkNode = async (path: (string | number)[]): Promise<void> => {
    if (exhausted()) return;
    const node = valueAt(root, path);
    const simple = simplest(node);
    if (JSON.stringify(simple) !== JSON.stringify(node) && (await tryRoot(replaceAt(root, path, simple)))) return;

    if (Array.isArray(node)) {
      const kept = await removeChunks(node, (remaining) => tryRoot(replaceAt(root, path, remaining)), exhausted);
      for (let index = 0; index < kept.length; index += 1) await shrinkNode([...path, index]);
    } else if (node !== null && typeof node === "object") {
      await removeChunks(Object.keys(node), (remaining) => tryRoot(replaceAt(root, path, Object.fromEntries(remaining.map((key) => [key, node[key]!])))), exhausted);
      const current = valueAt(root, path) as Record<string, Json>;
      for (const key of Object.keys(current)) await shrinkNode([...path, key]);
    } else if (typeof node === "string") {
      await shortenString(node, (shorter) => tryRoot(replaceAt(root, path, shorter)), exhausted);
    } else if (typeof node === "number") {
      await shrinkNumber(node, (smaller) => tryRoot(replaceAt(root, path, smaller)), exhausted);
    }
  };

  for (let pass = 0; pass < MAX_PASSES && !exhausted(); pass += 1) {
    const before = JSON.stringify(root);
    await shrinkNode([]);
    if (JSON.stringify(root) === before) break;
  }
  return encode(root);
}

/** Keeps halving a string from the end while it still fails. */
async function shortenString(text: string, tries: (shorter: string) => Promise<boolean>, exhausted: () => boolean): Promise<void> {
  const characters = [...text];
  let length = characters.length;
  while (length > 1 && !exhausted()) {
    const half = Math.floor(length / 2);
    if (!(await tries(characters.slice(0, half).join("")))) return;
    length = half;
  }
}

/**
 * Moves a number toward zero: its integer part, then the integer of the
 * smallest magnitude that still fails by binary search (a failure that holds
 * for `n` usually holds for every larger magnitude of the same sign).
 */
async function shrinkNumber(value: number, tries: (smaller: number) => Promise<boolean>, exhausted: () => boolean): Promise<void> {
  if (!Number.isFinite(value)) return;
  let current = value;
  if (!Number.isInteger(current) || !Number.isSafeInteger(current)) {
    const truncated = Math.trunc(current);
    if (!Number.isSafeInteger(truncated) || !(await tries(truncated))) return;
    current = truncated;
  }
  const sign = Math.sign(current);
  let failing = Math.abs(current);
  if (failing <= 1) return;
  if (await tries(sign)) return;
  let passing = 1;
  while (failing - passing > 1 && !exhausted()) {
    const middle = Math.floor((passing + failing) / 2);
    if (await tries(sign * middle)) failing = middle;
    else passing = middle;
  }
}
