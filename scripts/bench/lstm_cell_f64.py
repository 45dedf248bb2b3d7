"""float64 LSTMCell forward+backward, the PyTorch twin of bench/programs/lstm-cell-f64.mjs: the model
of pytorch/examples time_sequence_prediction (LSTMCell 1→51, LSTMCell 51→51, Linear 51→1, all
float64) unrolled over a sequence of sine waves, MSE against the next value, backward. Seed 0 and
the same construction order on both sides, so the weights agree; the waves are
x[i, t] = sin((t + 4 i) / 20). Prints `BENCH {json}`: the median milliseconds of one
forward+backward, its CPU time and the last loss.

    /usr/bin/python3 scripts/bench/torch_run.py scripts/bench/lstm_cell_f64.py [--batch 97] [--length 100]
"""

import argparse
import json
import statistics
import time

import torch
from torch import nn


class Sequence(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTMCell(1, 51)
        self.lstm2 = nn.LSTMCell(51, 51)
        self.linear = nn.Linear(51, 1)

    def forward(self, input):
        outputs = []
        h_t = torch.zeros(input.size(0), 51, dtype=torch.double)
        c_t = torch.zeros(input.size(0), 51, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), 51, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), 51, dtype=torch.double)
        for t in range(input.size(1)):
            h_t, c_t = self.lstm1(input[:, t:t + 1], (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            outputs.append(self.linear(h_t2))
        return torch.cat(outputs, dim=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=97)
    parser.add_argument("--length", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(0)
    seq = Sequence().double()
    t = torch.arange(args.length + 1, dtype=torch.double)
    i = torch.arange(args.batch, dtype=torch.double).unsqueeze(1)
    waves = torch.sin((t + 4 * i) / 20)
    input, target = waves[:, :-1], waves[:, 1:]
    times = []
    cpu_times = []
    for run in range(args.warmup + args.runs):
        started = time.perf_counter()
        cpu = time.process_time()
        seq.zero_grad()
        loss = nn.functional.mse_loss(seq(input), target)
        loss.backward()
        last = loss.item()
        if run >= args.warmup:
            times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - cpu)
    # cpu_ms: this process's CPU time (all threads), steadier than wall time on a shared machine
    print("BENCH " + json.dumps({"ms": 1000 * statistics.median(times), "cpu_ms": 1000 * statistics.median(cpu_times), "loss": last}))


if __name__ == "__main__":
    main()
