import type { ValidateFunction } from "ajv";

import type { Dialect } from "./dialect.ts";
import type { ResolvedOptions } from "./options.ts";
import type { RefResolver } from "./refs.ts";
import type { SchemaObject } from "./schema.ts";

/** Everything the sample builders share for one schema. */
export interface SchemaContext {
  readonly root: SchemaObject;
  readonly dialect: Dialect;
  readonly refs: RefResolver;
  /** The cached ajv validator of `root`; the only source of `expect` labels. */
  readonly validate: ValidateFunction;
  readonly options: ResolvedOptions;
}
