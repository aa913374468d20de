/**
 * `marketlens` command line (commander). One sub-command per use case; each prints a clear error and
 * exits non-zero on bad input. Launched by bin/marketlens.mjs.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import pg from "pg";
import { configManager, EXCHANGES_FILE, SYMBOLS_FILE } from "../config/config-files.ts";
import { loadExchangesConfig } from "../config/exchanges-config.ts";
import { loadSymbolsConfig, parseSymbolsConfig } from "../config/symbols-config.ts";
import { applyMigrations, migrationStatus } from "../db/migrate.ts";
import { listSymbols } from "../db/symbols.repo.ts";
import { parseTimeframeList, type Timeframe } from "../domain/time/timeframes.ts";
import { env } from "../env.ts";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: env().DATABASE_URL });
  await client.connect().catch((error: Error) => {
    throw new Error(`cannot connect to PostgreSQL at DATABASE_URL (${error.message}); is it running? (npm start starts one)`);
  });
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function timeframesOption(value: string): Timeframe[] {
  try {
    return parseTimeframeList(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const program = new Command("marketlens").description("Marketlens command line").showHelpAfterError();

const migrate = program.command("migrate").description("database migrations (prisma/migrations, no downloaded engines)");
migrate.command("up").description("apply pending migrations").action(async () => {
  const applied = await applyMigrations({ databaseUrl: env().DATABASE_URL, projectRoot });
  console.log(applied.length === 0 ? "migrations: up to date" : `migrations: applied ${applied.join(", ")}`);
});
migrate.command("status").description("list migrations and whether each is applied").action(async () => {
  const rows = await migrationStatus({ databaseUrl: env().DATABASE_URL, projectRoot });
  for (const row of rows) console.log(`${row.failed ? "FAILED " : row.applied ? "applied" : "pending"}  ${row.name}${row.appliedAt ? `  ${row.appliedAt}` : ""}`);
  if (rows.some((row) => !row.applied)) process.exitCode = 1;
});

const symbols = program.command("symbols").description("the symbol universe (changes reach running collectors within seconds)");

/** Runs a symbols write with a one-connection pool and a Redis connection to tell running collectors. */
async function withSymbolsWriter<T>(work: (writer: import("../services/symbols.service.ts").SymbolsWriter) => Promise<T>): Promise<T> {
  const { createSymbolsWriter } = await import("../services/symbols.service.ts");
  const { createRedis, keys } = await import("../redis/client.ts");
  const pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 1, connectionTimeoutMillis: 5_000 });
  pool.on("error", () => undefined);
  const redis = createRedis("command");
  redis.on("error", () => undefined); // Redis down: collectors still see the change on their next poll
  try {
    await pool.query("SELECT 1").catch((error: Error) => {
      throw new Error(`cannot connect to PostgreSQL at DATABASE_URL (${error.message}); is it running? (npm start starts one)`);
    });
    return await work(createSymbolsWriter({ pool, redis, keys: keys(), now: () => Date.now() }));
  } finally {
    redis.disconnect();
    await pool.end();
  }
}

/** What the running collectors do about a change, for the operator. */
function pickedUp(notified: boolean): string {
  return notified ? "running collectors pick it up now" : "running collectors pick it up within ~2 s (Redis not reachable: they poll PostgreSQL)";
}

symbols.command("list").option("--exchange <name>", "only this exchange").action(async (options: { exchange?: string }) => {
  const rows = await withClient((client) => listSymbols(client, { exchange: options.exchange?.toUpperCase() }));
  for (const row of rows) console.log(`${row.id.padEnd(24)} ${row.active ? "active  " : "inactive"} ${row.assetClass.padEnd(7)} ${row.displayName}`);
});
symbols
  .command("add <id>")
  .description("add (or reactivate) a symbol, e.g. BINANCE:XRPUSDT; its collector subscribes and backfills it")
  .option("--name <displayName>", "display name")
  .option("--asset-class <class>", "crypto | stock | etf | fx | index", "crypto")
  .option("--calendar <calendar>", "CRYPTO | NYSE | NASDAQ | BIST", "CRYPTO")
  .action(async (id: string, options: { name?: string; assetClass: string; calendar: string }) => {
    const yaml = `symbols:\n  - id: ${JSON.stringify(id)}\n    asset_class: ${JSON.stringify(options.assetClass)}\n    calendar: ${JSON.stringify(options.calendar)}\n${options.name ? `    display_name: ${JSON.stringify(options.name)}\n` : ""}`;
    const [entry] = parseSymbolsConfig(yaml, "arguments");
    const result = await withSymbolsWriter((writer) => writer.add(entry!, "cli"));
    console.log(`added ${entry!.id}; ${pickedUp(result.notified)}`);
  });
