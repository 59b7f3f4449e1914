"""Reference timing: one seed-002 Keras MLP GAN iteration in plain numpy.

The same work as the harness's mlp-keras iteration at batch 128: a D step
(G forward on B noise; D forward and backward on the real and fake batches
together, 2B rows; Adam on D) and a G step (G forward; D forward with dropout;
backward through D for the input gradient only; backward through G; Adam on G).
float32 throughout, LeakyReLU 0.2, dropout 0.3, sigmoid BCE on logits, real
label 0.9, Adam(2e-4, 0.5, 0.999, 1e-7), 10-d uniform noise. Random data stands
in for MNIST (timing does not depend on the pixel values).

Run it on one core for a fair comparison with tfjs-wasm (single-threaded):
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 bench/reference/mlp_keras_numpy.py

Prints one JSON object: {"msPerIteration": median, "times": [...], ...}.
"""
import argparse
import json
import os
import time

import numpy as np

F = np.float32
ALPHA = F(0.2)
DROP = 0.3


def dense_init(rng, n_in, n_out, std=None):
    if std is None:  # glorot uniform, as Keras
        lim = np.sqrt(6.0 / (n_in + n_out))
        w = rng.uniform(-lim, lim, (n_in, n_out))
    else:
        w = rng.normal(0.0, std, (n_in, n_out))
    return [w.astype(F), np.zeros(n_out, F)]


class Adam:
    def __init__(self, params, lr=2e-4, b1=0.5, b2=0.999, eps=1e-7):
        self.p, self.lr, self.b1, self.b2, self.eps, self.t = params, lr, b1, b2, eps, 0
        self.m = [np.zeros_like(x) for x in params]
        self.v = [np.zeros_like(x) for x in params]

    def step(self, grads):
        self.t += 1
        lr = self.lr * np.sqrt(1 - self.b2**self.t) / (1 - self.b1**self.t)
        for p, g, m, v in zip(self.p, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p -= F(lr) * m / (np.sqrt(v) + F(self.eps))


def lrelu(x):
    return np.where(x > 0, x, ALPHA * x)


def lrelu_grad(x, dy):
    return np.where(x > 0, dy, ALPHA * dy)


def mlp_forward(params, x, acts, rng=None, last=None):
    """Forward through dense layers; LeakyReLU (+ dropout) between them.

    Returns the output and a cache for the backward pass.
    """
    cache = []
    h = x
    n = len(params) // 2
    for i in range(n):
        w, b = params[2 * i], params[2 * i + 1]
        z = h @ w + b
        if i < n - 1:
            a = lrelu(z)
            mask = None
            if rng is not None:
                mask = (rng.random(a.shape, dtype=F) >= DROP).astype(F) / F(1 - DROP)
                a = a * mask
            cache.append((h, z, mask))
            h = a
        else:
            cache.append((h, z, None))
            h = np.tanh(z) if last == "tanh" else z
    return h, cache


def mlp_backward(params, cache, dout, weights=True, input_grad=True):
    grads = [None] * len(params)
    n = len(params) // 2
    d = dout
    for i in reversed(range(n)):
        h, z, mask = cache[i]
        w = params[2 * i]
        if weights:
            grads[2 * i] = h.T @ d
            grads[2 * i + 1] = d.sum(0)
        if i > 0 or input_grad:
            d = d @ w.T
            if i > 0:
                hp, zp, maskp = cache[i - 1]
                if maskp is not None:
                    d = d * maskp
                d = lrelu_grad(zp, d)
    return grads, d


def bce_logits_grad(x, t):
    """Mean BCE of sigmoid(x) against t, and its gradient."""
    loss = np.mean(np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x))))
    grad = (1 / (1 + np.exp(-x)) - t) / x.shape[0]
    return loss, grad.astype(F)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    B, Z = args.batch, 10
    g = dense_init(rng, Z, 256) + dense_init(rng, 256, 512) + dense_init(rng, 512, 1024) + dense_init(rng, 1024, 784)
    d = (dense_init(rng, 784, 1024, 0.02) + dense_init(rng, 1024, 512) + dense_init(rng, 512, 256)
         + dense_init(rng, 256, 1))
    opt_d, opt_g = Adam(d), Adam(g)
    images = rng.uniform(-1, 1, (60000, 784)).astype(F)
    perm = rng.permutation(60000)
    pos = [0]

    def iteration():
        start = pos[0] * B
        pos[0] = (pos[0] + 1) % (60000 // B)
        real = images[perm[start:start + B]]
        # D step
        z = rng.uniform(-1, 1, (B, Z)).astype(F)
        fake, _ = mlp_forward(g, z, None, last="tanh")
        x = np.concatenate([real, fake])
        logits, cache = mlp_forward(d, x, None, rng=rng)
        lr_, gr = bce_logits_grad(logits[:B], F(0.9))
        lf_, gf = bce_logits_grad(logits[B:], F(0.0))
        dloss = 0.5 * (lr_ + lf_)
        grads, _ = mlp_backward(d, cache, 0.5 * np.concatenate([gr, gf]), input_grad=False)
        opt_d.step(grads)
        # G step
        z = rng.uniform(-1, 1, (B, Z)).astype(F)
        fake, gcache = mlp_forward(g, z, None, last="tanh")
        logits, dcache = mlp_forward(d, fake, None, rng=rng)
        gloss, dl = bce_logits_grad(logits, F(1.0))
        _, dfake = mlp_backward(d, dcache, dl, weights=False, input_grad=True)
        dz = dfake * (1 - fake * fake)  # through tanh
        ggrads, _ = mlp_backward(g, gcache, dz, input_grad=False)
        opt_g.step(ggrads)
        return dloss, gloss

    for _ in range(args.warmup):
        iteration()
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        dl, gl = iteration()
        times.append((time.perf_counter() - t0) * 1000)
    assert np.isfinite(dl) and np.isfinite(gl)
    print(json.dumps({
        "msPerIteration": float(np.median(times)),
        "times": [round(t, 3) for t in times],
        "batch": B,
        "numpy": np.__version__,
        "threads": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
    }))


if __name__ == "__main__":
    main()
