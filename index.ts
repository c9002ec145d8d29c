/**
 * The public API of poisonpill: define a scenario, run it from a test, and
 * assert that it found nothing. The CLI (`npx poisonpill`) is built on the
 * same functions.
 */
export { defineScenario } from "./harness/scenario/define.ts";
export { loadScenario, type LoadedScenario } from "./harness/scenario/load.ts";
export { assertNoFindings, FindingsError, fuzzConsumer, type FuzzOptions } from "./harness/api.ts";
export { runScenario, type RunOptions } from "./harness/run/run-scenario.ts";
export { formatFindings } from "./harness/report/format-finding.ts";
export { toJUnitXml } from "./harness/report/junit.ts";
export { DEFAULT_SHRINK_LIMITS, type ShrinkLimits } from "./harness/triage/budget.ts";
export { ConfigError, EnvironmentError, HarnessError } from "./harness/errors.ts";
export { fromJsonSchema, fromProtobuf, loadProtoType, type FromJsonSchemaOptions, type ProtobufOptions } from "./generators/index.ts";
export type { Expectation, HeaderValue, Sample, SampleClass } from "./generators/sample.ts";
export type { Detector, Finding, ShrinkRecord } from "./harness/findings/types.ts";
export type { ReportFinding, RunReport } from "./harness/report/types.ts";
export type { HarnessEvent, EventListener } from "./harness/events.ts";
export type {
  BrokerConfig,
  CommandInvariant,
  ConsumerConfig,
  FunctionInvariant,
  HandlerConsumerConfig,
  HandlerMessage,
  InvariantConfig,
  InvariantContext,
  MessageHandler,
  ProgramConsumerConfig,
  Scenario,
  SchemaConfig,
} from "./harness/scenario/types.ts";
