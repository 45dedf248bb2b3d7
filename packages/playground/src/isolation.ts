/**
 * Cross-origin isolation, which threads need (SharedArrayBuffer between nabla's wasm kernels and
 * their Web Workers). The dev server and `vite preview` send the COOP/COEP headers; on a host
 * that does not, the page registers its service worker (public/coi-sw.js), which adds them, and
 * reloads once. Where that cannot work (no service workers: a private window, a browser policy,
 * plain http other than localhost) the page runs on one thread and says why.
 */

export type Isolation = { mode: "headers" } | { mode: "service worker" } | { mode: "none"; why: string };

/** Set for the one reload after the service worker is installed, so a worker that does not help cannot reload forever. */
const RELOADED = "nabla-playground-isolation-reload";

/** How long the service worker may take to install before the page gives up and runs on one thread. */
const START_MS = 4000;

/** How the page is isolated; registers the service worker and reloads the page (never resolving) when that can help. */
export async function isolate(): Promise<Isolation> {
  if (crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    return navigator.serviceWorker?.controller?.scriptURL.endsWith("/coi-sw.js") ? { mode: "service worker" } : { mode: "headers" };
  }
  if (!window.isSecureContext || !("serviceWorker" in navigator)) return { mode: "none", why: "service workers are not available here" };
  if (sessionStorage.getItem(RELOADED) !== null) {
    sessionStorage.removeItem(RELOADED);
    return { mode: "none", why: "its service worker did not isolate it" };
  }
  try {
    // a browser that blocks service workers may leave registration pending for ever
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not active after ${START_MS / 1000} s`)), START_MS));
    await Promise.race([navigator.serviceWorker.register(new URL("coi-sw.js", document.baseURI)).then(() => navigator.serviceWorker.ready), late]);
  } catch (e) {
    return { mode: "none", why: `its service worker did not start: ${e instanceof Error ? e.message : String(e)}` };
  }
  sessionStorage.setItem(RELOADED, "1");
  location.reload();
  return new Promise<never>(() => {});
}

/** The line the page shows about its threads. */
export function describeIsolation(isolation: Isolation, threads: number): string {
  const using = `nabla's wasm kernels use ${threads} threads`;
  if (isolation.mode === "headers") return `cross-origin isolated (the server's COOP/COEP headers): ${using}`;
  if (isolation.mode === "service worker") return `cross-origin isolated by the page's service worker (the host sends no COOP/COEP headers): ${using}`;
  return `not cross-origin isolated (the host sends no COOP/COEP headers and ${isolation.why}): nabla runs on one thread`;
}
