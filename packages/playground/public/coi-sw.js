/**
 * The playground's service worker: it makes the page cross-origin isolated on a host that sends
 * no COOP/COEP headers (a static host such as GitHub Pages), so nabla's wasm kernels can share
 * memory with their Web Workers (threads). It re-serves every response the page and its workers
 * fetch with the two headers, as the dev server and `vite preview` send them; src/isolation.ts
 * registers it and reloads the page once. The same approach as the coi-serviceworker package,
 * in the few lines this page needs. A plain script (not bundled): a service worker is loaded by
 * its own URL, and its scope is the folder it is served from.
 */
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  // a request the browser may only answer from its cache cannot be fetched again here
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  event.respondWith(
    fetch(request).then((response) => {
      // opaque responses (cross-origin, no-cors) cannot be rewritten
      if (response.status === 0) return response;
      const headers = new Headers(response.headers);
      headers.set("Cross-Origin-Opener-Policy", "same-origin");
      headers.set("Cross-Origin-Embedder-Policy", "require-corp");
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }),
  );
});
