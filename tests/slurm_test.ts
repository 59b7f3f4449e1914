// A real single-node Slurm cluster (munged, slurmctld, slurmd as children of this test, everything under a temp
// folder) runs a 2-task job array of one search sweep with pruning on one shared results folder: each task takes the
// next trial it can lock. Skipped only where the Slurm binaries are absent (.ci/run installs them).
import { assert, assertEquals } from "@std/assert";
import { kept, type RungLine } from "../lib/sweep/asha.ts";
import "../lib/train/builtins.ts";

const BIN = {
  munged: "/usr/sbin/munged",
  slurmctld: "/usr/sbin/slurmctld",
  slurmd: "/usr/sbin/slurmd",
  sbatch: "/usr/bin/sbatch",
  sinfo: "/usr/bin/sinfo",
  squeue: "/usr/bin/squeue",
  scancel: "/usr/bin/scancel",
} as const;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

const absent: string[] = [];
for (const path of Object.values(BIN)) if (!(await exists(path))) absent.push(path);
if (absent.length) {
  console.warn(
    `tests/slurm_test.ts: SKIPPED, the Slurm binaries are absent (${absent.join(", ")}); ` +
      `install them with apt-get install slurm-wlm munge (.ci/run does)`,
  );
}

/** A port nobody listens on now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Run a Slurm client to its end; its stdout, or an error with its stderr. */
async function client(bin: string, args: string[], env: Record<string, string>): Promise<string> {
  const r = await new Deno.Command(bin, { args, env, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  if (!r.success) throw new Error(`${bin} ${args.join(" ")} exited ${r.code}: ${dec.decode(r.stderr)}`);
  return dec.decode(r.stdout);
}

/** Poll `check` every 500 ms until it returns true; fail with `what` after `seconds`. */
async function waitFor(what: string, seconds: number, check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The tail of a log file, for a failure message. */
async function tail(path: string, n = 15): Promise<string> {
  try {
    return `--- ${path}\n${(await Deno.readTextFile(path)).trimEnd().split("\n").slice(-n).join("\n")}`;
  } catch {
    return `--- ${path}: none`;
  }
}

/** Stop a daemon this test started: SIGTERM, then SIGKILL if it is still there after 5 s. */
async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    return; // already ended
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* ended meanwhile */ }
  }, 5000);
  await child.status;
  clearTimeout(timer);
}

function slurmConf(t: string, host: string, ports: [number, number]): string {
  return `ClusterName=harness-test
SlurmctldHost=${host}(127.0.0.1)
SlurmctldPort=${ports[0]}
SlurmdPort=${ports[1]}
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=${t}/munge.socket
CredType=cred/munge
SlurmdParameters=config_overrides
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=${t}/state
SlurmdSpoolDir=${t}/spool
SlurmctldPidFile=${t}/slurmctld.pid
SlurmdPidFile=${t}/slurmd.pid
SlurmctldLogFile=${t}/slurmctld.log
SlurmdLogFile=${t}/slurmd.log
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${navigator.hardwareConcurrency || 1} State=UNKNOWN
PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP
`;
}

/** The sbatch script of the README, with the permissions of the sweep task and the test's results folder. */
function jobScript(t: string, out: string): string {
  return `#!/bin/bash
#SBATCH --array=0-1
# No --shard: each task takes the next trial (or promotion) it can lock, and waits for those another task holds.
"${Deno.execPath()}" run --allow-ffi=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 --allow-read \\
  --allow-write=${out} --allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA --allow-sys=hostname \\
  tasks/sweep.ts tests/fixtures/slurm_sweep.ts --out ${out} --jobs 1
echo $? > ${t}/exit-$SLURM_ARRAY_TASK_ID
`;
}

