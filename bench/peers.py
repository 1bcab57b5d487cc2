#!/usr/bin/env python3
"""The examples' models in a peer framework, for bench/run.py.

usage: peers.py FRAMEWORK MODEL MODE [STEPS]
  FRAMEWORK  torch | jax | tf
  MODEL      softmax (fashion_softmax.nn, batch 100) | mlp (fashion_mlp.nn,
             batch 100) | cnn (fashion_cnn.nn, batch 50)
  MODE       train (prints ms per Adam step) | infer1 | infer100 (prints
             images per second at batch 1 or 100); then the peak RSS in KiB

The layers, sizes, batch sizes, losses (summed cross-entropy) and Adam
(TF1's rule) are the examples'. Data are random: a step's cost does not
depend on the pixels. Times exclude the first 20 steps (compilation, warm-up)
and are measured in-process with perf_counter. Threads: run it under
`taskset` (bench/run.py does); torch is also told its thread count.
BENCH_DEVICE=cuda runs torch on the GPU (bench/gpu/device-check.sh); the
clock then waits for the GPU's queue before it is read.
"""
import os
import sys
import time

import numpy as np

FRAMEWORK, MODEL, MODE = sys.argv[1], sys.argv[2], sys.argv[3]
STEPS = int(sys.argv[4]) if len(sys.argv) > 4 else 100
BATCH = {"softmax": 100, "mlp": 100, "cnn": 50}[MODEL]
if MODE == "infer1":
    BATCH = 1
elif MODE == "infer100":
    BATCH = 100
LR = {"softmax": 1e-3, "mlp": 1e-3, "cnn": 1e-4}[MODEL]
rng = np.random.default_rng(0)
X = rng.random((BATCH, 784), dtype=np.float32)
T = np.eye(10, dtype=np.float32)[rng.integers(0, 10, BATCH)]


def shapes():
    if MODEL == "softmax":
        return {"w": (784, 10), "b": (10,)}
    if MODEL == "mlp":
        return {"w1": (784, 1024), "b1": (1024,), "w2": (1024, 10), "b2": (10,)}
    return {"w_conv1": (5, 5, 1, 32), "b_conv1": (32,), "w_conv2": (5, 5, 32, 64),
            "b_conv2": (64,), "w_fc1": (3136, 1024), "b_fc1": (1024,),
            "w_fc2": (1024, 10), "b_fc2": (10,)}


def initial():
    return {k: (rng.standard_normal(s).astype(np.float32) * 0.1) for k, s in shapes().items()}


def timed(step, warmup=20, sync=lambda: None):
    for _ in range(warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(STEPS):
        step()
    sync()
    seconds = time.perf_counter() - start
    import resource
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if MODE == "train":
        print("%.4f %d" % (seconds * 1000 / STEPS, peak_kb))
    else:
        print("%.1f %d" % (STEPS * BATCH / seconds, peak_kb))


def run_torch():
    import torch
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "1")))
    device = os.environ.get("BENCH_DEVICE", "cpu")
    p = {k: torch.tensor(v, device=device, requires_grad=True) for k, v in initial().items()}
    x, t = torch.tensor(X, device=device), torch.tensor(T, device=device)
    F = torch.nn.functional

    def logits(x, train):
        if MODEL == "softmax":
            return x @ p["w"] + p["b"]
        if MODEL == "mlp":
            return F.relu(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]
        h = x.reshape(-1, 1, 28, 28)
        h = F.max_pool2d(F.relu(F.conv2d(h, p["w_conv1"].permute(3, 2, 0, 1), p["b_conv1"], padding=2)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, p["w_conv2"].permute(3, 2, 0, 1), p["b_conv2"], padding=2)), 2)
        h = F.relu(h.permute(0, 2, 3, 1).reshape(-1, 3136) @ p["w_fc1"] + p["b_fc1"])
        h = F.dropout(h, 0.5, training=train)
        return h @ p["w_fc2"] + p["b_fc2"]

    if MODE == "train":
        opt = torch.optim.Adam(p.values(), lr=LR, eps=1e-8)

        def step():
            opt.zero_grad()
            loss = -(t * F.log_softmax(logits(x, True), 1)).sum()
            loss.backward()
            opt.step()
    else:
        def step():
            with torch.no_grad():
                F.softmax(logits(x, False), 1)
    timed(step, sync=torch.cuda.synchronize if device == "cuda" else lambda: None)


