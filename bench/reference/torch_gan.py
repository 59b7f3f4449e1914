"""Reference timing: one GAN training iteration of each harness architecture in PyTorch.

Measures what `deno task bench` measures (lib/bench/iteration.ts, lib/train/steps.ts), for the architectures of
lib/archs/ at each post's batch size and image shape (28x28x1; the colour study's dcgan at 32x32x3 and 64x64x3):
one D step then one G step, each network with its own Adam, and a readback of the iteration's numbers. Each timed
iteration:
  - a real batch gathered from a pool of random images of the case's shape, 60,000 of MNIST's (its training set)
    or 4,096 of the colour shapes (about the emoji set's 3,781; lib/bench/images.ts), in shuffled epochs, or random
    batches with replacement for dcgan-gia, as lib/data/batches.ts; and fresh noise for D (normal, or uniform
    on [-1, 1] for mlp-keras);
  - D step: G forward (training mode) on B noise; D forward and backward on the real and fake batches
    concatenated (2B rows, one pass, as the harness), or, when D has BatchNorm (dcgan), in two passes of B,
    real then fake, as the harness and PyTorch's examples/dcgan do; BCE on logits, real target 1 (0.9 for mlp-keras),
    fake 0, the two batch means summed or averaged per the post; Adam on D; D's statistics (mean
    sigmoid on real and fake, accuracy) as the harness computes them;
  - G step: fresh noise; G forward, D forward (training mode: dropout on), backward through D for the
    input gradient only (D's weights are frozen for the step, as the harness differentiates G's
    variables only) and through G; non-saturating BCE (minimax for mlp-tf1: -BCE(x, 0)); Adam on G;
  - one readback of [dLoss, dReal, dFake, dAcc, gLoss], checked finite.
The reference keeps the data on the device: the harness gathers each batch on the host and uploads it
with the noise, so these times are an upper bound on the speed the harness could reach.

Mirroring lib/archs/: same layers, widths, kernels, strides, biases on/off, LeakyReLU slopes, dropout
0.3, BatchNorm (Keras momentum 0.99 = torch momentum 0.01, epsilon 1e-3; dcgan's PyTorch defaults, momentum 0.1,
epsilon 1e-5) and output activations (tanh for [-1,1] pixels, sigmoid for mlp-tf1's [0,1]); D outputs logits.
Images are NCHW here (NHWC in the harness); 'same' convolutions use paddings that give the harness's sizes (28-14-7
and, for dcgan-gia's third conv, 7-4). dcgan is PyTorch's examples/dcgan itself: G's first layer a 4x4 transposed
convolution of the 1x1 noise (the harness writes it as the dense layer it equals: the same FLOPs and weights).
Initialisers are PyTorch's (they do not change the time). FLOPs follow
lib/bench/flops.ts and are checked, when the script starts, against the harness's counts (copied below from a
results/bench.json); a mismatch prints a WARNING and sets matchesHarness false in the JSON.

Written to be run on the GPU machine via bench/gpu/run.sh (fp32, TF32 off, so it compares with WebGPU
fp32); torch and the standard library only:
    python3 bench/reference/torch_gan.py [--device cuda|cpu] [--arch LIST] [--batch N] [--image HxWxC]
        [--warmup N] [--repeats N] [--json FILE] [--amp none|bf16] [--tf32] [--compile] [--serve]
Prints a Markdown table like `deno task bench` and writes the results as JSON; with --serve it answers timing requests
on stdin instead (`deno task bench --reference torch --pairs N` alternates its blocks with the harness's).
"""
import argparse
import contextlib
import json
import math
import os
import platform
import statistics
import sys
import time
import warnings
from datetime import datetime, timezone

import torch
import torch.nn as nn
import torch.nn.functional as F

