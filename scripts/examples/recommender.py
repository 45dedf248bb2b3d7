"""The matrix-factorisation recommender: the PyTorch twin of examples/recommender.ts.

The same generated ratings (generate_ratings computes what examples/recommender.ts's
generateRatings computes, in float64 in the same order), the model PyTorch users write (user and
item Embeddings, a dot product plus biases, 1 + 4 sigmoid), MSE and Adagrad. run(**options)
returns the per-step losses and the initial state dict.
"""

import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from replay import ReplayStream


class MatrixFactorization(nn.Module):
    def __init__(self, n_users, n_items, n_factors=20):
        super().__init__()
        self.user_factors = nn.Embedding(n_users, n_factors)
        self.item_factors = nn.Embedding(n_items, n_factors)
        self.user_biases = nn.Embedding(n_users, 1)
        self.item_biases = nn.Embedding(n_items, 1)

    def forward(self, user, item):
        dot = (self.user_factors(user) * self.item_factors(item)).sum(1)
        pred = dot + self.user_biases(user).squeeze(1) + self.item_biases(item).squeeze(1)
        return torch.sigmoid(pred) * 4 + 1  # 1 + 4 sigmoid: a rating in (1, 5)


def generate_ratings(n_users, n_items, count, rank=5, seed=0):
    g = ReplayStream(1000 + seed)
    p = [2 * u - 1 for u in g.uniform(n_users * rank)]
    q = [2 * u - 1 for u in g.uniform(n_items * rank)]
    bu = [u - 0.5 for u in g.uniform(n_users)]
    bi = [u - 0.5 for u in g.uniform(n_items)]
    draws = g.uniform(3 * count).tolist()
    users, items, ratings = [], [], []
    for k in range(count):
        u = math.floor(draws[3 * k] * n_users)
        i = math.floor(draws[3 * k + 1] * n_items)
        dot = 0.0
        for f in range(rank):
            dot += p[u * rank + f] * q[i * rank + f]
        r = math.floor(3.5 + 1.5 * dot + bu[u] + bi[i] + 0.5 * (draws[3 * k + 2] - 0.5) + 0.5)
        users.append(u)
        items.append(i)
        ratings.append(min(5, max(1, r)))
    return torch.tensor(users), torch.tensor(items), torch.tensor(ratings, dtype=torch.float32)


DEFAULTS = dict(n_users=943, n_items=1682, n_ratings=100_000, n_factors=20, batch_size=1024, epochs=10, lr=0.1, seed=0,
                log_interval=20, steps=0, log=False, replay=None)


def run(**options):
    args = argparse.Namespace(**{**DEFAULTS, **options})
    torch.manual_seed(args.seed)
    users, items, ratings = generate_ratings(args.n_users, args.n_items, args.n_ratings)
    dataset = torch.utils.data.TensorDataset(users, items, ratings)
    train_set = torch.utils.data.Subset(dataset, [k for k in range(args.n_ratings) if k % 10 != 9])
    test_set = torch.utils.data.Subset(dataset, [k for k in range(args.n_ratings) if k % 10 == 9])
    shuffled = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    replay = args.replay

    def train_loader():
        if replay is None or replay.sample is None:
            return shuffled
        order = replay.sample.permutation(len(train_set))
        return torch.utils.data.DataLoader(torch.utils.data.Subset(train_set, order), batch_size=args.batch_size)

    test_loader = torch.utils.data.DataLoader(test_set, batch_size=10_000)

    model = MatrixFactorization(args.n_users, args.n_items, args.n_factors)
    init = {k: v.clone() for k, v in model.state_dict().items()}
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.Adagrad(model.parameters(), lr=args.lr)

    losses, test_rmse = [], []
    for epoch in range(1, args.epochs + 1):
        model.train()
        for batch_idx, (user, item, rating) in enumerate(train_loader()):
            optimizer.zero_grad()
            prediction = model(user, item)
            loss = loss_fn(prediction, rating)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if args.log and batch_idx % args.log_interval == 0:
                print(f"epoch {epoch} batch {batch_idx}: loss {loss.item():.4f}")
            if len(losses) == args.steps:
                break
        model.eval()
        squared = 0.0
        with torch.no_grad():
            for user, item, rating in test_loader:
                squared += F.mse_loss(model(user, item), rating, reduction="sum").item()
        test_rmse.append(math.sqrt(squared / len(test_set)))
        if args.log:
            print(f"epoch {epoch}: test RMSE {test_rmse[-1]:.4f}")
        if len(losses) == args.steps:
            break
    return dict(losses=losses, test_rmse=test_rmse, init=init)


def main():
    parser = argparse.ArgumentParser(description="matrix-factorisation recommender on generated MovieLens-shaped ratings")
    parser.add_argument("--n-users", type=int, default=943)
    parser.add_argument("--n-items", type=int, default=1682)
    parser.add_argument("--n-ratings", type=int, default=100_000)
    parser.add_argument("--n-factors", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-interval", type=int, default=20)
    parser.add_argument("--steps", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    losses = run(**vars(args), log=True)["losses"]
    seconds = time.perf_counter() - started
    print(f"{len(losses)} steps in {seconds:.2f} s ({1000 * seconds / max(1, len(losses)):.1f} ms/step)")


if __name__ == "__main__":
    main()
