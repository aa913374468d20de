/**
 * Runs the long-lived processes (web, gateway, collector, replay exchange): each in its own process
 * group, output prefixed with its name, an unexpected exit reported, and all of them stopped with
 * SIGTERM, then SIGKILL after 10 s. A registry file in .data/run lets the next run kill what a
 * killed run (SIGKILL, crash) left behind.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cyan, dim, green, magenta, note, step, yellow } from "./log.mjs";
import { LOGS, ROOT, RUN } from "./paths.mjs";
import { alive, sleep } from "./proc.mjs";

const COLORS = [cyan, green, yellow, magenta];

/** Live, non-zombie members of a process group. */
function groupMembers(pgid) {
  let entries;
  try {
    entries = readdirSync("/proc");
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") members.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return members;
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // group already gone
  }
}

/** Kills process groups recorded by runs that no longer exist. */
export async function killLeftovers() {
  if (!existsSync(RUN)) return;
  for (const name of readdirSync(RUN)) {
    const match = /^processes\.(\d+)\.json$/.exec(name);
    if (!match || alive(Number(match[1]))) continue;
    const file = join(RUN, name);
    let recorded = [];
    try {
      recorded = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      // unreadable: just remove it
    }
    const left = recorded.filter((entry) => groupMembers(entry.pgid).length > 0);
    if (left.length > 0) {
      step(`Cleaning up ${left.map((entry) => entry.name).join(", ")} left running by an earlier run that was killed (pid ${match[1]})`);
      for (const entry of left) signalGroup(entry.pgid, "SIGTERM");
      await sleep(2_000);
      for (const entry of left) signalGroup(entry.pgid, "SIGKILL");
    }
    rmSync(file, { force: true });
  }
}

export class Supervisor {
  /**
   * @param {{ echo?: boolean, logPrefix?: string, onUnexpectedExit?: (name: string, code: number | null, signal: string | null) => void }} options
   *   echo: print the children's output (else it only goes to .data/logs/<logPrefix>-<name>.log and the in-memory tail)
   */
  constructor({ echo = true, logPrefix = "stack", onUnexpectedExit = () => undefined } = {}) {
    this.echo = echo;
    this.logPrefix = logPrefix;
    this.onUnexpectedExit = onUnexpectedExit;
    this.children = [];
    this.stopping = false;
    this.width = 9;
    this.registry = join(RUN, `processes.${process.pid}.json`);
  }

  /** Starts a process in its own group. */
  start(name, command, args, env) {
    mkdirSync(LOGS, { recursive: true });
    const color = COLORS[this.children.length % COLORS.length];
    const log = createWriteStream(join(LOGS, `${this.logPrefix}-${name}.log`));
    const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const entry = { name, child, pgid: child.pid, lines: [], exited: null, log };
    const exited = new Promise((resolveExit) => (entry.resolveExit = resolveExit));
    entry.exitedPromise = exited;
    const prefix = `${color(name.padEnd(this.width))}${dim("│")} `;
    for (const stream of [child.stdout, child.stderr]) {
      let partial = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => {
        const parts = (partial + chunk).split("\n");
        partial = parts.pop() ?? "";
        for (const line of parts) this.#line(entry, prefix, line);
      });
      stream.on("end", () => partial && this.#line(entry, prefix, partial));
    }
    child.on("error", (error) => this.#line(entry, prefix, `failed to start: ${error.message}`));
    child.on("exit", (code, signal) => {
      entry.exited = { code, signal };
      entry.resolveExit();
      if (!this.stopping) this.onUnexpectedExit(name, code, signal);
    });
    this.children.push(entry);
    this.#record();
    return child;
  }

  #line(entry, prefix, line) {
    entry.lines.push(line);
    if (entry.lines.length > 200) entry.lines.shift();
    entry.log.write(`${line}\n`);
    if (this.echo) process.stdout.write(`${prefix}${line}\n`);
  }

  #record() {
    mkdirSync(RUN, { recursive: true });
    writeFileSync(this.registry, JSON.stringify(this.children.map(({ name, pgid }) => ({ name, pgid }))));
  }

  /** The last lines a process printed, prefixed with its name (for failure messages). */
  tail(name, count = 40) {
    const entry = this.children.find((child) => child.name === name);
    return entry ? entry.lines.slice(-count).map((line) => `${name} │ ${line}`).join("\n") : "";
  }

  /** SIGTERM to every group, SIGKILL to what is left after `graceMs`. */
  async stopAll(graceMs = 10_000) {
    this.stopping = true;
    const live = this.children.filter((entry) => groupMembers(entry.pgid).length > 0 || !entry.exited);
    if (live.length > 0) {
      step(`Stopping ${live.map((entry) => entry.name).join(", ")} (SIGTERM, SIGKILL after ${graceMs / 1000} s)`);
      for (const entry of live) signalGroup(entry.pgid, "SIGTERM");
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && live.some((entry) => !entry.exited || groupMembers(entry.pgid).length > 0)) await sleep(100);
      for (const entry of live) {
        if (!entry.exited || groupMembers(entry.pgid).length > 0) {
          note(`${entry.name} did not stop within ${graceMs / 1000} s: SIGKILL`);
          signalGroup(entry.pgid, "SIGKILL");
        }
      }
      await Promise.race([Promise.all(live.map((entry) => entry.exitedPromise)), sleep(2_000)]);
    }
    for (const entry of this.children) entry.log.end();
    rmSync(this.registry, { force: true });
  }
}