MNIST = (28, 28, 1)  # HWC, as the harness writes shapes
# The posts' settings (lib/bench/iteration.ts, POSTS), in bench order; `images` (HWC) MNIST's unless given.
POSTS = {
    "mlp-keras": dict(post="002", batches=[128], noise_dim=10, noise="uniform", pixels="[-1,1]", lr=2e-4,
                      beta1=0.5, eps=1e-7, loss="bce", real_target=0.9, reduce="mean", batching="shuffle"),
    "mlp-pytorch": dict(post="001", batches=[100], noise_dim=64, noise="normal", pixels="[-1,1]", lr=1e-4,
                        beta1=0.9, eps=1e-8, loss="bce", real_target=1.0, reduce="sum", batching="shuffle"),
    "mlp-tf1": dict(post="003", batches=[100], noise_dim=128, noise="normal", pixels="[0,1]", lr=2e-4,
                    beta1=0.9, eps=1e-8, loss="minimax", real_target=1.0, reduce="sum", batching="shuffle"),
    "dcgan-tf": dict(post="000", batches=[256, 64], noise_dim=100, noise="normal", pixels="[-1,1]", lr=1e-4,
                     beta1=0.9, eps=1e-7, loss="bce", real_target=1.0, reduce="sum", batching="shuffle"),
    "dcgan-gia": dict(post="004", batches=[128], noise_dim=100, noise="normal", pixels="[-1,1]", lr=1e-3,
                      beta1=0.9, eps=1e-7, loss="bce", real_target=1.0, reduce="mean", batching="random"),
    # experiments/study-colour-dcgan.ts at lr 2e-4 and noiseDim 100
    "dcgan": dict(post="colour", batches=[64], images=[(32, 32, 3), (64, 64, 3)], noise_dim=100, noise="normal",
                  pixels="[-1,1]", lr=2e-4, beta1=0.5, eps=1e-7, loss="bce", real_target=1.0, reduce="sum",
                  batching="shuffle"),
}
# The harness's numbers (lib/bench/flops.ts, countParams; results/bench.json): forward FLOPs per sample of G and
# D, and parameter counts with BatchNorm's moving statistics (Keras counts them), per architecture and image shape.
HARNESS = {
    ("mlp-keras", MNIST): (2_921_472, 2_916_864, 1_463_312, 1_460_225),
    ("mlp-pytorch", MNIST): (565_248, 532_992, 283_920, 267_009),
    ("mlp-tf1", MNIST): (466_944, 401_920, 234_512, 201_217),
    ("dcgan-tf", MNIST): (103_488_000, 20_710_144, 2_330_944, 212_865),
    ("dcgan-gia", MNIST): (60_537_344, 4_282_624, 1_637_121, 94_721),
    ("dcgan", (32, 32, 3)): (35_946_496, 35_135_488, 1_069_824, 664_064),
    ("dcgan", (64, 64, 3)): (209_256_448, 207_634_432, 3_578_624, 2_767_360),
}


def pool_size(image):
    """Images in the on-device pool: MNIST's training set, or lib/bench/images.ts's RANDOM_POOL for other shapes."""
    return 60_000 if tuple(image) == MNIST else 4096


def parse_image(text):
    """'32x32x3' -> (32, 32, 3), HWC."""
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f"image shape '{text}': expected HxWxC, e.g. 32x32x3")
    return tuple(int(p) for p in parts)


def shape_name(image):
    return "x".join(str(s) for s in image)
FLOP_CONVENTION = ("lib/bench/flops.ts: 2 per multiply-add over Dense/Conv2D/Conv2DTranspose; "
                   "backward = 2x forward; iteration = 4*G*B + 8*D*B")


def bn1d(n):
    return nn.BatchNorm1d(n, eps=1e-3, momentum=0.01)


def bn2d(n):
    return nn.BatchNorm2d(n, eps=1e-3, momentum=0.01)


def dcgan_levels(image):
    """lib/archs/dcgan.ts's dcganLevels: the first map's side (4 or 7) and the stride-2 steps to the image's side."""
    h, w, _ = image
    side, steps = h, 0
    while side > 7 and side % 2 == 0:
        side, steps = side // 2, steps + 1
    if h != w or steps == 0 or side not in (4, 7):
        raise ValueError(f"dcgan: images of {h}x{w}: expected a square side of 4 or 7 times a power of two")
    return side, steps


