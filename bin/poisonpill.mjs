#!/usr/bin/env node
// The CLI and user scenarios are TypeScript; tsx compiles them on load, so
// the package runs from source with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../harness/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
