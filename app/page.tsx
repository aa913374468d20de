import { redirect } from "next/navigation";

/** The home page opens the default chart. */
export default function HomePage(): never {
  redirect("/chart/BINANCE:BTCUSDT");
}