async function lines(path: string): Promise<Record<string, unknown>[]> {
  return (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/**
 * Replay the rung book in order: each `continue`/`prune` must be the decision its rank among the runs that had
 * reached the rung then gives, each run decided once per rung, and each `promote` must lift a pruned run that the
 * rung keeps by then.
 */
function checkRungBook(book: RungLine[], keep: number): void {
  const entrants = new Map<number, { runId: string; value: number }[]>();
  const latest = new Map<string, RungLine>();
  const rankAt = (rung: number, runId: string) => {
    const order = [...entrants.get(rung)!].map((e, i) => ({ ...e, i }))
      .sort((a, b) => a.value - b.value || a.i - b.i); // fcd: lower is better; ties by arrival
    return order.findIndex((e) => e.runId === runId);
  };
  for (const l of book) {
    const at = entrants.get(l.rung) ?? [];
    entrants.set(l.rung, at);
    if (l.kind === "promote") {
      assertEquals(latest.get(l.runId)?.kind, "prune", `${l.runId}: only a pruned run is promoted`);
      assert(rankAt(l.rung, l.runId) < kept(at.length, keep), `${l.runId}: promoted while the rung keeps it`);
    } else {
      assert(!at.some((e) => e.runId === l.runId), `${l.runId}: decided once at rung ${l.rung}`);
      at.push({ runId: l.runId, value: l.value ?? Infinity });
      const rank = rankAt(l.rung, l.runId);
      assertEquals([l.rank, l.of], [rank, at.length], `${l.runId}: rank at rung ${l.rung}`);
      assertEquals(l.kind, rank < kept(at.length, keep) ? "continue" : "prune", `${l.runId}: decision`);
    }
    latest.set(l.runId, l);
  }
}

Deno.test({
  name:
    "a 2-task Slurm array on one results folder trains every trial of a pruned search exactly once, with consistent rung decisions",
  ignore: absent.length > 0,
  fn: async () => {
    const t = await Deno.makeTempDir({ prefix: "slurm-" });
    const out = `${t}/results`;
    const host = Deno.hostname().split(".")[0]!;
    const env = { SLURM_CONF: `${t}/slurm.conf` };
    await Deno.mkdir(`${t}/state`);
    await Deno.mkdir(`${t}/spool`);
    await Deno.writeFile(`${t}/munge.key`, crypto.getRandomValues(new Uint8Array(1024)), { mode: 0o400 });
    await Deno.writeTextFile(`${t}/slurm.conf`, slurmConf(t, host, [freePort(), freePort()]));
    await Deno.writeTextFile(`${t}/cgroup.conf`, "CgroupPlugin=cgroup/v1\n");
    await Deno.writeTextFile(`${t}/job.sh`, jobScript(t, out));
    const daemons: Deno.ChildProcess[] = [];
    const spawn = (bin: string, args: string[]) => {
      const child = new Deno.Command(bin, { args, env, stdin: "null", stdout: "null", stderr: "null" }).spawn();
      daemons.push(child);
      return child;
    };
    let jobId: string | null = null;
    let finished = false;
    try {
      spawn(BIN.munged, [
        "-F",
        "--force",
        `--key-file=${t}/munge.key`,
        `--socket=${t}/munge.socket`,
        `--pid-file=${t}/munged.pid`,
        `--seed-file=${t}/munge.seed`,
        `--log-file=${t}/munged.log`,
      ]);
      await waitFor("munged's socket", 10, () => exists(`${t}/munge.socket`));
      spawn(BIN.slurmctld, ["-D", "-f", `${t}/slurm.conf`]);
      spawn(BIN.slurmd, ["-D", "-f", `${t}/slurm.conf`]);
      await waitFor(`node ${host} idle in sinfo`, 30, async () => {
        const state = await client(BIN.sinfo, ["-h", "-N", "-o", "%t"], env).catch(() => "");
        return state.trim() === "idle";
      });
      jobId = (await client(BIN.sbatch, [
        "--parsable",
        "--array=0-1",
        `--output=${t}/task-%a.log`,
        `--chdir=${Deno.cwd()}`,
        `${t}/job.sh`,
      ], env)).trim();
      await waitFor(`job array ${jobId} to end`, 150, async () => {
        const left = await client(BIN.squeue, ["-h", "-j", jobId!, "-o", "%T"], env).catch(() => "");
        return left.trim() === "";
      });
      finished = true;

      const logs = `${await tail(`${t}/task-0.log`)}\n${await tail(`${t}/task-1.log`)}`;
      for (const task of [0, 1]) {
        const code = await Deno.readTextFile(`${t}/exit-${task}`).catch(() => "none");
        assertEquals(code.trim(), "0", `array task ${task} exit\n${logs}`);
      }
      const exp = `${out}/slurm`;
      const runs = [];
      for await (const e of Deno.readDir(exp)) if (e.isDirectory && e.name.startsWith("lr-")) runs.push(e.name);
      assertEquals(runs.length, 6, `every trial has its folder\n${logs}`);
      const book = (await lines(`${exp}/rungs.jsonl`)) as unknown as RungLine[];
      checkRungBook(book, 0.5);
      assertEquals(book.filter((l) => l.kind !== "promote").length, 6, "every trial reached the rung once");
      const trainedBy = new Set<string>();
      for (const id of runs) {
        const log = await lines(`${exp}/${id}/metrics.jsonl`);
        const steps = log.filter((l) => l.kind === "step").map((l) => l.step as number);
        assertEquals(new Set(steps).size, steps.length, `${id}: no step trained twice`);
        assertEquals(steps, [...steps].sort((a, b) => a - b), `${id}: steps in order`);
        const promotions = book.filter((l) => l.runId === id && l.kind === "promote").length;
        assertEquals(
          log.filter((l) => l.kind === "start").length,
          1 + promotions,
          `${id}: one start, one per promotion`,
        );
        const status = JSON.parse(await Deno.readTextFile(`${exp}/${id}/status.json`));
        const last = book.filter((l) => l.runId === id).at(-1)!;
        if (status.status === "pruned") {
          assertEquals([last.kind, status.step], ["prune", 10], `${id}: pruned on disk and in the book`);
        } else {
          assertEquals([status.status, status.step], ["completed", 20], id);
          assert(last.kind !== "prune", `${id}: completed, so not left pruned`);
        }
        trainedBy.add(JSON.parse(await Deno.readTextFile(`${exp}/${id}/run.lock`)).pid);
      }
      // Two CPUs let both tasks run at once, and each takes trials (one CPU runs them one after the other).
      if (navigator.hardwareConcurrency >= 2) assertEquals(trainedBy.size, 2, `both tasks trained trials\n${logs}`);
    } finally {
      if (jobId && !finished) {
        // Cancel the array and let its tasks end before their slurmd goes, so no job outlives the test.
        await client(BIN.scancel, [jobId], env).catch(() => {});
        await waitFor(
          "the cancelled tasks to end",
          20,
          async () => (await client(BIN.squeue, ["-h", "-j", jobId!], env).catch(() => "")).trim() === "",
        ).catch(() => {});
      }
      for (const d of daemons.reverse()) await stop(d);
      await Deno.remove(t, { recursive: true });
    }
  },
});
