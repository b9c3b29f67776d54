# The VAE training step of vae.bench.mjs in numpy (float32, one BLAS thread): 784-400-20 with a
# mirrored decoder, Bernoulli likelihood on logits, batch 128, Adam lr 1e-3, backward written
# out by hand, and the batch's reconstruction and KL values computed (gateflow's trainer reports
# them every batch). Inputs are the MNIST training digits vae.bench.mjs passes as a raw float32 file
# (argv[1]); prints one line: samples per second of CPU time (steadier than the clock on a shared machine), the best of a few runs after a warm-up.
import os
import sys
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
import numpy as np  # noqa: E402 (the thread limits must be set before numpy loads BLAS)

INPUT, HIDDEN, LATENT, BATCH = 784, 400, 20, 128
x_all = np.fromfile(sys.argv[1], dtype=np.float32).reshape(-1, INPUT)
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 60
rng = np.random.default_rng(0)


def layer(fan_in, fan_out):
    bound = 1 / np.sqrt(fan_in)
    return [rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32), rng.uniform(-bound, bound, fan_out).astype(np.float32)]


params = layer(INPUT, HIDDEN) + layer(HIDDEN, LATENT) + layer(HIDDEN, LATENT) + layer(LATENT, HIDDEN) + layer(HIDDEN, INPUT)
m = [np.zeros_like(p) for p in params]
v = [np.zeros_like(p) for p in params]
adam_t = 0
losses = []


def step(x):
    global adam_t
    W1, b1, Wm, bm, Wl, bl, W3, b3, W4, b4 = params
    eps = rng.standard_normal((BATCH, LATENT), dtype=np.float32)
    a1 = x @ W1 + b1
    h = np.maximum(a1, 0)
    mu = h @ Wm + bm
    lv = h @ Wl + bl
    s = np.exp(0.5 * lv)
    z = mu + s * eps
    a3 = z @ W3 + b3
    h2 = np.maximum(a3, 0)
    logits = h2 @ W4 + b4
    # loss = (sum(softplus(l) - l x) + KL) / B, softplus(l) = max(l, 0) + log1p(e^-|l|); the
    # logistic of the logits, made of the same e^-|l|, is its gradient.
    e = np.exp(-np.abs(logits))
    recon = np.sum(np.maximum(logits, 0) + np.log1p(e) - logits * x) / BATCH
    kl = -0.5 * np.sum(1 + lv - mu * mu - np.exp(lv)) / BATCH
    losses.append((float(recon), float(kl)))
    sig = np.where(logits >= 0, 1, e) / (1 + e)
    g_logits = (sig - x) / BATCH
    g_W4 = h2.T @ g_logits
    g_b4 = g_logits.sum(0)
    g_a3 = (g_logits @ W4.T) * (a3 > 0)
    g_W3 = z.T @ g_a3
    g_b3 = g_a3.sum(0)
    g_z = g_a3 @ W3.T
    g_mu = g_z + mu / BATCH
    g_lv = g_z * eps * 0.5 * s + 0.5 * (np.exp(lv) - 1) / BATCH
    g_h = g_mu @ Wm.T + g_lv @ Wl.T
    g_a1 = g_h * (a1 > 0)
    grads = [x.T @ g_a1, g_a1.sum(0), h.T @ g_mu, g_mu.sum(0), h.T @ g_lv, g_lv.sum(0), g_W3, g_b3, g_W4, g_b4]
    adam_t += 1
    c1, c2 = 1 - 0.9**adam_t, 1 - 0.999**adam_t
    for p, g, mk, vk in zip(params, grads, m, v):
        mk *= 0.9
        mk += 0.1 * g
        vk *= 0.999
        vk += 0.001 * g * g
        p -= 1e-3 * (mk / c1) / (np.sqrt(vk / c2) + 1e-8)


batches = len(x_all) // BATCH
for i in range(5):
    step(x_all[(i % batches) * BATCH:(i % batches + 1) * BATCH])
best = 0.0
for run in range(3):
    start = time.process_time()
    for i in range(steps):
        k = (run * steps + i) % batches
        step(x_all[k * BATCH:(k + 1) * BATCH])
    best = max(best, steps * BATCH / (time.process_time() - start))
print(f"{best:.1f}")
