import fc from "fast-check";

import { SchemaError } from "../errors.ts";
import { arrayArbitrary } from "./arrays.ts";
import { boundedFilter } from "./bounded-filter.ts";
import type { SchemaContext } from "./context.ts";
import { flatten } from "./flatten.ts";
import { cloneJson } from "./json-value.ts";
import { MergedSchema } from "./merge.ts";
import { numberArbitrary } from "./numbers.ts";
import { objectArbitrary } from "./objects.ts";
import type { JsonType, SchemaNode, SchemaObject } from "./schema.ts";
import { stringArbitrary } from "./strings.ts";

/**
 * Draws per sample before the generator gives up on producing a value that
 * ajv accepts. Values are built to satisfy the keywords, so retries only
 * happen where the construction is approximate: `oneOf` branches that
 * overlap, or `allOf` members that constrain the same property differently.
 */
const VALID_TRIES = 100;

/** Any JSON value, kept shallow so that unconstrained subschemas stay small. */
const ANY_JSON = fc.jsonValue({ maxDepth: 2 });

/**
 * Returns an arbitrary of values that ajv accepts for the whole schema.
 * Raises a SchemaError now when the schema admits no value within maxDepth,
 * and during generation when VALID_TRIES draws in a row fail validation.
 */
export function validValueArbitrary(ctx: SchemaContext): fc.Arbitrary<unknown> {
  const builder = new ValidValueBuilder(ctx);
  const values = builder.build([ctx.root], ctx.options.maxDepth);
  if (values === null) {
    throw new SchemaError(
      `schema admits no value that can be generated with maxDepth ${ctx.options.maxDepth}: a required property or ` +
        `minItems needs a value that does not exist, or recursion through $ref cannot end; raise maxDepth or relax the schema`,
      "#",
    );
  }

  return boundedFilter(
    values,
    (value) => ctx.validate(value) === true,
    VALID_TRIES,
    () =>
      new SchemaError(
        `${VALID_TRIES} generated values in a row failed validation (last ajv error: ` +
          `${ctx.validate.errors?.[0]?.instancePath || "/"} ${ctx.validate.errors?.[0]?.message ?? "unknown"}): ` +
          `the schema combines allOf/oneOf in a way this generator only approximates`,
        "#",
      ),
  );
}

class ValidValueBuilder {
  private readonly memo = new Map<string, fc.Arbitrary<unknown> | null>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;
  /** Copies of nodes without `$ref`/`allOf`/`anyOf`/`oneOf`, mapped to the node they came from. */
  private readonly originals = new WeakMap<SchemaObject, SchemaObject>();
  private readonly stripped = new WeakMap<SchemaObject, SchemaObject>();
  private readonly anyOfWrappers = new WeakMap<SchemaNode[], SchemaObject>();

  constructor(private readonly ctx: SchemaContext) {}

  /** Builds values satisfying every schema in `schemas`; null when none can be generated within `refBudget`. */
  build(schemas: SchemaNode[], refBudget: number): fc.Arbitrary<unknown> | null {
    const key = `${schemas.map((schema) => this.idOf(schema)).join(",")}@${refBudget}`;
    if (this.memo.has(key)) return this.memo.get(key)!;

    const result = this.buildUncached(schemas, refBudget);
    this.memo.set(key, result);
    return result;
  }

  private buildUncached(schemas: SchemaNode[], refBudget: number): fc.Arbitrary<unknown> | null {
    const conjunction = flatten(this.ctx, schemas, refBudget);
    if (conjunction.impossible) return null;

    const [choice, ...otherChoices] = conjunction.choices;
    if (choice !== undefined) {
      // Settle one anyOf/oneOf at a time; the remaining ones stay wrapped for the next level.
      // Expanded nodes lose `$ref`/`allOf`/`anyOf`/`oneOf` so the next flatten() neither spends
      // refBudget on them again nor reopens this choice.
      const rest: SchemaNode[] = [
        ...conjunction.nodes.map((node) => this.withoutApplicators(node)),
        ...otherChoices.map((branches) => this.anyOfWrapper(branches)),
      ];
      const branches = choice
        .map((branch) => this.build([...rest, branch], conjunction.refBudget))
        .filter((arbitrary): arbitrary is fc.Arbitrary<unknown> => arbitrary !== null);
      return branches.length === 0 ? null : fc.oneof(...branches);
    }

    const merged = new MergedSchema(conjunction.nodes, this.ctx.dialect);
    if (merged.unconstrained) return ANY_JSON;

    if (merged.enumValues !== undefined) {
      if (merged.enumValues.length === 0) return null;
      return fc.constantFrom(...merged.enumValues).map(cloneJson);
    }

    const first = conjunction.nodes[0];
    const pointer = first === undefined ? "#" : this.ctx.refs.pointerOf(this.originals.get(first) ?? first);
    const perType = merged.candidateTypes
      .map((type) => this.buildType(type, merged, conjunction.refBudget, pointer))
      .filter((arbitrary): arbitrary is fc.Arbitrary<unknown> => arbitrary !== null);
    return perType.length === 0 ? null : fc.oneof(...perType);
  }

  private buildType(type: JsonType, merged: MergedSchema, refBudget: number, pointer: string): fc.Arbitrary<unknown> | null {
    const buildChild = (schemas: SchemaNode[], budget: number) => this.build(schemas, budget);
    const { maxStringLength, maxArrayLength } = this.ctx.options;

    switch (type) {
      case "null":
        return fc.constant(null);
      case "boolean":
        return fc.boolean();
      case "integer":
        return numberArbitrary(merged, true, pointer);
      case "number":
        return numberArbitrary(merged, false, pointer);
      case "string":
        return stringArbitrary(merged, maxStringLength, pointer);
      case "array":
        return arrayArbitrary(merged, refBudget, maxArrayLength, pointer, buildChild);
      case "object":
        return objectArbitrary(merged, refBudget, buildChild);
    }
  }

  private withoutApplicators(node: SchemaObject): SchemaObject {
    let copy = this.stripped.get(node);
    if (copy === undefined) {
      const { $ref: _ref, allOf: _allOf, anyOf: _anyOf, oneOf: _oneOf, ...rest } = node;
      copy = rest;
      this.stripped.set(node, copy);
      this.originals.set(copy, this.originals.get(node) ?? node);
    }
    return copy;
  }

  private anyOfWrapper(branches: SchemaNode[]): SchemaObject {
    let wrapper = this.anyOfWrappers.get(branches);
    if (wrapper === undefined) {
      wrapper = { anyOf: branches };
      this.anyOfWrappers.set(branches, wrapper);
    }
    return wrapper;
  }

  private idOf(schema: SchemaNode): string {
    if (typeof schema === "boolean") return String(schema);
    let id = this.ids.get(schema);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(schema, id);
    }
    return String(id);
  }
}
