// The experiment files compiled into the GPU bundle (bench/gpu/sweep_entry.ts); bench/gpu/pack.sh regenerates this list.
import { provideExperiments } from "../../lib/experiment/load.ts";
import * as e0 from "../../experiments/blog-000-tf-dcgan.ts";
import * as e1 from "../../experiments/blog-001-pytorch-fashion.ts";
import * as e2 from "../../experiments/blog-002-keras-mlp.ts";
import * as e3 from "../../experiments/blog-003-tf1-vanilla.ts";
import * as e4 from "../../experiments/blog-004-gia-dcgan.ts";
import * as e5 from "../../experiments/cyclegan-mnist-fashion.ts";
import * as e6 from "../../experiments/lucic-2018.ts";
import * as e7 from "../../experiments/quickstart.ts";
import * as e8 from "../../experiments/search-learning-rate.ts";
import * as e9 from "../../experiments/srgan-mnist.ts";
import * as e10 from "../../experiments/study-colour-dcgan.ts";
import * as e11 from "../../experiments/study-conditional.ts";
import * as e12 from "../../experiments/study-label-smoothing.ts";
import * as e13 from "../../experiments/study-learning-rate.ts";
import * as e14 from "../../experiments/study-losses.ts";
import * as e15 from "../../experiments/study-noise-dim.ts";

provideExperiments({
  "experiments/blog-000-tf-dcgan.ts": e0,
  "experiments/blog-001-pytorch-fashion.ts": e1,
  "experiments/blog-002-keras-mlp.ts": e2,
  "experiments/blog-003-tf1-vanilla.ts": e3,
  "experiments/blog-004-gia-dcgan.ts": e4,
  "experiments/cyclegan-mnist-fashion.ts": e5,
  "experiments/lucic-2018.ts": e6,
  "experiments/quickstart.ts": e7,
  "experiments/search-learning-rate.ts": e8,
  "experiments/srgan-mnist.ts": e9,
  "experiments/study-colour-dcgan.ts": e10,
  "experiments/study-conditional.ts": e11,
  "experiments/study-label-smoothing.ts": e12,
  "experiments/study-learning-rate.ts": e13,
  "experiments/study-losses.ts": e14,
  "experiments/study-noise-dim.ts": e15,
});