for (const [command, active] of [["activate", true], ["deactivate", false]] as const) {
  symbols
    .command(`${command} <id>`)
    .description(active ? "resume collecting a symbol" : "stop collecting a symbol (the row and its candles stay)")
    .action(async (id: string) => {
      const symbolId = id.toUpperCase();
      const result = await withSymbolsWriter((writer) => writer.setActive(symbolId, active));
      console.log(result.changed ? `${command}d ${symbolId}; ${pickedUp(result.notified)}` : `${symbolId} is already ${active ? "active" : "inactive"}`);
    });
}
symbols.command("remove <id>").description("remove a symbol (its stored candles stay); its collector unsubscribes").action(async (id: string) => {
  const symbolId = id.toUpperCase();
  const result = await withSymbolsWriter((writer) => writer.remove(symbolId));
  console.log(`removed ${symbolId}; ${pickedUp(result.notified)}`);
});
symbols
  .command("sync")
  .description(
    "apply config/exchanges.yaml and config/symbols.yaml to the database (as the control process does live): upsert the " +
      "listed symbols, deactivate those the file added before and no longer lists (rows and candles stay)",
  )
  .option("--file <path>", "symbols file", path.join(projectRoot, "config", SYMBOLS_FILE))
  .option("--exchanges-file <path>", "exchanges file (skipped when it does not exist)", path.join(projectRoot, "config", EXCHANGES_FILE))
  .action(async (options: { file: string; exchangesFile: string }) => {
    const shown = (file: string) => path.relative(process.cwd(), file) || file;
    const exchangeEntries = existsSync(options.exchangesFile) ? await loadExchangesConfig(shown(options.exchangesFile)) : null;
    const entries = await loadSymbolsConfig(shown(options.file));
    await withSymbolsWriter(async (writer) => {
      if (exchangeEntries) {
        const applied = await writer.applyExchangesFile(exchangeEntries, configManager(options.exchangesFile, projectRoot));
        const disabled = exchangeEntries.filter((entry) => !entry.enabled).map((entry) => entry.id);
        console.log(`exchanges: ${exchangeEntries.length} in ${path.relative(projectRoot, options.exchangesFile)}, ${applied.changed.length} written${disabled.length ? `, disabled: ${disabled.join(", ")}` : ""}`);
      }
      const applied = await writer.applySymbolsFile(entries, { managedBy: configManager(options.file, projectRoot) });
      console.log(
        `symbols: ${entries.length} in ${path.relative(projectRoot, options.file)}, ${applied.written} written` +
          (applied.deactivated.length ? `, deactivated (no longer listed): ${applied.deactivated.join(", ")}` : ""),
      );
    });
  });

program
  .command("bars")
  .description("build closed OHLCV bars from recorded Binance frames (one JSON frame per line) and print NDJSON")
  .requiredOption("--input <file>", "recorded frames, NDJSON")
  .option("--timeframes <list>", "comma separated timeframes", timeframesOption, parseTimeframeList("1m,5m,15m,1h,4h,1d"))
  .action(async (options: { input: string; timeframes: Timeframe[] }) => {
    const { runBarsCommand } = await import("./bars.command.ts");
    await runBarsCommand({ input: options.input, timeframes: options.timeframes }, process.stdout);
  });

program
  .command("indicators")
  .description("compute every indicator over a candles file (CSV open_time,open,high,low,close,volume or JSON rows) and print one JSON object")
  .requiredOption("--candles <file>", "candles file (.csv or .json)")
  .option("--mode <mode>", "batch | stream (bar by bar through the streaming core; identical output)", "batch")
  .option("--session <session>", "VWAP session: utc (crypto) | nyse", "utc")
  .action(async (options: { candles: string; mode: string; session: string }) => {
    if (options.mode !== "batch" && options.mode !== "stream") throw new Error(`--mode must be batch or stream, not "${options.mode}"`);
    if (options.session !== "utc" && options.session !== "nyse") throw new Error(`--session must be utc or nyse, not "${options.session}"`);
    const { runIndicatorsCommand } = await import("./indicators.command.ts");
    await runIndicatorsCommand({ candles: options.candles, mode: options.mode, session: options.session }, process.stdout);
  });

program
  .command("features")
  .description("compute ML feature set v1 over a candles file; one row per candle")
  .requiredOption("--candles <file>", "candles file (.csv or .json)")
  .option("--format <format>", "json | csv", "json")
  .action(async (options: { candles: string; format: string }) => {
    if (options.format !== "json" && options.format !== "csv") throw new Error(`--format must be json or csv, not "${options.format}"`);
    const { runFeaturesCommand } = await import("./features.command.ts");
    await runFeaturesCommand({ candles: options.candles, format: options.format }, process.stdout);
  });

program
  .command("sessions")
  .description("print one NDJSON line per trading session {date, open, close} (UTC epoch ms), holidays from config/holidays/")
  .requiredOption("--exchange <exchange>", "NYSE | NASDAQ | BIST | CRYPTO")
  .requiredOption("--from <date>", "first date, YYYY-MM-DD (inclusive)")
  .requiredOption("--to <date>", "end date, YYYY-MM-DD (exclusive: that date is not printed)")
  .action(async (options: { exchange: string; from: string; to: string }) => {
    const { runSessionsCommand } = await import("./sessions.command.ts");
    await runSessionsCommand(options, process.stdout);
  });

