"""PyTorch twin of bench/programs/mnist-steps.mjs: argv steps [threads]; prints the same line."""
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        x = torch.flatten(self.dropout1(F.max_pool2d(x, 2)), 1)
        x = self.dropout2(F.relu(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)


steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
torch.manual_seed(1)
model = Net()
optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
x = torch.randn(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))
test = torch.randn(1000, 1, 28, 28)


def timed(fn):
    c = time.process_time()
    t = time.perf_counter()
    fn()
    return (time.process_time() - c) * 1000, (time.perf_counter() - t) * 1000


def step():
    optimizer.zero_grad()
    loss = F.nll_loss(model(x), y)
    loss.backward()
    optimizer.step()
    loss.item()


def evaluate():
    with torch.no_grad():
        model(test).argmax(1).sum().item()


train = [timed(step) for _ in range(steps + 3)][3:]
model.eval()
evals = [timed(evaluate) for _ in range(3)]


def f(rs, k):
    return f"{statistics.median(r[k] for r in rs):.1f}"


print(f"train step: cpu {f(train, 0)} ms, wall {f(train, 1)} ms; test batch 1000: cpu {f(evals, 0)} ms, wall {f(evals, 1)} ms")
