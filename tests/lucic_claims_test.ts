/** The Lucic et al. study's claims, decided on restarts whose FCDs are made up to land on each side. */
import { assertEquals, assertMatch } from "@std/assert";
import { Runs } from "../lib/claims/run_query.ts";
import type { RunData } from "../lib/results/read_results.ts";

const { default: lucic } = await import("../experiments/lucic-2018.ts");
const LOSSES = ["minimax", "bce", "lsgan", "wgan", "wgan-gp", "dragan", "began"];
const claim = (id: string) => lucic.claims!.find((c) => c.id === id)!;

/** A finished restart of a loss's best setting (a seeds-phase run: `seed` among its grid values). */
function restart(dataset: string, loss: string, seed: number, fcd: number): RunData {
  return {
    id: `${dataset}-${loss}-${seed}`,
    dir: "",
    gridValues: { dataset, loss, lr: 1e-4, seed },
    config: { config: { dataset, loss, lr: 1e-4, seed } } as unknown as RunData["config"],
    status: null,
    state: "completed",
    steps: [],
    epochs: [],
    evals: [{ step: 1562, epoch: 2, values: { fcd } }],
    samples: [],
    gif: null,
  };
}

/** Two restarts of every loss on both datasets, at the FCDs given (± 0.5). */
function study(fcd: (dataset: string, loss: string) => number): Runs {
  return new Runs(
    ["mnist", "fashion-mnist"].flatMap((d) =>
      LOSSES.flatMap((l) => [restart(d, l, 1, fcd(d, l) - 0.5), restart(d, l, 2, fcd(d, l) + 0.5)])
    ),
  );
}

const paper: Record<string, Record<string, number>> = {
  mnist: { minimax: 9.8, bce: 6.8, lsgan: 7.8, wgan: 6.7, "wgan-gp": 20.3, dragan: 7.6, began: 13.1 },
  "fashion-mnist": { minimax: 29.6, bce: 26.5, lsgan: 30.7, wgan: 21.5, "wgan-gp": 24.5, dragan: 27.7, began: 22.9 },
};

Deno.test("the ranking claim reproduces on the paper's own numbers and not on their reverse", () => {
  const same = claim("ranking-agrees").check(study((d, l) => 10 * paper[d]![l]!));
  assertEquals(same.verdict, "reproduced");
  assertMatch(same.measured, /mnist: ρ = 1\.00 \(here, best first: wgan < bce < dragan/);
  const reversed = claim("ranking-agrees").check(study((d, l) => 100 - paper[d]![l]!));
  assertEquals(reversed.verdict, "not reproduced");
  assertMatch(reversed.measured, /ρ = -1\.00/);
  const missing = study((d, l) => paper[d]![l]!).list.filter((r) =>
    !(r.gridValues.loss === "began" && r.gridValues.seed === 2)
  );
  assertEquals(claim("ranking-agrees").check(new Runs(missing)).verdict, "inconclusive");
});

Deno.test("the headline holds unless one loss beats NS beyond the spreads on both datasets", () => {
  const even = claim("ns-not-beaten").check(study(() => 20));
  assertEquals(even.verdict, "reproduced");
  const wganWins = claim("ns-not-beaten").check(study((_, l) => l === "wgan" ? 10 : 20));
  assertEquals(wganWins.verdict, "not reproduced");
  assertMatch(wganWins.measured, /mnist: wgan .* beats bce/);
  const onOne = claim("ns-not-beaten").check(study((d, l) => l === "wgan" && d === "mnist" ? 10 : 20));
  assertEquals(onOne.verdict, "reproduced", "beating NS on one dataset only is not consistently");
});
