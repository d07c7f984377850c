/**
 * Headless Chromium for the tests of the HTML pages: skipped where it is not
 * installed (CI installs it).
 *
 * @module
 */

/** A headless Chromium on PATH, if any. */
export const chromium: string | undefined = ["chromium", "chromium-browser"].find((name) =>
  (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
    try {
      return Deno.statSync(`${dir}/${name}`).isFile;
    } catch {
      return false;
    }
  })
);

/**
 * Loads the page `file` in headless Chromium (profile in `profileDir`, 5 s of
 * virtual time for its scripts) and returns its DOM and its `<body>` tag, whose
 * `data-plots` / `data-error` say how the page's script went.
 */
export async function renderPage(
  file: string,
  profileDir: string,
): Promise<{ dom: string; body: string }> {
  const output = await new Deno.Command(chromium!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      `--user-data-dir=${profileDir}/profile`,
      "--virtual-time-budget=5000",
      "--dump-dom",
      new URL(`file://${file}`).href,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dom = new TextDecoder().decode(output.stdout);
  return { dom, body: dom.match(/<body[^>]*>/)?.[0] ?? "" };
}
