/**
 * Streams row chunks (read from PostgreSQL page by page) as JSON, CSV or Parquet without holding the result in
 * memory: a ReadableStream whose `pull` fetches the next page when the client is ready for more. JSON is one
 * object `{...meta, "rows": [...]}`; CSV has a header line; Parquet writes one row group per page (hyparquet-writer,
 * pure JS) and the footer at the end. If a page fails mid-stream the body is aborted (the status is already 200):
 * clients see a truncated transfer, never a silently short file.
 */
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import type { ColumnSource } from "hyparquet-writer";

import type { ExportFormat } from "../routers/analytics.schema.ts";

export type ColumnType = "timestamp" | "int" | "double" | "float" | "string";

/** One flat column of CSV and Parquet output. */
export interface ExportColumn<Row> {
  name: string;
  type: ColumnType;
  /** null → empty CSV cell, Parquet null. */
  value: (row: Row) => number | string | null;
}

export interface TabularSource<Row> {
  /** Pages of rows, ascending; an empty page or the end of the iterator ends the output. */
  pages: AsyncIterator<readonly Row[]>;
  columns: readonly ExportColumn<Row>[];
  /** JSON only: the envelope fields written before "rows". */
  meta: Record<string, unknown>;
  /** JSON only: one row as a JSON value. */
  jsonRow: (row: Row) => unknown;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  parquet: "application/vnd.apache.parquet",
};

const encoder = new TextEncoder();

function csvCell(value: number | string | null): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

interface Encoder<Row> {
  start(): Uint8Array | null;
  page(rows: readonly Row[]): Uint8Array | null;
  end(): Uint8Array | null;
}

function jsonEncoder<Row>(source: TabularSource<Row>): Encoder<Row> {
  let first = true;
  return {
    start: () => encoder.encode(`${JSON.stringify(source.meta).slice(0, -1)}${Object.keys(source.meta).length ? "," : ""}"rows":[`),
    page(rows) {
      const parts = rows.map((row) => JSON.stringify(source.jsonRow(row)));
      const text = (first ? "" : ",") + parts.join(",");
      first = false;
      return encoder.encode(text);
    },
    end: () => encoder.encode("]}\n"),
  };
}

function csvEncoder<Row>(source: TabularSource<Row>): Encoder<Row> {
  return {
    start: () => encoder.encode(`${source.columns.map((column) => csvCell(column.name)).join(",")}\n`),
    page: (rows) => encoder.encode(rows.map((row) => `${source.columns.map((column) => csvCell(column.value(row))).join(",")}\n`).join("")),
    end: () => null,
  };
}

const PARQUET_TYPES = {
  timestamp: { type: "INT64", converted_type: "TIMESTAMP_MILLIS" },
  int: { type: "INT64" },
  double: { type: "DOUBLE" },
  float: { type: "FLOAT" },
  string: { type: "BYTE_ARRAY", converted_type: "UTF8" },
} as const;

function parquetEncoder<Row>(source: TabularSource<Row>): Encoder<Row> {
  const writer = new ByteWriter();
  /** Bytes written since the last drain (ByteWriter keeps `offset` absolute, so resetting `index` is safe). */
  const drain = (): Uint8Array | null => {
    if (writer.index === 0) return null;
    const bytes = writer.getBytes().slice();
    writer.index = 0;
    return bytes;
  };
  const schema = [
    { name: "root", num_children: source.columns.length },
    ...source.columns.map((column) => ({ name: column.name, ...PARQUET_TYPES[column.type], repetition_type: "OPTIONAL" as const })),
  ];
  let parquet: ParquetWriter;
  return {
    start() {
      parquet = new ParquetWriter({ writer, schema, kvMetadata: [{ key: "marketlens", value: JSON.stringify(source.meta) }] });
      return drain();
    },
    page(rows) {
      const columnData: ColumnSource[] = source.columns.map((column) => ({
        name: column.name,
        data: rows.map((row) => {
          const value = column.value(row);
          if (value === null) return null;
          if (column.type === "timestamp") return new Date(value as number);
          if (column.type === "int") return BigInt(value as number);
          return value;
        }),
      }));
      void parquet.write({ columnData, rowGroupSize: rows.length });
      return drain();
    },
    end() {
      void parquet.finish();
      return drain();
    },
  };
}

/** A streamed Response body for `format`. The first page should already have been fetched by the caller's checks. */
export function tabularResponse<Row>(format: ExportFormat, source: TabularSource<Row>, filename: string, headers: Record<string, string> = {}): Response {
  const encode = format === "json" ? jsonEncoder(source) : format === "csv" ? csvEncoder(source) : parquetEncoder(source);
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          const head = encode.start();
          if (head) controller.enqueue(head);
        }
        const next = await source.pages.next();
        if (next.done || next.value.length === 0) {
          const tail = encode.end();
          if (tail) controller.enqueue(tail);
          controller.close();
          return;
        }
        const bytes = encode.page(next.value);
        if (bytes) controller.enqueue(bytes);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await source.pages.return?.();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": CONTENT_TYPES[format],
      "content-disposition": `${format === "json" ? "inline" : "attachment"}; filename="${filename}.${format}"`,
      "cache-control": "no-store",
      ...headers,
    },
  });
}