program
  .command("backfill")
  .description(
    "load closed bars from the exchange's REST API (BINANCE_REST_URL) into PostgreSQL (resumable; builds 5m…1d; " +
      "enqueues the oldest and newest changed bar per timeframe so the analytics worker catches up from the database), or into --out FILE as NDJSON",
  )
  .requiredOption("--exchange <name>", "binance, alpaca or yahoo (yahoo: --timeframe 1m within the last 30 days, or 1d)")
  .requiredOption("--symbol <symbol>", "ticker (BTCUSDT) or symbol id (BINANCE:BTCUSDT)")
  .requiredOption("--from <date>", "UTC date YYYY-MM-DD or ISO time (inclusive)")
  .requiredOption("--to <date>", "UTC date YYYY-MM-DD or ISO time (exclusive)")
  .option("--timeframe <timeframe>", "fetched timeframe; longer ones are built from it", "1m")
  .option("--out <file>", "write NDJSON (fields of `marketlens bars`) to FILE instead of the database")
  .action(async (options: { exchange: string; symbol: string; from: string; to: string; timeframe: string; out?: string }) => {
    const { runBackfillCommand, parseBackfillArgs } = await import("./backfill.command.ts");
    const args = parseBackfillArgs(options); // bad input: exit 1 before Redis or PostgreSQL is touched
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130); // second Ctrl-C: the last checkpoint is already saved
      controller.abort();
      process.stderr.write("\nstopping after the current page (Ctrl-C again to quit now)…\n");
    };
    process.on("SIGINT", onSigint);
    let producer: import("../queues/bar-closed-producer.ts").BarClosedProducer | null = null;
    if (!args.out) {
      const { BarClosedProducer } = await import("../queues/bar-closed-producer.ts");
      const { createBarClosedQueues } = await import("../queues/bar-closed.ts");
      const { keys, queueConnection } = await import("../redis/client.ts");
      producer = new BarClosedProducer({
        queues: createBarClosedQueues({ connection: queueConnection("producer"), prefix: keys().queuePrefix(), partitions: env().ANALYTICS_PARTITIONS }),
      });
    }
    // Alpaca: the 200 requests/minute budget is shared with the collector through Redis
    const alpacaRedis = args.exchange === "alpaca" || args.exchange === "yahoo" ? (await import("../redis/client.ts")).createRedis("command") : null;
    alpacaRedis?.on("error", () => undefined);
    // Binance: the REQUEST_WEIGHT budget is shared with the collectors through Redis (unreachable: this process only)
    const redisClient = await import("../redis/client.ts");
    const binanceRedis = args.exchange === "binance" ? redisClient.createRedis("command") : null;
    binanceRedis?.on("error", () => undefined);
    const { binanceWeightBudget } = await import("../sources/binance/binance-rest.ts");
    try {
      process.exitCode = await runBackfillCommand(options, {
        databaseUrl: env().DATABASE_URL,
        binanceRestUrl: env().BINANCE_REST_URL,
        restBudget: binanceRedis ? binanceWeightBudget({ redis: binanceRedis, key: redisClient.keys().rateBudget("binance:weight") }) : undefined,
        alpaca: { dataUrl: env().ALPACA_DATA_URL, keyId: env().ALPACA_KEY_ID, secretKey: env().ALPACA_SECRET_KEY, feed: env().ALPACA_FEED, redis: alpacaRedis },
        yahoo: { baseUrl: env().YAHOO_BASE_URL, redis: alpacaRedis },
        enqueue: producer ? (events) => producer!.enqueue(events) : undefined,
        signal: controller.signal,
        stdout: process.stdout,
        stderr: process.stderr,
      });
    } finally {
      if (producer) {
        const pending = producer.backlog;
        await producer.close(5_000);
        if (producer.backlog > 0 || (pending > 0 && producer.added === 0)) {
          console.error("backfill: analytics jobs not enqueued (Redis unreachable?); the analytics worker catches up from PostgreSQL when it starts");
        }
      }
      await alpacaRedis?.quit().catch(() => undefined);
      binanceRedis?.disconnect();
      process.off("SIGINT", onSigint);
    }
  });

const alerts = program.command("alerts").description("alert rules");
alerts
  .command("test")
  .description("replay an alert rule (JSON) over a candles file and print one NDJSON line per bar on which it would fire")
  .requiredOption("--rule <file>", "rule document (.json)")
  .requiredOption("--candles <file>", "candles file (.csv or .json)")
  .action(async (options: { rule: string; candles: string }) => {
    const { runAlertsTestCommand } = await import("./alerts-test.command.ts");
    await runAlertsTestCommand({ rule: options.rule, candles: options.candles }, process.stdout, (message) => process.stderr.write(`warning: ${message}\n`));
  });

// `marketlens bars … | head` closes the pipe early: that is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

program
  .parseAsync(process.argv)
  // Exit once the command is done: library pools (the schema engine's pg adapter) idle for 10 s otherwise.
  // Wait for stdout to flush first: a pipe is asynchronous and process.exit would cut the output.
  .then(() => process.stdout.write("", () => process.exit(process.exitCode ?? 0)))
  .catch((error: unknown) => {
    console.error(`marketlens: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
