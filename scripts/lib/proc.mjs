/**
 * Running commands: set-up commands in the foreground (output shown, killed with us on Ctrl-C),
 * small probes with captured output, and PATH look-ups.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ROOT } from "./paths.mjs";

/** Foreground children, killed by `killForeground()` when we are interrupted. */
const foreground = new Set();

/**
 * Runs a command to completion.
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, capture?: boolean, tee?: boolean, timeoutMs?: number }} [options]
 *   capture: collect stdout/stderr instead of showing them; tee: show them and collect them.
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
export function run(command, args, options = {}) {
  const { env = process.env, cwd = ROOT, capture = false, tee = false, timeoutMs } = options;
  return new Promise((resolvePromise) => {
    const piped = capture || tee;
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ["ignore", piped ? "pipe" : "inherit", piped ? "pipe" : "inherit"],
    });
    foreground.add(child);
    let stdout = "";
    let stderr = "";
    if (piped) {
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
        if (tee) process.stdout.write(chunk);
      });
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
        if (tee) process.stderr.write(chunk);
      });
    }
    const timer = timeoutMs ? setTimeout(() => child.kill("SIGKILL"), timeoutMs) : undefined;
    const finish = (code, extra = "") => {
      clearTimeout(timer);
      foreground.delete(child);
      resolvePromise({ code, stdout, stderr: stderr + extra });
    };
    child.on("error", (error) => finish(127, String(error.message)));
    child.on("close", (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

/** Like `run` with captured output. */
export function capture(command, args, options = {}) {
  return run(command, args, { ...options, capture: true });
}

/** Stops the foreground set-up commands (npm install, next build...) when we are interrupted. */
export function killForeground() {
  for (const child of foreground) {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
  }
}

/** Absolute path of an executable on PATH, or null. */
export function which(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** True when a process with this pid exists and is not a zombie. */
export function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== "EPERM") return false;
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** The command line of a process ("" when unknown). */
export function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

/** Reads a pid file; null when missing or garbage. */
export function readPid(file) {
  if (!existsSync(file)) return null;
  const pid = Number.parseInt(readFileSync(file, "utf8").trim().split("\n")[0] ?? "", 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Last `lines` lines of a text (a log tail for error messages). */
export function tail(text, lines = 20) {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Last lines of a file, or "" when it cannot be read. */
export function tailFile(file, lines = 20) {
  try {
    return tail(readFileSync(file, "utf8"), lines);
  } catch {
    return "";
  }
}
