/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The document shell around every page (Fresh's `_app`): head, top bar, styles and the island bundle, all served
 * from the project (no CDN).
 * @module
 */
import type { ComponentChildren } from "npm:preact@10.29.8";

/** The built assets, or null before the client has been built (pages then render without islands' scripts). */
export interface Assets {
  css: string;
  js: string | null;
}

export default function App(
  { title, assets, path, children }: {
    title: string;
    assets: Assets;
    path: string;
    children: ComponentChildren;
  },
) {
  const nav = [["/", "Runs"], ["/compare", "Compare"]] as const;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · kstar`}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href={assets.css} />
      </head>
      <body>
        <header class="topbar">
          <div class="topbar-inner">
            <a class="brand" href="/">
              <span class="brand-mark">k*</span>
              <span class="brand-name">kstar</span>
              <span class="brand-tag">how much training data is enough?</span>
            </a>
            <nav>
              {nav.map(([href, label]) => (
                <a
                  key={href}
                  href={href}
                  class={(href === "/" ? path === "/" || path.startsWith("/runs") : path.startsWith(href))
                    ? "active"
                    : ""}
                >
                  {label}
                </a>
              ))}
            </nav>
          </div>
        </header>
        <main class="page">{children}</main>
        <footer class="footer">
          Δ<sub>k</sub> = E(L<sub>k+1</sub>{" "}
          − L<sub>k</sub>)² in the top-d Hessian eigen-subspace · k* = inf{"{"}k : Δ
          <sub>k′</sub> &lt; Δ<sub>tol</sub> ∀k′ ≥ k{"}"}
        </footer>
        {assets.js ? <script type="module" src={assets.js} /> : null}
      </body>
    </html>
  );
}
