/**
 * The entry of `.device/bundle/sweep.js` (bench/gpu/pack.sh): `deno task sweep` with every experiment file of
 * `experiments/` compiled in, for a GPU machine that cannot fetch the npm packages those files import.
 * @module
 */
import "./bundled_experiments.ts"; // registers the experiment modules before the sweep loads one
import { runMain } from "../../lib/cli/flags.ts";
import { main } from "../../tasks/sweep.ts";

await runMain(main);
