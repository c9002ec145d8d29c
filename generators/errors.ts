/**
 * Raised when a schema cannot be turned into a generator: an unsupported
 * keyword, a broken reference, or a contradiction that admits no value.
 */
export class SchemaError extends Error {
  override readonly name = "SchemaError";

  constructor(
    message: string,
    /** JSON pointer (or protobuf path) of the offending schema node. */
    readonly pointer: string,
    /** The keyword or construct at fault, where there is one. */
    readonly keyword?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
