#!/usr/bin/env python3
"""The train step of examples/fashion_cnn.nn in PyTorch, one thread: the
same layers, Adam 1e-4, batch 50, dropout 0.5, on random images (the cost of
a step does not depend on the pixels). Prints milliseconds per step over
STEPS steps after 20 warm-up steps. Used by bench/cnn-step.sh.
"""
import sys
import time

import torch

torch.set_num_threads(1)
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 32, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(32, 64, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(3136, 1024), torch.nn.ReLU(), torch.nn.Dropout(0.5),
    torch.nn.Linear(1024, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
x = torch.rand(50, 1, 28, 28)
t = torch.randint(0, 10, (50,))


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(x), t)
    loss.backward()
    optimizer.step()


for _ in range(20):
    step()
start = time.perf_counter()
for _ in range(steps):
    step()
print("%.3f" % ((time.perf_counter() - start) * 1000 / steps))
