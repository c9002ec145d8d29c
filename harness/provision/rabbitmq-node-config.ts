/**
 * Settings shared by every private RabbitMQ node that poisonpill starts,
 * whether as a child process or in a host-network container. Both share the
 * host's loopback with any RabbitMQ already running there (AMQP 5672, epmd
 * 4369, distribution 25672), so each node gets its own node name and free
 * ports for AMQP, epmd, distribution and management, all bound to 127.0.0.1.
 */

export interface RabbitMqNodePorts {
  amqpPort: number;
  epmdPort: number;
  distributionPort: number;
  /** HTTP port of the management plugin; undefined leaves the plugin off. */
  managementPort?: number;
}

/** `rabbitmq.conf` (sysctl format) for a node with the given ports. */
export function rabbitMqConfig(ports: RabbitMqNodePorts): string {
  const lines = [`listeners.tcp.default = 127.0.0.1:${ports.amqpPort}`];
  if (ports.managementPort !== undefined) {
    // Without an ip setting the management listener binds every interface.
    lines.push("management.tcp.ip = 127.0.0.1", `management.tcp.port = ${ports.managementPort}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Contents of an `enabled_plugins` file: the management plugin or none. */
export function rabbitMqEnabledPlugins(management: boolean): string {
  return management ? "[rabbitmq_management].\n" : "[].\n";
}

/** Environment variables that keep the node, its epmd and its distribution port on 127.0.0.1. */
export function rabbitMqNodeEnvironment(nodeName: string, ports: RabbitMqNodePorts): Record<string, string> {
  return {
    RABBITMQ_NODENAME: nodeName,
    ERL_EPMD_ADDRESS: "127.0.0.1",
    ERL_EPMD_PORT: String(ports.epmdPort),
    RABBITMQ_DIST_PORT: String(ports.distributionPort),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1}",
  };
}