def build_dcgan(z, image, out, width=64):
    """PyTorch's examples/dcgan (lib/archs/dcgan.ts) for HWC `image`: 4x4 stride-2 (de)convolutions without bias,
    BatchNorm with PyTorch's defaults (momentum 0.1, eps 1e-5), ngf = ndf = `width`; D ends in a conv to one logit."""
    side, steps = dcgan_levels(image)
    channels = image[2]
    first = width * 2 ** (steps - 1)
    g = [nn.Unflatten(1, (z, 1, 1)), nn.ConvTranspose2d(z, first, side, 1, 0, bias=False), nn.BatchNorm2d(first),
         nn.ReLU(True)]
    for i in range(steps - 2, -1, -1):
        g += [nn.ConvTranspose2d(width * 2 ** (i + 1), width * 2 ** i, 4, 2, 1, bias=False),
              nn.BatchNorm2d(width * 2 ** i), nn.ReLU(True)]
    g += [nn.ConvTranspose2d(width, channels, 4, 2, 1, bias=False), out]
    d = []
    for i in range(steps):
        d.append(nn.Conv2d(channels if i == 0 else width * 2 ** (i - 1), width * 2 ** i, 4, 2, 1, bias=False))
        if i > 0:
            d.append(nn.BatchNorm2d(width * 2 ** i))
        d.append(nn.LeakyReLU(0.2, inplace=True))
    d += [nn.Conv2d(width * 2 ** (steps - 1), 1, side, 1, 0, bias=False), nn.Flatten()]
    return nn.Sequential(*g), nn.Sequential(*d)


def build(arch, z, pixels, image=MNIST):
    """G and D of lib/archs/<arch>.ts for HWC `image`s (28x28x1 but for dcgan) and z-dimensional noise."""
    out = nn.Tanh() if pixels == "[-1,1]" else nn.Sigmoid()
    if arch == "dcgan":
        return build_dcgan(z, image, out)
    if tuple(image) != MNIST:
        raise ValueError(f"{arch}: built for 28x28x1 images only (got {shape_name(image)})")
    IMAGE, PIXELS = (1, 28, 28), 28 * 28  # NCHW
    if arch == "mlp-keras":
        a = lambda: nn.LeakyReLU(0.2)  # noqa: E731
        g = nn.Sequential(nn.Linear(z, 256), a(), nn.Linear(256, 512), a(), nn.Linear(512, 1024), a(),
                          nn.Linear(1024, PIXELS), out, nn.Unflatten(1, IMAGE))
        d = nn.Sequential(nn.Flatten(), nn.Linear(PIXELS, 1024), a(), nn.Dropout(0.3), nn.Linear(1024, 512), a(),
                          nn.Dropout(0.3), nn.Linear(512, 256), a(), nn.Dropout(0.3), nn.Linear(256, 1))
    elif arch == "mlp-pytorch":
        a = lambda: nn.LeakyReLU(0.2)  # noqa: E731
        g = nn.Sequential(nn.Linear(z, 256), a(), nn.Linear(256, 256), a(), nn.Linear(256, PIXELS), out,
                          nn.Unflatten(1, IMAGE))
        d = nn.Sequential(nn.Flatten(), nn.Linear(PIXELS, 256), a(), nn.Linear(256, 256), a(), nn.Linear(256, 1))
    elif arch == "mlp-tf1":
        g = nn.Sequential(nn.Linear(z, 256), nn.ReLU(), nn.Linear(256, PIXELS), out, nn.Unflatten(1, IMAGE))
        d = nn.Sequential(nn.Flatten(), nn.Linear(PIXELS, 256), nn.ReLU(), nn.Linear(256, 1))
    elif arch == "dcgan-tf":
        a = lambda: nn.LeakyReLU(0.3)  # Keras LeakyReLU() default  # noqa: E731
        g = nn.Sequential(
            nn.Linear(z, 7 * 7 * 256, bias=False), bn1d(7 * 7 * 256), a(), nn.Unflatten(1, (256, 7, 7)),
            nn.ConvTranspose2d(256, 128, 5, stride=1, padding=2, bias=False), bn2d(128), a(),  # 7 -> 7
            nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1, bias=False), bn2d(64), a(),  # 14
            nn.ConvTranspose2d(64, 1, 5, stride=2, padding=2, output_padding=1, bias=False), out)  # 28
        d = nn.Sequential(
            nn.Conv2d(1, 64, 5, stride=2, padding=2), a(), nn.Dropout(0.3),  # 28 -> 14
            nn.Conv2d(64, 128, 5, stride=2, padding=2), a(), nn.Dropout(0.3),  # 14 -> 7
            nn.Flatten(), nn.Linear(7 * 7 * 128, 1))
    elif arch == "dcgan-gia":
        a = lambda: nn.LeakyReLU(0.01)  # noqa: E731
        g = nn.Sequential(
            nn.Linear(z, 256 * 7 * 7), nn.Unflatten(1, (256, 7, 7)),
            nn.ConvTranspose2d(256, 128, 3, stride=2, padding=1, output_padding=1), bn2d(128), a(),  # 7 -> 14
            nn.ConvTranspose2d(128, 64, 3, stride=1, padding=1), bn2d(64), a(),  # 14 -> 14
            nn.ConvTranspose2d(64, 1, 3, stride=2, padding=1, output_padding=1), out)  # 14 -> 28
        d = nn.Sequential(
            nn.Conv2d(1, 32, 3, stride=2, padding=1), a(),  # 28 -> 14
            nn.Conv2d(32, 64, 3, stride=2, padding=1), a(),  # 14 -> 7
            nn.Conv2d(64, 128, 3, stride=2, padding=1), a(),  # 7 -> 4, as Keras 'same' (ceil(7/2))
            nn.Flatten(), nn.Linear(4 * 4 * 128, 1))
    else:
        raise ValueError(f"unknown architecture '{arch}'")
    return g, d


