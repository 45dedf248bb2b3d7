#!/usr/bin/env -S /usr/bin/python3
"""Train a model exported by nabla (io.exportTorch / nabla export --torch) with PyTorch's
DistributedDataParallel, and hand the weights back to nabla.

nabla writes two files: MODEL.py (class NablaModel, the traced forward in torch calls, parameters
under nabla's state-dict names) and WEIGHTS.pt (its state dict, written by io.saveTorch). Data
comes as a .pt file too, {"x": inputs, "y": class indices, "eval": inputs to report outputs on}
(io.saveTorch({ x, y, eval })). Each rank trains on its shard x[rank::world] with the mean
cross-entropy; DDP averages the gradients over ranks, so with equal shards each step is the
full-batch step of a single process (up to the order of the additions).

    # with torchrun (on a cluster, its usual flags: --nnodes, --rdzv_endpoint, ...)
    torchrun --standalone --nproc_per_node=2 scripts/ddp_train.py \\
        --model model.py --weights weights.pt --data data.pt --steps 5 --lr 0.1 --out trained.pt

    # or two processes on this machine without torchrun (gloo over 127.0.0.1)
    /usr/bin/python3 scripts/ddp_train.py --spawn 2 --model model.py --weights weights.pt --data data.pt \\
        --steps 5 --lr 0.1 --out trained.pt

    # the same steps in one process, full batch (the reference)
    /usr/bin/python3 scripts/ddp_train.py --single --model model.py --weights weights.pt --data data.pt \\
        --steps 5 --lr 0.1 --out reference.pt

    # no training: the model's outputs on data["eval"] (checks an export)
    /usr/bin/python3 scripts/ddp_train.py --forward --model model.py --weights weights.pt --data data.pt --out outputs.pt

OUT is written by rank 0 with torch.save: {"state_dict": the trained weights, "outputs": the
model's outputs on data["eval"] in eval mode, "losses": the full-batch loss before each step}.
nabla reads it with io.loadTorch and loads "state_dict" with loadStateDict. Keep BatchNorm and
Dropout out of models trained this way if the result must match a single process: their state
and randomness are per rank.
"""

import argparse
import importlib.util
import os
import socket

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel


def load_model(path, weights):
    spec = importlib.util.spec_from_file_location("nabla_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.NablaModel()
    model.load_state_dict(torch.load(weights, weights_only=True))
    return model


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--weights", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--single", action="store_true", help="one process, full batch (no torch.distributed)")
    p.add_argument("--forward", action="store_true", help="no training: outputs on data['eval'] only")
    p.add_argument("--spawn", type=int, default=0, help="start this many processes here (gloo on 127.0.0.1) instead of using torchrun")
    return p.parse_args()


def worker(rank, args, world, port):
    """One of --spawn's processes: the process group by TCP on localhost, then train()."""
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    train(args, distributed=True)


def main():
    args = parse()
    if args.spawn > 0:
        with socket.socket() as s:  # a free port for the rendezvous
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        torch.multiprocessing.spawn(worker, args=(args, args.spawn, port), nprocs=args.spawn, join=True)
        return
    distributed = not (args.single or args.forward)
    if distributed:
        dist.init_process_group("gloo")  # torchrun's environment
    train(args, distributed)


def train(args, distributed):
    torch.set_num_threads(1)

    data = torch.load(args.data, weights_only=True)
    x, y, x_eval = data["x"], data["y"].long(), data["eval"]
    model = load_model(args.model, args.weights)
    rank, world = 0, 1
    if distributed:
        rank, world = dist.get_rank(), dist.get_world_size()
        if x.shape[0] % world != 0:
            raise SystemExit(f"ddp_train: {x.shape[0]} samples do not split into {world} equal shards")
        trained = DistributedDataParallel(model)
    else:
        trained = model
    shard_x, shard_y = x[rank::world], y[rank::world]

    losses = []
    if not args.forward:
        opt = torch.optim.SGD(trained.parameters(), lr=args.lr)
        model.train()
        for _ in range(args.steps):
            with torch.no_grad():
                losses.append(F.cross_entropy(model(x), y).item())
            opt.zero_grad()
            F.cross_entropy(trained(shard_x), shard_y).backward()
            opt.step()

    if rank == 0:
        model.eval()
        with torch.no_grad():
            outputs = model(x_eval)
        torch.save({"state_dict": model.state_dict(), "outputs": outputs, "losses": torch.tensor(losses, dtype=torch.float64)}, args.out)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
