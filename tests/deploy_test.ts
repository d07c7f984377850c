/**
 * The deploy files of "Running on many machines": the Kubernetes Indexed Job
 * and the Slurm job array shard one plan by their index, from one start.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";

const root = new URL("../deploy/", import.meta.url);

Deno.test("deploy/kubernetes/indexed-job.yaml: an Indexed Job whose pod i runs shard i/N from --start-at", async () => {
  const job = parse(await Deno.readTextFile(new URL("kubernetes/indexed-job.yaml", root)));
  assert.equal(job.kind, "Job");
  assert.equal(job.apiVersion, "batch/v1");
  const { completionMode, completions, parallelism, template } = job.spec;
  assert.equal(completionMode, "Indexed");
  assert.ok(Number.isInteger(completions) && completions > 1);
  assert.equal(parallelism, completions, "every shard runs at once");
  assert.equal(template.spec.restartPolicy, "Never");
  const [container] = template.spec.containers;
  const command = [...container.command, ...container.args].join(" ");
  const shard = /--shard "?\$\(JOB_COMPLETION_INDEX\)\/(\d+)"?/.exec(command);
  assert.ok(shard, `--shard uses the completion index: ${command}`);
  assert.equal(Number(shard[1]), completions, "--shard .../N with N = completions");
  assert.match(command, /--start-at "?\$\(START_AT\)"?/);
  assert.match(command, /--output-file "?\/results\/shard-\$\(JOB_COMPLETION_INDEX\)/);
  const env = new Map(container.env.map((e: { name: string }) => [e.name, e]));
  assert.ok(env.has("START_AT"), "START_AT is set");
  assert.match(
    JSON.stringify(env.get("JOB_COMPLETION_INDEX")),
    /batch\.kubernetes\.io\/job-completion-index/,
  );
  const results = container.volumeMounts.find((m: { mountPath: string }) =>
    m.mountPath === "/results"
  );
  assert.ok(results, "results go to a shared volume");
  assert.ok(
    template.spec.volumes.some((v: { name: string; persistentVolumeClaim?: unknown }) =>
      v.name === results.name && v.persistentVolumeClaim !== undefined
    ),
  );
});

Deno.test("deploy/slurm/array.sbatch: bash -n passes; task i runs shard SLURM_ARRAY_TASK_ID/N from --start-at", async () => {
  const path = new URL("slurm/array.sbatch", root).pathname;
  const check = await new Deno.Command("bash", { args: ["-n", path], stderr: "piped" }).output();
  assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
  const script = await Deno.readTextFile(path);
  assert.match(script, /--shard "\$\{SLURM_ARRAY_TASK_ID\}\/\$\{SHARDS\}"/);
  assert.match(script, /--start-at "\$START_AT"/);
  const array = /#SBATCH --array=0-(\d+)/.exec(script);
  const shards = /^SHARDS=(\d+)$/m.exec(script);
  assert.ok(array && shards);
  assert.equal(Number(array[1]) + 1, Number(shards[1]), "--array=0-(N-1) with SHARDS=N");
});