def forward_flops(model, in_shape, device):
    """Forward FLOPs per sample by lib/bench/flops.ts: Dense 2*in*out, Conv2D 2*kh*kw*cin*cout*OH*OW,
    Conv2DTranspose 2*kh*kw*cin*cout*IH*IW; everything else 0."""
    total = [0]

    def hook(m, inputs, output):
        x = inputs[0]
        if isinstance(m, nn.Linear):
            total[0] += 2 * m.in_features * m.out_features * (x[0].numel() // m.in_features)
        elif isinstance(m, nn.Conv2d):
            kh, kw = m.kernel_size
            total[0] += 2 * kh * kw * (m.in_channels // m.groups) * m.out_channels * output.shape[2] * output.shape[3]
        elif isinstance(m, nn.ConvTranspose2d):
            kh, kw = m.kernel_size
            total[0] += 2 * kh * kw * m.in_channels * (m.out_channels // m.groups) * x.shape[2] * x.shape[3]

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros((2,) + tuple(in_shape), device=device))  # hooks count per sample
    model.train()
    for h in handles:
        h.remove()
    return total[0]


def count_params(model):
    """Parameters plus BatchNorm moving mean and variance, as Keras's countParams."""
    stats = sum(b.numel() for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var")))
    return sum(p.numel() for p in model.parameters()) + stats


def nchw(image):
    h, w, c = image
    return (c, h, w)


class Batches:
    """Real batches from an on-device pool of random images in the post's pixel range (lib/data/batches.ts order)."""

    def __init__(self, batch, mode, pixels, device, image=MNIST):
        lo = -1.0 if pixels == "[-1,1]" else 0.0
        self.pool = pool_size(image)
        self.images = torch.empty((self.pool,) + nchw(image), device=device).uniform_(lo, 1.0)
        self.batch, self.mode, self.device = batch, mode, device
        self.steps, self.pos, self.order = self.pool // batch, self.pool // batch, None

    def next(self):
        if self.mode == "random":  # with replacement (seed 004)
            idx = torch.randint(0, self.pool, (self.batch,), device=self.device)
        else:  # shuffled epochs, last partial batch dropped
            if self.pos >= self.steps:
                self.order, self.pos = torch.randperm(self.pool, device=self.device), 0
            idx = self.order[self.pos * self.batch:(self.pos + 1) * self.batch]
            self.pos += 1
        return self.images.index_select(0, idx)


def make_iteration(arch, c, batch, device, args, image=MNIST):
    """Models, optimisers and a function running one timed iteration on HWC `image`s; plus FLOPs, params and the
    D step's passes through D (1: real and fake together; 2: apart)."""
    g, d = build(arch, c["noise_dim"], c["pixels"], image)
    g, d = g.to(device).train(), d.to(device).train()
    g_fwd, d_fwd = forward_flops(g, (c["noise_dim"],), device), forward_flops(d, nchw(image), device)
    # A D with BatchNorm sees real and fake in separate passes (lib/train/steps.ts, hasBatchNorm; examples/dcgan).
    separate = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in d.modules())
    params = {"generator": count_params(g), "discriminator": count_params(d)}
    adam = {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}, "for-loop": {"foreach": False}}
    opt_kw = dict(lr=c["lr"], betas=(c["beta1"], 0.999), eps=c["eps"], **adam[args.adam])
    opt_d, opt_g = torch.optim.Adam(d.parameters(), **opt_kw), torch.optim.Adam(g.parameters(), **opt_kw)
    d_params = list(d.parameters())
    g_run, d_run = g, d
    if args.compile:
        # dynamic=False: one graph per shape (D sees 2B rows in the D step, B in the G step).
        g_run, d_run = torch.compile(g, dynamic=False), torch.compile(d, dynamic=False)
    data = Batches(batch, c["batching"], c["pixels"], device, image)
    real_t = torch.full((batch, 1), c["real_target"], device=device)
    zeros, ones = torch.zeros((batch, 1), device=device), torch.ones((batch, 1), device=device)
    autocast = (lambda: torch.autocast(device.type, dtype=torch.bfloat16)) if args.amp == "bf16" \
        else contextlib.nullcontext

    def noise():
        z = torch.empty((batch, c["noise_dim"]), device=device)
        return z.uniform_(-1.0, 1.0) if c["noise"] == "uniform" else z.normal_()

    def iteration():
        real = data.next()
        # D step (lib/train/steps.ts discriminatorStep). The harness runs this G forward outside its gradient
        # tape; torch's usual idiom, detach(), records a graph that is never used (a small cost).
        z = noise()
        with autocast():
            fake = g_run(z)
            if separate:
                r, f = d_run(real).float(), d_run(fake.detach()).float()
            else:
                r, f = d_run(torch.cat([real, fake.detach()])).float().split(batch)
            d_loss = F.binary_cross_entropy_with_logits(r, real_t) + F.binary_cross_entropy_with_logits(f, zeros)
            if c["reduce"] == "mean":
                d_loss = d_loss / 2
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        with torch.no_grad():  # D's statistics, outside the tape as in the harness
            p_real, p_fake = torch.sigmoid(r), torch.sigmoid(f)
            acc = ((p_real > 0.5).sum() + (p_fake <= 0.5).sum()) / (2 * batch)
            stats = torch.stack([d_loss.detach(), p_real.mean(), p_fake.mean(), acc.float()])
        # G step (generatorStep): gradients for G's variables only, so D's weight gradients are not computed.
        z = noise()
        for p in d_params:
            p.requires_grad_(False)
        with autocast():
            scores = d_run(g_run(z)).float()
            if c["loss"] == "minimax":
                g_loss = -F.binary_cross_entropy_with_logits(scores, zeros)
            else:
                g_loss = F.binary_cross_entropy_with_logits(scores, ones)
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        for p in d_params:
            p.requires_grad_(True)
        return torch.cat([stats, g_loss.detach().reshape(1)]).cpu()  # one readback, as the harness

    return iteration, g_fwd, d_fwd, params, 2 if separate else 1


def set_tf32(enabled):
    """TF32 for matmuls and cuDNN convolutions. Only the legacy switches are used: torch >= 2.9 warns they
    are deprecated, but mixing them with the new fp32_precision API makes torch (and Inductor) raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.backends.cuda.matmul.allow_tf32 = enabled
            torch.backends.cudnn.allow_tf32 = enabled
        except (AttributeError, RuntimeError):  # legacy switches gone: the new API alone
            torch.backends.cuda.matmul.fp32_precision = "tf32" if enabled else "ieee"
            torch.backends.cudnn.conv.fp32_precision = "tf32" if enabled else "ieee"


def table(results):
    head = ["arch", "post", "image", "batch", "device", "ms/iter", "min", "max", "GFLOP/iter", "GFLOP/s"]
    rows = [[r["arch"], r["post"], shape_name(r["image"]), str(r["batchSize"]), r["device"],
             f"{r['msPerIteration']:.2f}",
             f"{r['minMs']:.2f}", f"{r['maxMs']:.2f}", f"{r['flops']['total'] / 1e9:.3f}",
             f"{r['gflopsPerSecond']:.1f}"] for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    line = lambda cells: "| " + " | ".join(x.ljust(w) for x, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows])


def blas_in_use(threads=None):
    """Which BLAS torch's matmuls call on the CPU: the shared libraries mapped after one product, and, for
    OpenBLAS, its config and threads (Debian's torch links libblas.so.3, which the alternatives system
    points at the reference BLAS or at OpenBLAS). With `threads`, OpenBLAS is set to that many threads first:
    torch.set_num_threads does not reach OpenBLAS's own thread pool, which otherwise takes every core."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    libs = []
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if ("blas" in name or "mkl" in name or "dnnl" in name) and path not in libs:
                    libs.append(path)
    except OSError:
        pass
    info = {"libraries": [os.path.realpath(p) for p in libs]}
    for path in info["libraries"]:
        if "openblas" in path:
            try:
                import ctypes
                lib = ctypes.CDLL(path)
                lib.openblas_get_config.restype = ctypes.c_char_p
                if threads:
                    lib.openblas_set_num_threads(ctypes.c_int(threads))
                info["openblas"] = lib.openblas_get_config().decode()
                info["openblasThreads"] = lib.openblas_get_num_threads()
            except (OSError, AttributeError):
                pass
            break
    info["mkldnn"] = bool(torch.backends.mkldnn.is_available())
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--arch", default=",".join(POSTS), help=f"comma-separated (default: {','.join(POSTS)})")
    ap.add_argument("--batch", type=int, help="one batch size for every architecture (default: each post's)")
    ap.add_argument("--image", type=parse_image,
                    help="one image shape HxWxC for every architecture, e.g. 64x64x3 (default: each post's; only "
                         "dcgan builds for shapes other than 28x28x1)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--json", default="results/bench-torch.json")
    ap.add_argument("--amp", choices=["none", "bf16"], default="none")
    ap.add_argument("--tf32", action="store_true", help="allow TF32 in matmuls and convolutions (default: off)")
    ap.add_argument("--compile", action="store_true", help="torch.compile G and D")
    ap.add_argument("--adam", choices=["default", "foreach", "fused", "for-loop"], default="default",
                    help="torch.optim.Adam implementation (default: torch's own choice)")
    ap.add_argument("--no-cudnn-benchmark", action="store_true", help="do not let cuDNN autotune convolutions")
    ap.add_argument("--threads", type=int,
                    help="CPU threads: torch.set_num_threads and, on the CPU, OpenBLAS's own threads")
    ap.add_argument("--blas-threads", type=int,
                    help="OpenBLAS's own threads on the CPU, apart from torch's (default: --threads); torch's "
                         "convolutions run on its own threads, its matrix products on OpenBLAS's")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--serve", action="store_true",
                    help="answer timing requests on stdin ('ARCH BATCH N [HxWxC]' per line: one JSON line of N "
                         "iteration times each), each case built and warmed once: what `deno task bench --pairs` "
                         "drives")
    args = ap.parse_args()
    archs = [a.strip() for a in args.arch.split(",") if a.strip()]
    for a in archs:
        if a not in POSTS:
            ap.error(f"--arch: unknown value '{a}' (expected: {', '.join(POSTS)})")
    if args.image and args.image != MNIST and any(a != "dcgan" for a in archs):
        ap.error(f"--image {shape_name(args.image)}: only dcgan builds for images other than 28x28x1")
    if args.batch is not None and args.batch < 1 or args.warmup < 0 or args.repeats < 1:
        ap.error("--batch and --repeats must be >= 1, --warmup >= 0")
    if args.device == "cuda" and not torch.cuda.is_available():
        ap.error("--device cuda: torch sees no CUDA device")
    if args.compile and not hasattr(torch, "compile"):
        ap.error("--compile needs torch >= 2.0")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(args.seed)
    cudnn_benchmark = False
    if device.type == "cuda":
        set_tf32(args.tf32)
        cudnn_benchmark = not args.no_cudnn_benchmark
        torch.backends.cudnn.benchmark = cudnn_benchmark
        name = torch.cuda.get_device_name(device)
    else:
        name = f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"
    flags = {"amp": args.amp, "tf32": args.tf32 and device.type == "cuda", "compile": args.compile,
             "adam": args.adam, "cudnnBenchmark": cudnn_benchmark}
    tags = [t for t, on in (("bf16", args.amp == "bf16"), ("tf32", flags["tf32"]), ("compile", args.compile)) if on]
    dev_label = device.type + (f" ({', '.join(tags)})" if tags else "")
    blas = blas_in_use(args.blas_threads or args.threads) if device.type == "cpu" else None
    print(f"torch {torch.__version__} on {device.type}: {name}")
    if blas:
        print(f"BLAS: {blas.get('openblas') or ', '.join(blas['libraries']) or 'unknown'}"
              + (f", {blas['openblasThreads']} OpenBLAS threads" if "openblasThreads" in blas else ""))
    print(f"flags: {json.dumps(flags)}; data kept on the device (an upper bound on the harness's speed)")
    if args.compile and args.warmup < 2:
        print("note: with --compile the first iterations compile; use --warmup >= 2")
    if args.serve:
        serve(device, args)
        return

    cases = [(arch, image, batch) for arch in archs
             for image in ([args.image] if args.image else POSTS[arch].get("images", [MNIST]))
             for batch in ([args.batch] if args.batch else POSTS[arch]["batches"])]
    results = []
    for arch, image, batch in cases:
        c = POSTS[arch]
        iteration, g_fwd, d_fwd, params, d_passes = make_iteration(arch, c, batch, device, args, image)
        want = HARNESS.get((arch, image))
        label = arch if image == MNIST else f"{arch} {shape_name(image)}"
        if (g_fwd, d_fwd, params["generator"], params["discriminator"]) != want:
            known = f"G {want[0]} D {want[1]}, params {want[2]}, {want[3]}" if want else "not known here"
            print(f"WARNING: {label} differs from the harness: FLOPs/sample G {g_fwd} D {d_fwd}, params "
                  f"{params}; harness: {known}", file=sys.stderr)
        for _ in range(args.warmup):
            iteration()
        times = []
        for _ in range(args.repeats):
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            t0 = time.perf_counter()
            values = iteration().tolist()
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            times.append((time.perf_counter() - t0) * 1000)
            if not all(math.isfinite(v) for v in values):
                sys.exit(f"{label}: the iteration produced non-finite numbers ({values})")
        ms = statistics.median(times)
        g_b, d_b = g_fwd * batch, d_fwd * batch
        flops = {"dStep": g_b + 6 * d_b, "gStep": 3 * g_b + 2 * d_b}
        flops["total"] = flops["dStep"] + flops["gStep"]
        r = {"arch": arch, "post": c["post"], "image": list(image), "batchSize": batch, "backend": "torch",
             "device": dev_label, "deviceName": name, "warmup": args.warmup, "times": [round(t, 4) for t in times],
             "msPerIteration": ms, "minMs": min(times), "maxMs": max(times), "flops": flops,
             "gflopsPerSecond": flops["total"] / (ms * 1e6), "params": params,
             "forwardFlopsPerSample": {"generator": g_fwd, "discriminator": d_fwd}, "dStepPasses": d_passes,
             "matchesHarness": (g_fwd, d_fwd, params["generator"], params["discriminator"]) == want}
        print(f"  {label} (post {c['post']}) batch {batch}: {ms:.2f} ms/iteration, "
              f"{r['gflopsPerSecond']:.1f} GFLOP/s", flush=True)
        results.append(r)
        del iteration
        if device.type == "cuda":
            torch.cuda.empty_cache()

    print()
    print(table(results))
    out = {"kind": "bench-torch", "time": datetime.now(timezone.utc).isoformat(), "torch": torch.__version__,
           "python": platform.python_version(), "cuda": torch.version.cuda,
           "cudnn": torch.backends.cudnn.version() if device.type == "cuda" else None,
           "device": device.type, "deviceName": name, "blas": blas, "flags": flags, "warmup": args.warmup,
           "repeats": args.repeats, "dataOnDevice": True, "flopConvention": FLOP_CONVENTION, "results": results}
    parent = os.path.dirname(args.json)
    if parent:
        os.makedirs(parent, exist_ok=True)
    tmp = args.json + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(out, fh, indent=2)
    os.replace(tmp, args.json)
    print(f"\nwrote {args.json}")


def serve(device, args):
    """Time iterations on request: per stdin line 'ARCH BATCH N [HxWxC]' (the image shape MNIST's unless given), one
    JSON line {"times": [N ms]} on stdout.

    Each case is built and warmed (--warmup iterations) on its first request and kept, so a caller can alternate
    blocks of this and of its own iterations in the same minutes: ratios of numbers taken back to back.
    """
    print(json.dumps({"ready": True, "torch": torch.__version__}), flush=True)
    cases = {}
    for line in sys.stdin:
        arch, batch, n, *rest = line.split()
        image = parse_image(rest[0]) if rest else MNIST
        key = (arch, int(batch), image)
        if key not in cases:
            cases[key] = make_iteration(arch, POSTS[arch], int(batch), device, args, image)[0]
            for _ in range(args.warmup):
                cases[key]()
        times = []
        for _ in range(int(n)):
            t0 = time.perf_counter()
            values = cases[key]().tolist()
            times.append((time.perf_counter() - t0) * 1000)
            if not all(math.isfinite(v) for v in values):
                sys.exit(f"{arch}: the iteration produced non-finite numbers ({values})")
        print(json.dumps({"times": [round(t, 4) for t in times]}), flush=True)


if __name__ == "__main__":
    main()
