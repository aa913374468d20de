"use client";
/**
 * True once React has hydrated the component. Forms keep their submit button disabled until then,
 * so an early click cannot fall back to a native submission (which would put the password in the URL);
 * they also use method="post" as a second guard.
 */
import { useEffect, useState } from "react";

export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
