/**
 * Small hooks shared by the islands.
 * @module
 */
import { useEffect, useState } from "npm:preact@10.29.8/hooks";

/** False on the server and until the island has hydrated in the browser, then true. */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
