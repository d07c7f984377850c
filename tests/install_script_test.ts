/**
 * scripts/install.sh under bash and sh: the asset it picks for each
 * `uname -s`/`uname -m`, and its SHA-256 check of a download from a local
 * HTTP server.
 */
import assert from "node:assert/strict";
import { TARGETS } from "../scripts/compile.ts";
import { tempDir } from "./_helpers.ts";

const SCRIPT = new URL("../scripts/install.sh", import.meta.url).pathname;

async function install(
  shell: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(shell, {
    args: [SCRIPT, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("install.sh picks the release asset of uname -s and uname -m", async () => {
  const cases: [string, string, string][] = [
    ["Linux", "x86_64", "mib-x86_64-unknown-linux-gnu"],
    ["Linux", "aarch64", "mib-aarch64-unknown-linux-gnu"],
    ["Linux", "arm64", "mib-aarch64-unknown-linux-gnu"],
    ["Darwin", "x86_64", "mib-x86_64-apple-darwin"],
    ["Darwin", "arm64", "mib-aarch64-apple-darwin"],
    ["MINGW64_NT-10.0-19045", "x86_64", "mib-x86_64-pc-windows-msvc.exe"],
    ["MSYS_NT-10.0", "amd64", "mib-x86_64-pc-windows-msvc.exe"],
  ];
  const assets = TARGETS.map((t) => t.asset);
  for (const shell of ["bash", "sh"]) {
    for (const [s, m, asset] of cases) {
      const run = await install(shell, { MIB_UNAME_S: s, MIB_UNAME_M: m }, ["--print-asset"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), asset, `${shell} ${s} ${m}`);
      assert.ok(assets.includes(asset), `${asset} is a compile target`);
    }
    for (
      const [s, m, why] of [["FreeBSD", "amd64", /system "FreeBSD"/], [
        "Linux",
        "riscv64",
        /machine "riscv64"/,
      ], ["MINGW64_NT", "arm64", /Windows on arm64/]] as const
    ) {
      const run = await install(shell, { MIB_UNAME_S: s, MIB_UNAME_M: m }, ["--print-asset"]);
      assert.equal(run.code, 1, `${shell} ${s} ${m}`);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
      assert.match(run.stderr, why);
    }
  }
});

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("install.sh installs a download whose SHA-256 matches SHA256SUMS, and only then", async () => {
  await using dir = await tempDir();
  const binary = new TextEncoder().encode("#!/bin/sh\necho mib 0.1.0\n");
  const files = new Map<string, Uint8Array<ArrayBuffer>>([[
    "mib-x86_64-unknown-linux-gnu",
    binary,
  ]]);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const body = files.get(new URL(req.url).pathname.slice("/v9/".length));
    return body === undefined ? new Response("no", { status: 404 }) : new Response(body);
  });
  const base = `http://127.0.0.1:${server.addr.port}/v9`;
  const env = (installDir: string) => ({
    MIB_UNAME_S: "Linux",
    MIB_UNAME_M: "x86_64",
    MIB_BASE_URL: base,
    MIB_INSTALL_DIR: installDir,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  });
  try {
    const sum = await sha256(binary);
    files.set(
      "SHA256SUMS",
      new TextEncoder().encode(
        `${"0".repeat(64)}  mib-aarch64-apple-darwin\n${sum}  mib-x86_64-unknown-linux-gnu\n`,
      ),
    );
    const ok = await install("sh", env(`${dir.path}/bin`));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      new RegExp(`mib install: .*/bin/mib \\(mib-x86_64-unknown-linux-gnu, sha256 ${sum}\\)`),
    );
    assert.deepEqual(await Deno.readFile(`${dir.path}/bin/mib`), binary);
    assert.ok(((await Deno.stat(`${dir.path}/bin/mib`)).mode! & 0o111) !== 0, "executable");

    files.set(
      "SHA256SUMS",
      new TextEncoder().encode(`${"f".repeat(64)}  mib-x86_64-unknown-linux-gnu\n`),
    );
    const bad = await install("bash", env(`${dir.path}/bad`));
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
    assert.match(
      bad.stderr,
      /^mib install: checksum mismatch for mib-x86_64-unknown-linux-gnu: expected f+, got [0-9a-f]{64}$/m,
    );
    await assert.rejects(Deno.stat(`${dir.path}/bad/mib`), Deno.errors.NotFound);

    files.set("SHA256SUMS", new TextEncoder().encode(`${sum}  mib-aarch64-apple-darwin\n`));
    const unlisted = await install("bash", env(`${dir.path}/unlisted`));
    assert.equal(unlisted.code, 1);
    assert.match(unlisted.stderr, /lists no mib-x86_64-unknown-linux-gnu/);

    files.delete("mib-x86_64-unknown-linux-gnu");
    const missing = await install("bash", env(`${dir.path}/missing`));
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /^mib install: cannot download http:\/\/127\.0\.0\.1:\d+\/v9\/mib-x86_64/m,
    );
  } finally {
    await server.shutdown();
  }
});
