/**
 * Console output of the run scripts: one "▸" line per step, "✗" plus what to do on failure.
 * Edit when the wording or colours of the set-up output change.
 */

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : String(text));
export const bold = paint("1");
export const dim = paint("2");
export const red = paint("31");
export const green = paint("32");
export const yellow = paint("33");
export const magenta = paint("35");
export const cyan = paint("36");

/** A failure the user can act on: `hints` are printed under the message as things to do. */
export class SetupError extends Error {
  /** @param {string} message @param {string[]} [hints] @param {string} [details] text shown before the hints (a log tail) */
  constructor(message, hints = [], details = "") {
    super(message);
    this.name = "SetupError";
    this.hints = hints;
    this.details = details;
  }
}

/** Prints the start of a step. */
export function step(message) {
  console.log(`${cyan("▸")} ${message}`);
}

/** Prints a detail line under the current step. */
export function note(message) {
  console.log(`  ${dim(message)}`);
}

export function warn(message) {
  console.log(`${yellow("!")} ${message}`);
}

export function success(message) {
  console.log(`${green("✓")} ${bold(message)}`);
}

/** Prints an error with its hints; unknown errors get their stack. */
export function printFailure(error) {
  if (error instanceof SetupError) {
    console.error(`${red("✗")} ${bold(error.message)}`);
    if (error.details) console.error(error.details.replace(/^/gm, "    "));
    for (const hint of error.hints) console.error(`  ${yellow("→")} ${hint}`);
  } else {
    console.error(`${red("✗")} unexpected error in the run script:`);
    console.error(error?.stack ?? String(error));
    console.error(`  ${yellow("→")} this is a bug in scripts/; please report it with the output above`);
  }
}

/** Formats milliseconds as "1.2 s". */
export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}