def run_jax():
    import jax
    import jax.numpy as jnp
    p = {k: jnp.asarray(v) for k, v in initial().items()}
    x, t = jnp.asarray(X), jnp.asarray(T)

    def logits(p, x, key):
        if MODEL == "softmax":
            return x @ p["w"] + p["b"]
        if MODEL == "mlp":
            return jax.nn.relu(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]
        dn = ("NHWC", "HWIO", "NHWC")
        pool = lambda h: jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "SAME")
        h = x.reshape(-1, 28, 28, 1)
        h = pool(jax.nn.relu(jax.lax.conv_general_dilated(h, p["w_conv1"], (1, 1), "SAME", dimension_numbers=dn) + p["b_conv1"]))
        h = pool(jax.nn.relu(jax.lax.conv_general_dilated(h, p["w_conv2"], (1, 1), "SAME", dimension_numbers=dn) + p["b_conv2"]))
        h = jax.nn.relu(h.reshape(-1, 3136) @ p["w_fc1"] + p["b_fc1"])
        if key is not None:
            h = jnp.where(jax.random.bernoulli(key, 0.5, h.shape), h / 0.5, 0.0)
        return h @ p["w_fc2"] + p["b_fc2"]

    if MODE == "train":
        def loss(p, key):
            return -(t * jax.nn.log_softmax(logits(p, x, key))).sum()

        @jax.jit
        def step_fn(p, m, v, i, key):
            g = jax.grad(loss)(p, key)
            i = i + 1
            lr = LR * jnp.sqrt(1 - 0.999 ** i) / (1 - 0.9 ** i)
            m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, m, g)
            v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, v, g)
            p = jax.tree_util.tree_map(lambda p, m, v: p - lr * m / (jnp.sqrt(v) + 1e-8), p, m, v)
            return p, m, v, i

        state = [p, jax.tree_util.tree_map(jnp.zeros_like, p), jax.tree_util.tree_map(jnp.zeros_like, p), 0.0]
        key = jax.random.PRNGKey(0)

        def step():
            nonlocal key
            key, sub = jax.random.split(key)
            state[:] = step_fn(*state, sub)
            jax.block_until_ready(state[0])
    else:
        infer = jax.jit(lambda p, x: jax.nn.softmax(logits(p, x, None)))

        def step():
            infer(p, x).block_until_ready()
    timed(step)


def run_tf():
    import tensorflow as tf
    threads = int(os.environ.get("BENCH_THREADS", "1"))
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    p = {k: tf.Variable(v) for k, v in initial().items()}
    x, t = tf.constant(X), tf.constant(T)

    def logits(x, train):
        if MODEL == "softmax":
            return tf.matmul(x, p["w"]) + p["b"]
        if MODEL == "mlp":
            return tf.matmul(tf.nn.relu(tf.matmul(x, p["w1"]) + p["b1"]), p["w2"]) + p["b2"]
        h = tf.reshape(x, [-1, 28, 28, 1])
        h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(h, p["w_conv1"], 1, "SAME") + p["b_conv1"]), 2, 2, "SAME")
        h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(h, p["w_conv2"], 1, "SAME") + p["b_conv2"]), 2, 2, "SAME")
        h = tf.nn.relu(tf.matmul(tf.reshape(h, [-1, 3136]), p["w_fc1"]) + p["b_fc1"])
        if train:
            h = tf.nn.dropout(h, rate=0.5)
        return tf.matmul(h, p["w_fc2"]) + p["b_fc2"]

    if MODE == "train":
        m = {k: tf.Variable(tf.zeros_like(v)) for k, v in p.items()}
        v2 = {k: tf.Variable(tf.zeros_like(v)) for k, v in p.items()}
        i = tf.Variable(0.0)

        # XLA cannot compile tf.nn.dropout's stateful random op; the others jit.
        @tf.function(jit_compile=(MODEL != "cnn"))
        def step_fn():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(t, logits(x, True)))
            g = tape.gradient(loss, p)
            i.assign_add(1.0)
            lr = LR * tf.sqrt(1 - 0.999 ** i) / (1 - 0.9 ** i)
            for k in p:
                m[k].assign(0.9 * m[k] + 0.1 * g[k])
                v2[k].assign(0.999 * v2[k] + 0.001 * g[k] * g[k])
                p[k].assign_sub(lr * m[k] / (tf.sqrt(v2[k]) + 1e-8))
            return loss

        def step():
            step_fn().numpy()
    else:
        infer = tf.function(lambda x: tf.nn.softmax(logits(x, False)), jit_compile=True)

        def step():
            infer(x).numpy()
    timed(step)


{"torch": run_torch, "jax": run_jax, "tf": run_tf}[FRAMEWORK]()
