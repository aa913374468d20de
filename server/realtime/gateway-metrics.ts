/**
 * Prometheus metrics of a gateway instance, registered on the registry it is given (one registry
 * per gateway, so tests can run several). Gauges read the hub's state when scraped.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { StreamHub } from "./stream-hub.ts";

export interface GatewayMetrics {
  badRequests: Counter;
  slowClientsTerminated: Counter;
  deadClientsTerminated: Counter;
  snapshotsSent: Counter;
  snapshotFailures: Counter;
  /** Notifications and scanner updates from Redis pub/sub, by topic (notification, scanner) and outcome (relayed, malformed). */
  topicEvents: Counter<"topic" | "outcome">;
  /** Notification/scanner/screen frames for clients, by topic and outcome (sent, dropped_slow: the client was cut off as too slow, closed). */
  topicFrames: Counter<"topic" | "outcome">;
}

export function registerGatewayMetrics(registry: Registry, hub: StreamHub, clientCount: () => number): GatewayMetrics {
  const registers = [registry];
  new Gauge({
    name: "marketlens_gateway_clients",
    help: "WebSocket clients connected to this gateway",
    registers,
    collect() {
      this.set(clientCount());
    },
  });
  new Gauge({
    name: "marketlens_gateway_subscriptions",
    help: "Client subscriptions (client, stream pairs)",
    registers,
    collect() {
      this.set(hub.subscriptionCount());
    },
  });
  new Gauge({
    name: "marketlens_gateway_streams",
    help: "Streams with at least one subscriber",
    registers,
    collect() {
      this.set(hub.activeStreamCount());
    },
  });
  new Counter({
    name: "marketlens_gateway_bar_events_total",
    help: "Bar events received from Redis pub/sub, by outcome",
    labelNames: ["outcome"],
    registers,
    collect() {
      this.reset();
      this.inc({ outcome: "relayed" }, hub.eventsReceived);
      this.inc({ outcome: "malformed" }, hub.eventsDropped);
    },
  });
  new Counter({
    name: "marketlens_gateway_frames_sent_total",
    help: "Bar frames written to clients",
    registers,
    collect() {
      this.reset();
      this.inc(hub.framesSent);
    },
  });
  const counter = (name: string, help: string) => new Counter({ name, help, registers });
  return {
    badRequests: counter("marketlens_gateway_bad_requests_total", "Client messages answered with an error"),
    slowClientsTerminated: counter(
      "marketlens_gateway_slow_clients_terminated_total",
      "Clients dropped because their send buffer grew too large",
    ),
    deadClientsTerminated: counter(
      "marketlens_gateway_dead_clients_terminated_total",
      "Clients dropped because they missed a heartbeat",
    ),
    snapshotsSent: counter("marketlens_gateway_snapshots_sent_total", "Snapshots sent to clients"),
    snapshotFailures: counter("marketlens_gateway_snapshot_failures_total", "Snapshots that could not be read from Redis"),
    topicEvents: new Counter({
      name: "marketlens_gateway_topic_events_total",
      help: "In-app notifications and scanner updates received from Redis pub/sub, by topic and outcome (relayed, malformed)",
      labelNames: ["topic", "outcome"],
      registers,
    }),
    topicFrames: new Counter({
      name: "marketlens_gateway_topic_frames_total",
      help: "Notification, scanner and screen frames for clients, by topic and outcome (sent, dropped_slow, closed)",
      labelNames: ["topic", "outcome"],
      registers,
    }),
  };
}
