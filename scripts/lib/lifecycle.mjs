/**
 * How a run ends. Steps register clean-up tasks (stop the processes, then the services this run
 * started); Ctrl-C/SIGTERM only marks the run interrupted and stops the foreground command, and the
 * flow unwinds through `checkpoint()` to the one place that cleans up and exits.
 */
import { note } from "./log.mjs";

const tasks = [];
let cleaning;
let interruptedBy = null;
const listeners = new Set();

export class Interrupted extends Error {
  constructor(signal) {
    super(`interrupted by ${signal}`);
    this.name = "Interrupted";
    this.signal = signal;
  }
}

/** Registers an async clean-up task (last registered, first run). */
export function onCleanup(task) {
  tasks.push(task);
}

/** Runs every registered task once, newest first; a failing task does not stop the rest. */
export function runCleanup() {
  cleaning ??= (async () => {
    while (tasks.length > 0) {
      const task = tasks.pop();
      try {
        await task();
      } catch (error) {
        note(`clean-up step failed: ${error?.message ?? error}`);
      }
    }
  })();
  return cleaning;
}

/** Marks the run interrupted and wakes everything waiting in `whenInterrupted`. */
export function interrupt(signal) {
  if (interruptedBy) return false;
  interruptedBy = signal;
  for (const listener of listeners) listener(signal);
  return true;
}

export const interrupted = () => interruptedBy;

/** Throws Interrupted when the run was interrupted: call it between steps. */
export function checkpoint() {
  if (interruptedBy) throw new Interrupted(interruptedBy);
}

/** Resolves with the signal name once the run is interrupted. */
export function whenInterrupted() {
  if (interruptedBy) return Promise.resolve(interruptedBy);
  return new Promise((resolveSignal) => listeners.add(resolveSignal));
}
