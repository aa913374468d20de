/**
 * The gateway as several processes on one port (node:cluster). The primary owns the listening socket and
 * hands each new connection to one gateway process (round-robin); every process runs startGateway() with
 * its own Redis subscriptions and relays to its own connections. Nothing is shared, as with replicas
 * behind a load balancer, so no message crosses processes.
 * Why: a fan-out costs one socket write per subscriber, and that write is mostly kernel time (the TCP send
 * path, ~10 µs each on the 2-core dev machine). One event loop writes 5,000 sockets one after another
 * (~60 ms of CPU per event); N processes each write their share at the same time on their own core.
 * Primary side: forkGatewayProcesses(); each forked process: announceGatewayReady() once it relays.
 */
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";

/** One gateway process per core, at most 4 (each holds two Redis connections and its own heartbeat). */
export function defaultGatewayProcesses(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export interface GatewayProcessesOptions {
  processes: number;
  /** The process entry each process runs: it calls startGateway on the shared port, then announceGatewayReady. */
  exec: string;
  /** Node options of the processes; default: this process's (keeps `--import tsx`). */
  execArgv?: string[];
  args?: string[];
  /** Extra environment variables of the processes (added to this process's). */
  env?: Record<string, string>;
  /** Fork a replacement when a process dies unexpectedly (the product); off in benchmarks and tests. */
  restart?: boolean;
  /** How long to wait for every process to announce itself. */
  readyTimeoutMs?: number;
  onExit?: (info: { pid: number | undefined; code: number | null; signal: string | null; restarting: boolean }) => void;
  /** Each time a process (first ones and replacements) announced itself. */
  onReady?: (info: { pid: number | undefined }) => void;
}

export interface GatewayProcesses {
  /** The port every process listens on (the shared one). */
  readonly port: number;
  pids(): number[];
  /** SIGTERM to every process (each closes its sockets and Redis connections); resolves when all exited. */
  stop(): Promise<void>;
}

interface ReadyMessage {
  type: "marketlens:gateway-ready";
  port: number;
}

function isReady(message: unknown): message is ReadyMessage {
  return typeof message === "object" && message !== null && (message as ReadyMessage).type === "marketlens:gateway-ready";
}

/** In a forked gateway process: tells the primary this process listens on `port` and relays. No-op otherwise. */
export function announceGatewayReady(port: number): void {
  if (cluster.isWorker && process.send) process.send({ type: "marketlens:gateway-ready", port } satisfies ReadyMessage);
}

/** Forks the processes and resolves once each of them announced itself (rejects if one dies before). */
export async function forkGatewayProcesses(options: GatewayProcessesOptions): Promise<GatewayProcesses> {
  if (!cluster.isPrimary) throw new Error("forkGatewayProcesses must run in the primary process");
  if (!Number.isInteger(options.processes) || options.processes < 1) throw new Error(`processes must be a positive integer, got ${options.processes}`);
  cluster.setupPrimary({ exec: options.exec, execArgv: options.execArgv ?? process.execArgv, args: options.args ?? [] });
  const workers = new Set<Worker>();
  const pendingRestarts = new Set<NodeJS.Timeout>();
  let stopping = false;
  let port = 0;

  /** `replacement`: forked after a process died (it is replaced again if it dies before it is ready). */
  function fork(replacement = false): Promise<void> {
    const worker = cluster.fork(options.env);
    workers.add(worker);
    return new Promise<void>((resolve, reject) => {
      let announced = false;
      worker.on("message", (message: unknown) => {
        if (!isReady(message)) return;
        announced = true;
        port = message.port;
        options.onReady?.({ pid: worker.process.pid });
        resolve();
      });
      worker.once("exit", (code, signal) => {
        workers.delete(worker);
        const restarting = !stopping && (announced || replacement) && options.restart === true;
        options.onExit?.({ pid: worker.process.pid, code, signal, restarting });
        if (!announced) reject(new Error(`gateway process ${worker.process.pid} exited (code ${code}, signal ${signal}) before it was ready`));
        if (restarting) {
          const timer = setTimeout(() => {
            pendingRestarts.delete(timer);
            fork(true).catch(() => undefined); // its own exit handler schedules the next attempt
          }, 1_000);
          pendingRestarts.add(timer);
        }
      });
    });
  }

  async function stop(): Promise<void> {
    stopping = true;
    for (const timer of pendingRestarts) clearTimeout(timer);
    pendingRestarts.clear();
    const exits = [...workers].map((worker) => new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once("exit", () => resolve()))));
    for (const worker of workers) if (!worker.isDead()) worker.process.kill("SIGTERM");
    await Promise.all(exits);
  }

  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all(Array.from({ length: options.processes }, fork)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`gateway processes not ready within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    port,
    pids: () => [...workers].map((worker) => worker.process.pid).filter((pid): pid is number => pid !== undefined),
    stop,
  };
}
