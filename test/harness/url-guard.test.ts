import { describe, expect, it } from "vitest";
import { assertBrokerAllowed, assertUrlScheme, isLoopbackHost, redactText, redactUrl } from "../../harness/brokers/url-guard.ts";
import { ConfigError } from "../../harness/errors.ts";

describe("loopback guard", () => {
  it.each(["localhost", "127.0.0.1", "127.9.8.7", "::1", "sub.localhost"])("accepts %s", (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(["broker.example.invalid", "10.0.0.1", "192.168.1.2", "0.0.0.0", "::", "localhost.example.invalid"])("rejects %s", (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it("rejects a remote URL without the flag and hides its password", () => {
    let thrown: unknown;
    try {
      assertBrokerAllowed("nats://user:secret@broker.example.invalid:4222", false);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.exitCode).toBe(2);
    expect(error.oneLine()).toContain("broker.example.invalid");
    expect(error.oneLine()).toContain("--allow-remote-broker");
    expect(error.oneLine()).not.toContain("secret");
  });

  it("accepts a remote URL with the flag", () => {
    expect(() => assertBrokerAllowed("nats://broker.example.invalid:4222", true)).not.toThrow();
  });

  it("accepts the host:port shorthand on loopback", () => {
    expect(() => assertBrokerAllowed("127.0.0.1:4222", false)).not.toThrow();
  });
});

describe("redaction", () => {
  it("hides the password of a URL", () => {
    expect(redactUrl("amqp://guest:guest@127.0.0.1:5672/vh")).toBe("amqp://guest:***@127.0.0.1:5672/vh");
  });

  it("hides a token-only user part", () => {
    expect(redactUrl("nats://s3cr3t-token@127.0.0.1:4222")).toBe("nats://***@127.0.0.1:4222");
  });

  it("hides URLs inside text", () => {
    const line = redactText("could not connect to nats://a:b@127.0.0.1:1 and amqp://u:p@h:5672");
    expect(line).not.toContain(":b@");
    expect(line).not.toContain(":p@");
  });
});

describe("URL scheme", () => {
  it.each([
    ["nats://127.0.0.1:4222", "nats"],
    ["127.0.0.1:4222", "nats"],
    ["amqp://guest:guest@127.0.0.1:5672", "rabbitmq"],
  ] as const)("accepts %s for %s", (url, family) => {
    expect(() => assertUrlScheme(url, family)).not.toThrow();
  });

  it.each([
    ["amqp://guest:pw@127.0.0.1:5672", "nats"],
    ["nats://127.0.0.1:4222", "rabbitmq"],
    ["amqps://u:pw@127.0.0.1:5671", "rabbitmq"],
    ["127.0.0.1:5672", "rabbitmq"],
  ] as const)("rejects %s for %s", (url, family) => {
    let thrown: unknown;
    try {
      assertUrlScheme(url, family);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).exitCode).toBe(2);
    expect((thrown as ConfigError).oneLine()).not.toContain(":pw@");
  });
});
