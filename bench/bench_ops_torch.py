"""The same ops as bench_ops.lua in PyTorch (CPU, float32, this machine's
threads); prints "name<TAB>ms per call". Run by `make bench` (bench/run)."""
import time

import torch

torch.manual_seed(0)


def time_it(name, reps, fn):
    fn()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    ms = (time.perf_counter() - t0) * 1000 / reps
    print(f"{name}\t{ms:.4f}")


a, b = torch.randn(256, 256), torch.randn(256, 256)
time_it("matmul 256x256x256", 50, lambda: a @ b)
q, k = torch.randn(32, 64, 64), torch.randn(32, 64, 64)
time_it("batched matmul 32x(64x64x64)", 50, lambda: q @ k.transpose(1, 2))
s = torch.randn(64, 100, 100)
time_it("softmax (64, 100, 100) axis -1", 50, lambda: torch.softmax(s, -1))
x = torch.randn(64, 100, 128)
d = torch.nn.Linear(128, 64)


def dense_forward():
    with torch.no_grad():
        return torch.tanh(d(x))


time_it("Dense(64, tanh) forward (64, 100, 128)", 30, dense_forward)
xg = torch.randn(64, 100, 128, requires_grad=True)


def dense_backward():
    torch.tanh(d(xg)).sum().backward()


time_it("Dense(64, tanh) forward+backward (64, 100, 128)", 30, dense_backward)
e = torch.randn(64, 100, 128)
time_it("transpose (64, 100, 128) {0, 2, 1}", 50,
        lambda: e.permute(0, 2, 1).contiguous())
time_it("sum (64, 100, 128) axis 1", 50, lambda: e.sum(1))

# The seed model: two stacked bidirectional GRU(64) layers on (batch, 64, 32)
for batch in (1, 64):
    torch.manual_seed(0)
    gru = torch.nn.GRU(32, 64, num_layers=2, bidirectional=True,
                       batch_first=True)
    xs = torch.randn(batch, 64, 32)

    def seed_forward():
        with torch.no_grad():
            return gru(xs)[0]

    time_it(f"seed model forward, batch {batch}", 10, seed_forward)
    xg = torch.randn(batch, 64, 32, requires_grad=True)

    def seed_backward():
        gru(xg)[0].sum().backward()

    time_it(f"seed model forward+backward, batch {batch}", 10, seed_backward)
