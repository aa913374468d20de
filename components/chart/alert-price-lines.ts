/**
 * Alert price lines on the candle series (lightweight-charts v5 `series.createPriceLine`) and dragging
 * them: a pointer pressed within a few pixels of a draggable line grabs it (the chart's own scroll/scale
 * is switched off for the drag), moves it with `series.coordinateToPrice`, and reports the new price on
 * release. No React: components/chart/chart-alerts.tsx drives it. Edit here for line looks or grab distance.
 */
import { LineStyle, type IChartApi, type IPriceLine, type ISeriesApi } from "lightweight-charts";

export interface AlertLineSpec {
  /** Alert id, or "draft" for the line of an alert being created. */
  id: string;
  price: number;
  title: string;
  draggable: boolean;
  kind: "alert" | "paused" | "draft" | "moved";
}

const COLORS: Record<AlertLineSpec["kind"], string> = {
  alert: "#f0b429",
  paused: "#8b93a1",
  draft: "#4c8dff",
  moved: "#4c8dff",
};

/** Pixels above or below a line where a press grabs it. */
const GRAB_DISTANCE = 6;

export type DragEndHandler = (id: string, price: number) => void;
export type DragMoveHandler = (id: string, price: number, y: number) => void;

export class AlertPriceLines {
  private readonly lines = new Map<string, { spec: AlertLineSpec; line: IPriceLine }>();
  private dragging: { id: string; pointerId: number } | null = null;
  onDragMove: DragMoveHandler = () => undefined;
  onDragEnd: DragEndHandler = () => undefined;

  constructor(
    private readonly chart: IChartApi,
    private readonly series: ISeriesApi<"Candlestick">,
    private readonly element: HTMLElement,
  ) {
    element.addEventListener("pointerdown", this.down, { capture: true });
    element.addEventListener("pointermove", this.move, { capture: true });
    element.addEventListener("pointerup", this.up, { capture: true });
    element.addEventListener("pointercancel", this.up, { capture: true });
  }

  /** Replaces the drawn lines with `specs` (unchanged ones are only re-styled). */
  setLines(specs: readonly AlertLineSpec[]): void {
    const wanted = new Set(specs.map((spec) => spec.id));
    for (const [id, entry] of this.lines) {
      if (!wanted.has(id) && this.dragging?.id !== id) {
        this.series.removePriceLine(entry.line);
        this.lines.delete(id);
      }
    }
    for (const spec of specs) {
      if (this.dragging?.id === spec.id) continue; // the pointer owns it until released
      const options = {
        price: spec.price,
        color: COLORS[spec.kind],
        lineWidth: spec.kind === "draft" || spec.kind === "moved" ? 2 : 1,
        lineStyle: spec.kind === "paused" ? LineStyle.Dotted : LineStyle.Dashed,
        axisLabelVisible: true,
        title: spec.title,
      } as const;
      const existing = this.lines.get(spec.id);
      if (existing) existing.line.applyOptions(options);
      else this.lines.set(spec.id, { spec, line: this.series.createPriceLine(options) });
      this.lines.get(spec.id)!.spec = spec;
    }
  }

  /** The line's y in pixels from the chart's top (null when off-scale or absent). */
  yOf(id: string): number | null {
    const entry = this.lines.get(id);
    return entry ? this.series.priceToCoordinate(entry.line.options().price) : null;
  }

  get count(): number {
    return this.lines.size;
  }

  dispose(): void {
    this.element.removeEventListener("pointerdown", this.down, { capture: true });
    this.element.removeEventListener("pointermove", this.move, { capture: true });
    this.element.removeEventListener("pointerup", this.up, { capture: true });
    this.element.removeEventListener("pointercancel", this.up, { capture: true });
    this.lines.clear(); // the chart is removed with its series: nothing to detach
  }

  private localY(event: PointerEvent): number {
    return event.clientY - this.element.getBoundingClientRect().top;
  }

  private lineAt(y: number): string | undefined {
    let best: { id: string; distance: number } | undefined;
    for (const [id, { spec, line }] of this.lines) {
      if (!spec.draggable) continue;
      const coordinate = this.series.priceToCoordinate(line.options().price);
      if (coordinate === null) continue;
      const distance = Math.abs(coordinate - y);
      if (distance <= GRAB_DISTANCE && (!best || distance < best.distance)) best = { id, distance };
    }
    return best?.id;
  }

  private readonly down = (event: PointerEvent): void => {
    if (event.button !== 0) return;
    const id = this.lineAt(this.localY(event));
    if (!id) return;
    this.dragging = { id, pointerId: event.pointerId };
    this.chart.applyOptions({ handleScroll: false, handleScale: false });
    this.element.setPointerCapture?.(event.pointerId);
    event.preventDefault();
    event.stopPropagation();
  };

  private readonly move = (event: PointerEvent): void => {
    const y = this.localY(event);
    if (!this.dragging) {
      this.element.style.cursor = this.lineAt(y) ? "ns-resize" : "";
      return;
    }
    const entry = this.lines.get(this.dragging.id);
    const price = this.series.coordinateToPrice(y);
    if (!entry || price === null) return;
    entry.line.applyOptions({ price });
    this.onDragMove(this.dragging.id, price, y);
    event.stopPropagation();
  };

  private readonly up = (event: PointerEvent): void => {
    const dragging = this.dragging;
    if (!dragging || dragging.pointerId !== event.pointerId) return;
    this.dragging = null;
    this.chart.applyOptions({ handleScroll: true, handleScale: true });
    if (this.element.hasPointerCapture?.(event.pointerId)) this.element.releasePointerCapture(event.pointerId);
    const entry = this.lines.get(dragging.id);
    if (entry) this.onDragEnd(dragging.id, entry.line.options().price);
  };
}
