#!/usr/bin/env -S /usr/bin/python3
"""Fixtures for the examples' tests: each example's PyTorch twin (scripts/examples/*.py) run for
its first 20 steps from the seed, with the configuration its test gives nabla's port.

Run from the repository root:

    /usr/bin/python3 scripts/make_example_fixtures.py [name ...]

Writes test/fixtures/examples/<name>.json:
    config   the options (camelCase, as examples/<name>.ts takes them); `replay` lists the purposes
             whose draws come from replay.py's streams (those PyTorch and nabla cannot share; the
             rest are PyTorch's own draws, which nabla's generator reproduces for the same seed),
             `replaySeed` seeds them
    init     per-tensor sums (float64) of the initial state dict, so a test sees a different start
             before it sees different losses
    losses   the loss of every step (and other per-step values some examples have)
and, for the recommender, test/fixtures/examples/recommender.safetensors: its initial state dict,
which its test loads (the path a benchmark takes to start both programs from one state).
Reruns are byte-identical.
"""

import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "examples"))

from fixture_json import FIXTURES, write_json  # noqa: E402
from make_io_fixtures import write_safetensors  # noqa: E402
from replay import Replay  # noqa: E402

OUT = os.path.join(FIXTURES, "examples")

torch.set_num_threads(1)  # the same float sums on every machine


def snake(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def run_twin(example, config, skip=()):
    """Runs the twin with the config's options (snake_case), replaying the purposes in config["replay"]."""
    options = {snake(k): v for k, v in config.items() if k not in ("replay", "replaySeed", *skip)}
    replay = Replay(config["replaySeed"], config["replay"]) if config["replay"] else None
    return example.run(**options, replay=replay)


def sums(state):
    return {k: float(v.double().sum()) for k, v in state.items()}


def floats(values):
    return [float(v) for v in values]


def mnist():
    import mnist as example

    # dropout replayed: PyTorch's DataLoader draws a seed from the global generator each epoch (nabla's
    # does not), so the masks drawn after it would differ
    config = dict(batchSize=4, testBatchSize=50, epochs=2, limit=40, testLimit=50, replay=["dropout"], replaySeed=1)
    out = run_twin(example, config)
    return dict(config=config, init=sums(out["init"]), losses=floats(out["losses"]), testLosses=floats(out["test_losses"]))


def vae():
    import vae as example

    # the order replayed (nabla's shuffle is not RandomSampler's), and so the noise (the DataLoader
    # draws from the global generator before it)
    config = dict(batchSize=32, epochs=1, steps=20, testLimit=64, replay=["sample", "noise"], replaySeed=2)
    out = run_twin(example, config)
    return dict(config=config, init=sums(out["init"]), losses=floats(out["losses"]), testLosses=floats(out["test_losses"]))


def recommender():
    import recommender as example

    config = dict(nUsers=100, nItems=150, nRatings=5000, nFactors=8, batchSize=200, epochs=1, steps=20, replay=["sample"], replaySeed=3)
    out = run_twin(example, config)
    users, items, ratings = example.generate_ratings(config["nUsers"], config["nItems"], config["nRatings"])
    data = dict(users=users[:20].tolist(), items=items[:20].tolist(), ratings=ratings[:20].tolist(), ratingSum=float(ratings.double().sum()))
    return dict(config=config, init=sums(out["init"]), state=out["init"], data=data, losses=floats(out["losses"]), testRmse=floats(out["test_rmse"]))


def dcgan():
    import dcgan as example

    config = dict(batchSize=8, nz=8, ngf=2, ndf=2, niter=1, steps=20, manualSeed=1, replay=["sample", "noise"], replaySeed=4)
    out = run_twin(example, config)
    return dict(config=config, init=sums(out["init"]), losses=floats(out["losses"]),
                generatorLosses=floats(out["generator_losses"]), dx=floats(out["dx"]), dgz1=floats(out["dgz1"]), dgz2=floats(out["dgz2"]))


def word_language_model(model):
    import word_language_model as example

    # lr 5 for the Transformer, as the original's README runs it (lr 20 makes its first steps chaotic)
    lr = 5 if model == "Transformer" else 20
    # nothing replayed: initial weights, dropout masks (nn.Dropout's and the LSTM's) are PyTorch's for the seed
    config = dict(model=model, emsize=8, nhid=8, nlayers=2, nhead=2, lr=lr, bptt=10, batchSize=4, dropout=0.2, epochs=1, steps=20, replay=[], replaySeed=0)
    out = run_twin(example, config)
    init = out["init"]
    # the positional table is computed: the test compares its first rows
    extra = dict(pe=[float(v) for v in init["pos_encoder.pe"][:40].reshape(-1)]) if "pos_encoder.pe" in init else {}
    return dict(config=config, init=sums(init), **extra, losses=floats(out["losses"]),
                valLosses=floats(out["val_losses"]), testLoss=float(out["test_loss"]))


def char_gpt():
    import char_gpt as example

    # nothing replayed: initial weights, batch offsets (torch.randint) and dropout masks are PyTorch's for the seed
    config = dict(batchSize=4, blockSize=16, nLayer=2, nHead=2, nEmbd=16, dropout=0.2, flash=False, learningRate=1e-2, maxIters=100,
                  warmupIters=5, lrDecayIters=20, minLr=1e-4, evalInterval=10, evalIters=2, steps=20, sample=0, replay=[], replaySeed=0)
    out = run_twin(example, config, skip=("flash", "sample"))
    return dict(config=config, init=sums(out["init"]), losses=floats(out["losses"]), evals=out["evals"])


def reinforce():
    import reinforce as example

    # nothing replayed: start states are gym's (NumPy's PCG64), initial weights, dropout masks and
    # Categorical's samples are PyTorch's for the seed
    config = dict(seed=543, steps=20, replay=[], replaySeed=0)
    out = run_twin(example, config)
    # a CartPole trajectory on its own: reset(seed=7), then a controller pushing towards where the pole
    # falls (it balances the pole while the cart drifts off: hundreds of steps); every 10th observation
    env = example.CartPoleEnv()
    obs, _ = env.reset(seed=7)
    observations, actions, total = [obs.tolist()], [], 0.0
    while True:
        action = 1 if obs[2] + 0.5 * obs[3] > 0 else 0
        obs, reward, terminated, truncated, _ = env.step(action)
        actions.append(action)
        total += reward
        if len(actions) % 10 == 0 or terminated or truncated:
            observations.append(obs.tolist())
        if terminated or truncated:
            break
    cartpole = dict(seed=7, steps=len(actions), actions=actions, observations=observations, totalReward=total,
                    terminated=terminated, truncated=truncated, secondReset=env.reset()[0].tolist())
    return dict(config=config, init=sums(out["init"]), losses=floats(out["losses"]), episodeRewards=floats(out["episode_rewards"]), cartpole=cartpole)


EXAMPLES = {
    "mnist": mnist,
    "vae": vae,
    "recommender": recommender,
    "dcgan": dcgan,
    "word_language_model_lstm": lambda: word_language_model("LSTM"),
    "word_language_model_transformer": lambda: word_language_model("Transformer"),
    "char_gpt": char_gpt,
    "reinforce": reinforce,
}


def main(names):
    os.makedirs(OUT, exist_ok=True)
    for name in names or EXAMPLES:
        fixture = EXAMPLES[name]()
        state = fixture.pop("state", None)
        if state is not None:
            write_safetensors(os.path.join(OUT, f"{name}.safetensors"), state, {"format": "pt"})
        write_json(os.path.join("examples", f"{name}.json"), fixture)


if __name__ == "__main__":
    main(sys.argv[1:])
