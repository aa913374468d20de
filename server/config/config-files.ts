/**
 * Where the live config files are and how a file is named as the manager of the rows it wrote
 * (`symbols.managed_by`, `exchanges.managed_by`): `config:<path relative to the project root>`, so
 * `marketlens symbols sync` and the control process (workers/control.ts) agree on config/symbols.yaml.
 */
import path from "node:path";

export const SYMBOLS_FILE = "symbols.yaml";
export const EXCHANGES_FILE = "exchanges.yaml";

/** The manager name of a config file: `config:config/symbols.yaml` (absolute path when outside the project). */
export function configManager(file: string, projectRoot: string): `config:${string}` {
  const absolute = path.resolve(file);
  const relative = path.relative(projectRoot, absolute);
  const inside = relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
  return `config:${inside ? relative.split(path.sep).join("/") : absolute}`;
}
