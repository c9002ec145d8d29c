import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrokerKind, HandlerConsumerConfig } from "../../scenario/types.ts";
import type { RunSettings } from "../../run/settings.ts";
import type { InProcessSpec } from "./in-process-consumer.ts";

/** Builds the worker's setup for one consumer start from `consumer.handler` and the start's placeholders. */
export function handlerSpec(
  consumer: HandlerConsumerConfig,
  options: { baseDir: string; brokerKind: BrokerKind; placeholders: Readonly<Record<string, string>>; env: Record<string, string>; settings: RunSettings },
): InProcessSpec {
  const hash = consumer.handler.lastIndexOf("#");
  const modulePath = hash < 0 ? consumer.handler : consumer.handler.slice(0, hash);
  const exportName = hash < 0 ? "default" : consumer.handler.slice(hash + 1);
  const { placeholders } = options;
  return {
    setup: {
      moduleUrl: pathToFileURL(resolve(options.baseDir, modulePath)).href,
      exportName,
      broker: { kind: options.brokerKind, url: placeholders.brokerUrl ?? "", subject: placeholders.subject ?? "", stream: placeholders.stream ?? "", queue: placeholders.queue ?? "" },
      stateDir: placeholders.stateDir ?? "",
      env: options.env,
    },
    timeoutMs: options.settings.handlerTimeoutMs,
    stopGraceMs: options.settings.stopGraceMs,
  };
}
