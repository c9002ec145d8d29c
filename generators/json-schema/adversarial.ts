import type { Candidate } from "./candidates.ts";
import { replaceAt } from "./json-value.ts";
import { RawJson } from "./json-text.ts";
import type { ValueLocation } from "./locations.ts";
import { appendPointer } from "./pointer.ts";

/**
 * Hostile string content, keyed by mutation name. Commands only touch a
 * canary file and network references only name the loopback address, so a
 * consumer that executes them does no harm beyond leaving evidence.
 */
export const HOSTILE_STRINGS: Readonly<Record<string, readonly string[]>> = {
  "adversarial.sql-injection": ["' OR '1'='1", "'; DROP TABLE orders; --", "1 UNION SELECT NULL--", '" OR ""="'],
  "adversarial.shell-injection": [
    "$(touch /tmp/poisonpill-canary)",
    "`touch /tmp/poisonpill-canary`",
    "; touch /tmp/poisonpill-canary",
    "| touch /tmp/poisonpill-canary",
  ],
  "adversarial.path-traversal": ["../../../../etc/passwd", "..\\..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"],
  "adversarial.log-forging": ["ok\r\n2024-01-01T00:00:00Z INFO user=admin login succeeded", "x\nERROR forged entry", "a\rb"],
  "adversarial.template-injection": ["{{7*7}}", "${7*7}", "#{7*7}", "<%= 7*7 %>", "${jndi:ldap://127.0.0.1:1389/a}"],
  // JSON.stringify writes unpaired surrogates as \ud800-style escapes, so the text stays valid UTF-8.
  "adversarial.lone-surrogate": ["\uD800", "a\uDC00b", "\uDBFF"],
  "adversarial.nul": ["\u0000", "a\u0000b"],
  "adversarial.rtl-override": ["\u202Egpj.exe", "user\u202Enimda"],
  "adversarial.bom": ["\uFEFF", "\uFEFFvalue"],
};

const MAX_SAFE = "9007199254740991";
/** 2^53 + 1: the smallest positive integer a double cannot hold; JSON.parse reads it as 2^53. */
const ABOVE_MAX_SAFE = "9007199254740993";

/** Number literals written exactly as given, keyed by mutation name. */
function hostileNumbers(digits: number): Record<string, string[]> {
  const longDigits = "1234567890".repeat(Math.ceil(digits / 10)).slice(0, digits);
  return {
    "adversarial.max-safe-integer": [MAX_SAFE, `-${MAX_SAFE}`],
    "adversarial.unsafe-integer": [ABOVE_MAX_SAFE, `-${ABOVE_MAX_SAFE}`],
    "adversarial.negative-zero": ["-0", "-0.0"],
    "adversarial.huge-number": ["1e308", "-1e308", "1e309"],
    "adversarial.long-number": [longDigits, `-${longDigits}`, `0.${longDigits}`, `1e-${longDigits}`],
  };
}

/** Keys that reach `Object.prototype` in code that merges objects by assignment. */
const PROTOTYPE_KEYS: ReadonlyArray<[string, string, unknown]> = [
  ["adversarial.proto-key", "__proto__", { polluted: true }],
  ["adversarial.constructor-key", "constructor", { prototype: { polluted: true } }],
];

/**
 * Lists hostile replacements at every string and number location, and
 * prototype keys added to every object. Each hostile string is tried alone
 * and appended to the original text. The caller labels every result with ajv.
 */
export function adversarialCandidates(root: unknown, locations: readonly ValueLocation[], bigNumberDigits: number): Candidate[] {
  const candidates: Candidate[] = [];
  const numbers = hostileNumbers(bigNumberDigits);

  for (const { path, value } of locations) {
    const put = (mutation: string, replacement: unknown) =>
      candidates.push({ mutation, path, build: () => ({ value: path === "" ? replacement : replaceAt(root, path, replacement) }) });

    if (typeof value === "string") {
      for (const [mutation, texts] of Object.entries(HOSTILE_STRINGS)) {
        for (const text of texts) {
          put(mutation, text);
          put(mutation, value + text);
        }
      }
    }
    if (typeof value === "number") {
      for (const [mutation, literals] of Object.entries(numbers)) {
        for (const literal of literals) put(mutation, new RawJson(literal));
      }
    }
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [mutation, key, payload] of PROTOTYPE_KEYS) {
        const at = appendPointer(path, key);
        candidates.push({ mutation, path: at, build: () => ({ value: replaceAt(root, at, payload) }) });
      }
    }
  }

  if (candidates.length === 0) {
    // A value without strings, numbers or objects (a bare boolean, say): replace it whole.
    for (const [mutation, texts] of Object.entries(HOSTILE_STRINGS)) {
      candidates.push({ mutation, path: "", build: () => ({ value: texts[0] }) });
    }
  }
  return candidates;
}
