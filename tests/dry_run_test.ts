import { assertEquals } from "@std/assert";
import "../lib/train/builtins.ts";
import { archNames, getArch } from "../lib/archs/registry.ts";
import { ARCH_BUILDS, type BuiltinArch } from "../lib/archs/builtin.ts";
import { getLoss, lossNames } from "../lib/plugins/losses.ts";
import { LOSS_TERMS } from "../lib/train/builtin_losses.ts";

/** `tasks/sweep.ts`'s main run in a fresh process with `args`, and whether TensorFlow.js had loaded when it ended. */
async function probe(args: string[]): Promise<{ code: number; tfjsLoaded: boolean }> {
  const out = await new Deno.Command("deno", {
    args: ["run", "--allow-read", "--allow-env", "--allow-sys=hostname", "tests/fixtures/dry_run_probe.ts", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(lines.at(-1)!);
}

Deno.test("sweep --dry-run plans the Lucic study and a blog reproduction without loading TensorFlow.js", async () => {
  for (const file of ["experiments/lucic-2018.ts", "experiments/blog-000-tf-dcgan.ts"]) {
    assertEquals(await probe([file, "--dry-run", "--out", "/tmp/dry-run-test"]), { code: 0, tfjsLoaded: false }, file);
  }
});

Deno.test("each built-in loss declares the penalty, after-update step and logged numbers its terms bring", () => {
  const terms = LOSS_TERMS.get();
  for (const name of lossNames().filter((n) => n in terms)) {
    const declared = getLoss(name)!;
    const bound = terms[name as keyof typeof terms];
    assertEquals(declared.penalty !== undefined, bound.penalty !== undefined, `${name}: penalty`);
    assertEquals(
      declared.afterDiscriminatorUpdate !== undefined,
      bound.afterDiscriminatorUpdate !== undefined,
      `${name}: afterDiscriminatorUpdate`,
    );
    assertEquals(declared.state?.logged?.names, bound.state?.logged?.names, `${name}: logged numbers`);
  }
});

Deno.test("each built-in architecture declares an energy D exactly when its builders have one", () => {
  const builds = ARCH_BUILDS.get();
  for (const name of archNames().filter((n) => n in builds)) {
    const bound = builds[name as BuiltinArch];
    assertEquals(getArch(name)!.hasEnergyDiscriminator, bound.energyDiscriminator !== undefined, name);
  }
});
