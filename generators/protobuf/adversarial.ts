/**
 * Adversarial samples: valid messages carrying values that break careless
 * consumers. Map keys that name Object.prototype members pollute or shadow
 * prototypes when copied into plain objects; string fragments probe SQL,
 * template, path and log injection. All are valid protobuf, so a correct
 * consumer accepts them; the decode check confirms it.
 */
import fc from "fast-check";
import protobuf from "protobufjs";

import { encodeValue } from "./codec.ts";
import { chainFallbacks, chainsWhere, type GeneratorContext } from "./context.ts";
import { editAtChain, wrapForPath, writeElement, type Draft } from "./draft.ts";
import { formatPath, isWellKnownTime, messageTypeOf } from "./schema.ts";
import { WireType, WireWriter } from "./wire.ts";

export const PROTOTYPE_KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__", "prototype"];

export const INJECTION_STRINGS = [
  ...PROTOTYPE_KEYS,
  "'; DROP TABLE orders; --",
  "\" OR \"1\"=\"1",
  "{{7*7}}${7*7}",
  "${jndi:ldap://127.0.0.1:1389/a}",
  "../../../../etc/passwd",
  "<script>alert(1)</script>",
  "%s%s%s%n",
  "line\r\nInjected-Header: 1",
  "\u202Etxt.exe",
  "NaN",
  "-0",
  "1e309",
];

/** Chains that end at a map field with string keys, through at most the same hops as other chains. */
function stringMapChains(context: GeneratorContext): protobuf.FieldBase[][] {
  const holders: [protobuf.Type, protobuf.Field[]][] = [[context.type, []]];
  for (const chain of context.chains) {
    const type = messageTypeOf(chain[chain.length - 1]);
    if (type && !isWellKnownTime(type) && chain.every((step) => !step.delimited)) holders.push([type, chain]);
  }
  const chains: protobuf.FieldBase[][] = [];
  for (const [type, prefix] of holders) {
    for (const field of type.fieldsArray) {
      if (field.map && (field as unknown as protobuf.MapField).keyType === "string") chains.push([...prefix, field]);
    }
  }
  return chains;
}

function mapKeys(context: GeneratorContext): fc.Arbitrary<Draft> | null {
  const chains = stringMapChains(context);
  if (chains.length === 0) return null;
  return fc.constantFrom(...chains).chain((chain) => {
    const mapField = chain[chain.length - 1];
    const messageSteps = chain.slice(0, -1) as protobuf.Field[];
    return fc
      .tuple(
        context.base,
        chainFallbacks(context, chain),
        fc.constantFrom(...PROTOTYPE_KEYS),
        context.values.single(mapField, chain.length),
      )
      .map(([base, fallbacks, key, entryValue]): Draft => {
        const entry = writeElement(new WireWriter().lenField(1, new TextEncoder().encode(key)), mapField, entryValue, 2).finish();
        const inner = new WireWriter().tag(mapField.id, WireType.LEN).lengthDelimited(entry).finish();
        const wrapped = wrapForPath(base, messageSteps, inner, fallbacks);
        const prefix = formatPath(wrapped.steps);
        return {
          class: "adversarial",
          mutation: "adversarial.map-key",
          path: `${prefix ? `${prefix}.` : ""}${mapField.name}[${JSON.stringify(key)}]`,
          bytes: new WireWriter().raw(encodeValue(context.type, base)).raw(wrapped.bytes).finish(),
          expect: "decode",
        };
      });
  });
}

function injectionStrings(context: GeneratorContext): fc.Arbitrary<Draft> | null {
  const chains = chainsWhere(context, (leaf) => leaf.type === "string" && !leaf.resolvedType);
  if (chains.length === 0) return null;
  return fc.constantFrom(...chains).chain((chain) =>
    fc
      .tuple(context.base, chainFallbacks(context, chain), fc.constantFrom(...INJECTION_STRINGS))
      .map(([base, fallbacks, text]): Draft => {
        const leaf = chain[chain.length - 1];
        const { value, steps } = editAtChain(base, chain, fallbacks, () => (leaf.repeated ? [text] : text));
        if (leaf.repeated) steps[steps.length - 1] = { field: leaf, index: 0 };
        return {
          class: "adversarial",
          mutation: "adversarial.injection-string",
          path: formatPath(steps),
          bytes: encodeValue(context.type, value),
          value,
          expect: "decode",
        };
      }),
  );
}

export function adversarialMutations(context: GeneratorContext): fc.Arbitrary<Draft>[] {
  return [mapKeys(context), injectionStrings(context)].filter((candidate): candidate is fc.Arbitrary<Draft> => candidate !== null);
}
