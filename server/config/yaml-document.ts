/**
 * Parses a YAML config file and validates it with a zod schema, refusing the first problem with the file and
 * line at fault (ConfigError). Shared by the config loaders in this folder (symbols, exchanges).
 */
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    detail: string,
  ) {
    super(`${file}${line === null ? "" : `:${line}`}: ${detail}`);
    this.name = "ConfigError";
  }
}

export interface ValidatedYaml<T> {
  data: T;
  /** Line of the node at `path` (1-based), or null when the path does not exist in the text. */
  lineAt(path: readonly (string | number)[]): number | null;
  /** Line of the key of the map entry at `path` (where `name:` is written). */
  keyLineAt(path: readonly (string | number)[]): number | null;
}

/** Parses `text` and validates it with `schema`; `file` is used in error messages only. */
export function parseValidatedYaml<S extends z.ZodType>(text: string, file: string, schema: S): ValidatedYaml<z.output<S>> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const line = lastContentLine(text, lineCounter.linePos(syntaxError.pos[0]).line);
    throw new ConfigError(file, line, `invalid YAML: ${syntaxError.message.split("\n")[0]}`);
  }
  const lineAt = (path: readonly (string | number)[]) => nodeLine(document, lineCounter, path);
  const result = schema.safeParse(document.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path as (string | number)[];
    const keyLineAt = (keyPath: readonly (string | number)[]) => keyLine(document, lineCounter, keyPath);
    // an unknown key: its own line; a missing key has no node: its parent's (the entry that lacks it)
    const unknownKey = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
    const line = (unknownKey !== undefined ? keyLineAt([...path, unknownKey]) : null) ?? lineAt(path) ?? (path.length > 1 ? lineAt(path.slice(0, -1)) : null);
    throw new ConfigError(file, line, `${path.join(".") || "(root)"}: ${issue.message}`);
  }
  return { data: result.data, lineAt, keyLineAt: (path) => keyLine(document, lineCounter, path) };
}

function nodeLine(document: Document, lineCounter: LineCounter, path: readonly (string | number)[]): number | null {
  const node = (path.length === 0 ? document.contents : document.getIn(path, true)) as Node | null | undefined;
  return node?.range ? lineCounter.linePos(node.range[0]).line : null;
}

function keyLine(document: Document, lineCounter: LineCounter, path: readonly (string | number)[]): number | null {
  const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return null;
  const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[path.length - 1]);
  const range = isScalar(pair?.key) ? pair.key.range : undefined;
  return range ? lineCounter.linePos(range[0]).line : null;
}

/** An error reported at the end of input (an unclosed `[` or quote) belongs to the last non-blank line. */
function lastContentLine(text: string, line: number): number {
  const lines = text.split("\n");
  let current = Math.min(line, lines.length);
  while (current > 1 && (lines[current - 1] ?? "").trim() === "") current -= 1;
  return current;
}
