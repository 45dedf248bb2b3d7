"""pytorch/examples mnist/main.py on Debian's Fashion-MNIST: the PyTorch twin of examples/mnist.ts.

The original, with torchvision's MNIST replaced by the IDX files of Debian's dataset-fashion-mnist
(read with gzip + numpy, scaled by 1/255 as ToTensor does, normalised with Fashion-MNIST's mean
and std), `--limit`/`--test-limit`/`--steps` for short runs, and a replay mode (replay.py) whose
dropout masks nabla reproduces. run(**options) returns the per-step losses.
"""

import argparse
import gzip
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR

from replay import replay_dropout

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def fashion_mnist(root, train, limit):
    prefix = "train" if train else "t10k"
    images = read_idx(os.path.join(root, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte.gz"))
    if limit:
        images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255)).unsqueeze(1)  # ToTensor
    x = (x - 0.2860) / 0.3530  # Normalize((0.2860,), (0.3530,))
    return torch.utils.data.TensorDataset(x, torch.from_numpy(labels.astype(np.int64)))


def train(args, model, device, train_loader, optimizer, epoch, losses):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if args.log and batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))
        if args.dry_run or len(losses) == args.steps:
            break


def test(args, model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # get the index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)
    if args.log:
        print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
            test_loss, correct, len(test_loader.dataset),
            100. * correct / len(test_loader.dataset)))
    return test_loss, correct / len(test_loader.dataset)


DEFAULTS = dict(batch_size=64, test_batch_size=1000, epochs=14, lr=1.0, gamma=0.7, seed=1, log_interval=10,
                dry_run=False, save_model=False, dir=FASHION_MNIST, limit=0, test_limit=0, steps=0, log=False, replay=None)


def run(**options):
    args = argparse.Namespace(**{**DEFAULTS, **options})
    torch.manual_seed(args.seed)
    device = torch.device("cpu")

    dataset1 = fashion_mnist(args.dir, True, args.limit)
    dataset2 = fashion_mnist(args.dir, False, args.test_limit)
    train_loader = torch.utils.data.DataLoader(dataset1, batch_size=args.batch_size)
    test_loader = torch.utils.data.DataLoader(dataset2, batch_size=args.test_batch_size)

    model = Net().to(device)
    init = {k: v.clone() for k, v in model.state_dict().items()}
    replay_dropout(model, args.replay)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)

    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    losses, test_losses, accuracies = [], [], []
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch, losses)
        test_loss, accuracy = test(args, model, device, test_loader)
        test_losses.append(test_loss)
        accuracies.append(accuracy)
        scheduler.step()
        if args.dry_run or len(losses) == args.steps:
            break

    if args.save_model:
        torch.save(model.state_dict(), "mnist_cnn.pt")
    return dict(losses=losses, test_losses=test_losses, accuracies=accuracies, init=init)


def main():
    parser = argparse.ArgumentParser(description='PyTorch MNIST Example (on Debian\'s Fashion-MNIST)')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--test-batch-size', type=int, default=1000)
    parser.add_argument('--epochs', type=int, default=14)
    parser.add_argument('--lr', type=float, default=1.0)
    parser.add_argument('--gamma', type=float, default=0.7)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=10)
    parser.add_argument('--dry-run', action='store_true')
    parser.add_argument('--save-model', action='store_true')
    parser.add_argument('--dir', default=FASHION_MNIST)
    parser.add_argument('--limit', type=int, default=0)
    parser.add_argument('--test-limit', type=int, default=0)
    parser.add_argument('--steps', type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    losses = run(**vars(args), log=True)["losses"]
    seconds = time.perf_counter() - started
    print(f"{len(losses)} steps in {seconds:.2f} s ({1000 * seconds / max(1, len(losses)):.1f} ms/step)")


if __name__ == '__main__':
    main()
