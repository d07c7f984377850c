/**
 * The self-contained HTML page the report and sweep pages share: uPlot's JS
 * and CSS inlined, the data embedded as JSON in a
 * `<script type="application/json">` block read with `JSON.parse` (nothing
 * from a result file is interpolated into HTML), error hooks that set
 * `document.body.dataset.error`, and the helpers every page script uses.
 *
 * @module
 */
import uplotJs from "npm:uplot@^1.6.32/dist/uPlot.iife.min.js" with { type: "text" };
import uplotCss from "npm:uplot@^1.6.32/dist/uPlot.min.css" with { type: "text" };

/** JSON safe inside a `<script>` element: no `<`, `>`, `&`, U+2028 or U+2029 left raw. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** Library text safe inside `<script>`/`<style>`: no closing tag can end the element early. */
function inlineSafe(text: string, tag: "script" | "style"): string {
  return text.replace(new RegExp(`</(${tag})`, "gi"), "<\\/$1");
}

/**
 * What every page script starts with, inside its function: `data` (the
 * embedded JSON), `colors`, `el(tag, text)` and `fmt(value)`; it fills
 * `#generated` from `data.generated`.
 */
const PRELUDE = `const data = JSON.parse(document.getElementById("mib-data").textContent);
  const colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf"];
  const el = (tag, text) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const fmt = (v) => v === null || v === undefined || !Number.isFinite(v) ? "n/a"
    : Number.isInteger(v) ? String(v) : v.toFixed(2);
  document.getElementById("generated").textContent = "Generated " + data.generated;`;

/** The page's parts: its title, extra CSS, the static body after the title, the data, the script. */
export interface PageParts {
  /** `<title>` and `<h1>`. */
  title: string;
  /** CSS of the page's own elements. */
  style: string;
  /** Static HTML after the `<h1>` and the `#generated` line (no data in it). */
  body: string;
  /** Embedded as JSON, `data` in the script. */
  data: unknown;
  /** The script's body, run after {@linkcode PRELUDE} in a strict function. */
  script: string;
}

/** The whole self-contained page. */
export function selfContainedPage(parts: PageParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${parts.title}</title>
<style>${inlineSafe(uplotCss, "style")}</style>
<style>
html { overflow-y: scroll; }
body { font-family: system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; }
#generated { color: #666; font-size: 12px; margin: 0 0 12px; }
${parts.style}
</style>
</head>
<body>
<script>
window.onerror = (message, source, line, column, error) => {
  document.body.dataset.error = String(error && error.message ? error.message : message);
};
window.addEventListener("unhandledrejection", (event) => {
  document.body.dataset.error = String(event.reason && event.reason.message || event.reason);
});
</script>
<h1>${parts.title}</h1>
<p id="generated"></p>
${parts.body}
<script type="application/json" id="mib-data">${scriptJson(parts.data)}</script>
<script>${inlineSafe(uplotJs, "script")}</script>
<script>"use strict";
(() => {
  ${PRELUDE}
${parts.script}
})();
</script>
</body>
</html>
`;
}
