/**
 * Loads one message type from a .proto file with protobufjs. Imports resolve
 * relative to the importing file first, then against each include path in
 * order; `google/protobuf/*.proto` well-known types come bundled with
 * protobufjs. Field names keep the case the .proto file gives them
 * (`order_id`, not `orderId`), so sample paths match the schema.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import protobuf from "protobufjs";

import { SchemaError } from "../errors.ts";

export interface LoadOptions {
  /** Directories searched, in order, for imports not found next to the importing file. Default: none. */
  includePaths?: string[];
}

/** Returns the 1-based line of `import "target"` in `file`, or undefined; protobufjs does not report it. */
function importLine(file: string, target: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const index = text.split("\n").findIndex((line) => /^\s*import\b/.test(line) && line.includes(`"${target}"`));
  return index === -1 ? undefined : index + 1;
}

/** protobufjs parse errors end in "(file, line N)" or "line N". */
const LINE_PATTERN = /line (\d+)/;

function messageTypeNames(root: protobuf.Root, filename?: string): string[] {
  const names: string[] = [];
  const walk = (namespace: protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type && (!filename || nested.filename === filename)) names.push(nested.fullName.slice(1));
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) walk(nested);
    }
  };
  walk(root);
  return names.sort();
}

/**
 * Parses `protoPath` and its imports and returns the resolved message type
 * `typeName` (fully qualified, e.g. `shop.Order`; a leading dot is allowed).
 * Throws SchemaError when a file does not parse, an import is not found, a
 * reference does not resolve or the type does not exist.
 */
export function loadProtoType(protoPath: string, typeName: string, options: LoadOptions = {}): protobuf.Type {
  const entry = path.resolve(protoPath);
  const includePaths = (options.includePaths ?? []).map((dir) => path.resolve(dir));
  const root = new protobuf.Root();

  root.resolvePath = (origin: string, target: string): string => {
    if (!origin) return path.resolve(target);
    if (path.isAbsolute(target)) return target;
    const candidates = [path.resolve(path.dirname(origin), target), ...includePaths.map((dir) => path.join(dir, target))];
    const found = candidates.find((candidate) => existsSync(candidate));
    if (found) return found;
    const line = importLine(origin, target);
    throw new SchemaError(
      `import "${target}" in ${origin}${line === undefined ? "" : ` at line ${line}`} was not found; searched ${candidates.join(", ")}; add the directory that contains it to includePaths`,
      origin,
      "import",
    );
  };

  try {
    root.loadSync(entry, { keepCase: true });
    root.resolveAll();
  } catch (error) {
    if (error instanceof SchemaError) throw error;
    const message = (error as Error).message;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new SchemaError(`proto file ${entry} was not found; check the path`, entry, undefined, { cause: error });
    }
    const line = LINE_PATTERN.exec(message)?.[1];
    throw new SchemaError(
      `proto file ${entry} is invalid${line ? ` at line ${line}` : ""}: ${message}; fix the .proto file`,
      line ? `${entry}:${line}` : entry,
      undefined,
      { cause: error },
    );
  }

  const wanted = typeName.startsWith(".") ? typeName : `.${typeName}`;
  const found = root.lookup(wanted);
  if (!(found instanceof protobuf.Type)) {
    const known = messageTypeNames(root, entry);
    throw new SchemaError(
      `message type ${typeName} is not defined in ${entry}; message types there: ${known.join(", ") || "none"}`,
      entry,
      typeName,
    );
  }
  return found;
}
