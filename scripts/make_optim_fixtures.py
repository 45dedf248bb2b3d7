#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for nabla's weight-update rules, schedules and gradient clipping.

Run from the repository root (Debian's python3-torch 1.13):

    /usr/bin/python3 scripts/make_optim_fixtures.py

Writes:
    test/fixtures/optim_rules.json      parameters after 1, 2, 5 and 20 steps of every rule
    test/fixtures/lr_schedulers.json    learning rates (and momenta) over 30 epochs per scheduler
    test/fixtures/optim_clip_grad.json  clip_grad_norm_ / clip_grad_value_ results

Everything is seeded and deterministic; reruns write byte-identical files. Tensors are encoded
as in scripts/make_fixtures.py (scripts/fixture_json.py): {"dtype", "shape", "data"} with exact
float values.

Each optimizer run says where its numbers come from:
    "source": "torch"      torch.optim itself (1.13, foreach=False: the per-tensor kernels);
    "source": "reference"  an independent reference written below, for what torch 1.13 lacks:
        * NAdam / RAdam `decoupled_weight_decay` and `maximize` (added in torch 2.x): the 1.13
          single-tensor loops with torch 2.x's branches (`param.mul_(1 - lr * weight_decay)`
          before the update, `grad = -grad` first);
        * Lion (Chen et al. 2023, Algorithm 2), Schedule-Free AdamW and SGD (Defazio et al.
          2024, Algorithm 1 and facebookresearch/schedule_free), Prodigy (Mishchenko & Defazio
          2023, Algorithm 4 / the authors' `prodigyopt`), Muon (Jordan et al. 2024,
          Newton-Schulz quintic iteration), all written from the papers' pseudo-code with torch
          tensor ops, not from nabla's code.
"""

import math

import torch

import fixture_json
from fixture_json import write_json

F32 = torch.float32
F64 = torch.float64
RECORD_STEPS = [1, 2, 5, 20]


def enc(t):
    """fixture_json.enc for the only tensors this script records: float32 / float64 (asserted)."""
    assert t.dtype in (F32, F64)
    return fixture_json.enc(t)


# ---------------------------------------------------------------------------
# Independent references (see the module docstring)
# ---------------------------------------------------------------------------

class Reference:
    """A minimal optimizer: `defaults`, one group, per-parameter `state`."""

    def __init__(self, params, **kwargs):
        self.params = list(params)
        self.group = dict(self.defaults, **kwargs)
        self.state = {id(p): {} for p in self.params}


class NAdam2(Reference):
    """torch 2.x NAdam (single tensor), with decoupled_weight_decay and maximize. The momentum
    product μ₁⋯μₜ is kept as a float32 scalar tensor, as torch keeps it."""
    defaults = dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                    decoupled_weight_decay=False, maximize=False)

    @torch.no_grad()
    def step(self):
        g = self.group
        beta1, beta2 = g["betas"]
        lr, wd, eps = g["lr"], g["weight_decay"], g["eps"]
        for p in self.params:
            grad = -p.grad if g["maximize"] else p.grad
            s = self.state[id(p)]
            if not s:
                s["step"] = torch.tensor(0.0)
                s["mu_product"] = torch.tensor(1.0)  # a float32 scalar tensor, as in torch
                s["exp_avg"] = torch.zeros_like(p)
                s["exp_avg_sq"] = torch.zeros_like(p)
            s["step"] += 1
            step = s["step"].item()
            bias_correction2 = 1 - beta2 ** step
            if wd != 0:
                if g["decoupled_weight_decay"]:
                    p.mul_(1 - lr * wd)
                else:
                    grad = grad.add(p, alpha=wd)
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * g["momentum_decay"])))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * g["momentum_decay"])))
            s["mu_product"] *= mu
            mu_product = s["mu_product"]
            mu_product_next = mu_product.item() * mu_next  # torch 2.x; 1.13 has an extra factor mu here
            s["exp_avg"].lerp_(grad, 1 - beta1)
            s["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = s["exp_avg_sq"].div(bias_correction2).sqrt().add_(eps)
            p.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product.item())))
            p.addcdiv_(s["exp_avg"], denom, value=(-lr * mu_next) / (1.0 - mu_product_next))


class RAdam2(Reference):
    """torch 2.x RAdam (single tensor), with decoupled_weight_decay and maximize."""
    defaults = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                    decoupled_weight_decay=False, maximize=False)

    @torch.no_grad()
    def step(self):
        g = self.group
        beta1, beta2 = g["betas"]
        lr, wd, eps = g["lr"], g["weight_decay"], g["eps"]
        for p in self.params:
            grad = -p.grad if g["maximize"] else p.grad
            s = self.state[id(p)]
            if not s:
                s["step"] = torch.tensor(0.0)
                s["exp_avg"] = torch.zeros_like(p)
                s["exp_avg_sq"] = torch.zeros_like(p)
            s["step"] += 1
            step = s["step"].item()
            if wd != 0:
                if g["decoupled_weight_decay"]:
                    p.mul_(1 - lr * wd)
                else:
                    grad = grad.add(p, alpha=wd)
            s["exp_avg"].lerp_(grad, 1 - beta1)
            s["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            bias_corrected_exp_avg = s["exp_avg"] / bias_correction1
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                adaptive_lr = (bias_correction2 ** 0.5) / s["exp_avg_sq"].sqrt().add(eps)
                p.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
            else:
                p.add_(bias_corrected_exp_avg * lr, alpha=-1.0)


class Lion(Reference):
    """Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2:
        c = β1·m + (1 − β1)·g;  θ ← θ − η·(sign(c) + λθ);  m ← β2·m + (1 − β2)·g."""
    defaults = dict(lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, maximize=False)

    @torch.no_grad()
    def step(self):
        g = self.group
        beta1, beta2 = g["betas"]
        for p in self.params:
            grad = -p.grad if g["maximize"] else p.grad
            s = self.state[id(p)]
            if not s:
                s["exp_avg"] = torch.zeros_like(p)
            m = s["exp_avg"]
            c = m * beta1 + grad * (1 - beta1)
            p.mul_(1 - g["lr"] * g["weight_decay"])
            p.add_(torch.sign(c), alpha=-g["lr"])
            m.mul_(beta2).add_(grad, alpha=1 - beta2)


class ScheduleFreeAdamW(Reference):
    """Defazio et al. 2024, "The Road Less Scheduled", Algorithm 1 with Adam's denominator, as in
    facebookresearch/schedule_free adamw_schedulefree.py (weight decay evaluated at y):
        y_t = (1 − β1)·z_t + β1·x_t             (the point where the gradient is taken)
        z_{t+1} = z_t − γ_t·(∇f(y_t)/(√v̂ + ε) + λ y_t)
        x_{t+1} = (1 − c_{t+1})·x_t + c_{t+1}·z_{t+1},  c = γ_t²/Σγ_i²
    The parameter holds y while training and x in eval mode."""
    defaults = dict(lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, warmup_steps=0,
                    r=0.0, weight_lr_power=2.0)

    def __init__(self, params, **kwargs):
        super().__init__(params, **kwargs)
        self.group.update(k=0, lr_max=-1.0, weight_sum=0.0, train_mode=True)

    @torch.no_grad()
    def eval(self):
        beta1 = self.group["betas"][0]
        if self.group["train_mode"]:
            for p in self.params:
                s = self.state[id(p)]
                if "z" in s:
                    # x = (y − (1 − β1)·z)/β1
                    p.copy_((p - (1 - beta1) * s["z"]) / beta1)
            self.group["train_mode"] = False

    @torch.no_grad()
    def train(self):
        beta1 = self.group["betas"][0]
        if not self.group["train_mode"]:
            for p in self.params:
                s = self.state[id(p)]
                if "z" in s:
                    p.copy_((1 - beta1) * s["z"] + beta1 * p)
            self.group["train_mode"] = True

    @torch.no_grad()
    def step(self):
        g = self.group
        beta1, beta2 = g["betas"]
        k = g["k"]
        sched = (k + 1) / g["warmup_steps"] if k < g["warmup_steps"] else 1.0
        bias_correction2 = 1 - beta2 ** (k + 1)
        lr = g["lr"] * sched
        g["lr_max"] = lr_max = max(lr, g["lr_max"])
        weight = ((k + 1) ** g["r"]) * (lr_max ** g["weight_lr_power"])
        g["weight_sum"] += weight
        ckp1 = weight / g["weight_sum"] if g["weight_sum"] != 0 else 0.0
        for p in self.params:
            s = self.state[id(p)]
            if not s:
                s["z"] = p.clone()
                s["exp_avg_sq"] = torch.zeros_like(p)
            y, z, v = p, s["z"], s["exp_avg_sq"]
            v.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
            u = p.grad / (v / bias_correction2).sqrt().add(g["eps"])
            if g["weight_decay"] != 0:
                u = u + g["weight_decay"] * y
            x = (y - (1 - beta1) * z) / beta1                 # the averaged iterate
            z.sub_(u, alpha=lr)
            x = (1 - ckp1) * x + ckp1 * z
            y.copy_((1 - beta1) * z + beta1 * x)
        g["k"] = k + 1


class ScheduleFreeSGD(ScheduleFreeAdamW):
    """The same with plain gradient steps: z ← z − γ(∇f(y) + λy); momentum β plays β1's part."""
    defaults = dict(lr=1.0, momentum=0.9, weight_decay=0.0, warmup_steps=0, r=0.0, weight_lr_power=2.0)

    def __init__(self, params, **kwargs):
        super().__init__(params, **kwargs)
        self.group["betas"] = (self.group["momentum"], 0.0)

    @torch.no_grad()
    def step(self):
        g = self.group
        beta = g["momentum"]
        k = g["k"]
        sched = (k + 1) / g["warmup_steps"] if k < g["warmup_steps"] else 1.0
        lr = g["lr"] * sched
        g["lr_max"] = lr_max = max(lr, g["lr_max"])
        weight = ((k + 1) ** g["r"]) * (lr_max ** g["weight_lr_power"])
        g["weight_sum"] += weight
        ckp1 = weight / g["weight_sum"] if g["weight_sum"] != 0 else 0.0
        for p in self.params:
            s = self.state[id(p)]
            if not s:
                s["z"] = p.clone()
            y, z = p, s["z"]
            u = p.grad + g["weight_decay"] * y if g["weight_decay"] != 0 else p.grad
            x = (y - (1 - beta) * z) / beta
            z.sub_(u, alpha=lr)
            x = (1 - ckp1) * x + ckp1 * z
            y.copy_((1 - beta) * z + beta * x)
        g["k"] = k + 1


class Prodigy(Reference):
    """Mishchenko & Defazio 2023, "Prodigy: An Expeditiously Adaptive Parameter-Free Learner",
    Algorithm 4 (Adam version) as the authors' prodigyopt implements it (defaults: no bias
    correction, decoupled weight decay, d0 = 1e-6, β3 = √β2):
        m ← β1 m + (1 − β1) d g;   v ← β2 v + (1 − β2) d² g²
        r ← β3 r + d/d0·dlr·⟨g, x0 − x⟩;   s ← β3 s + d/d0·dlr·g
        d ← max(d, d_coef·r/‖s‖₁);   x ← x − dlr·m/(√v + d ε)      (dlr = d·lr)"""
    defaults = dict(lr=1.0, betas=(0.9, 0.999), beta3=None, eps=1e-8, weight_decay=0.0,
                    d0=1e-6, d_coef=1.0, growth_rate=math.inf)

    def __init__(self, params, **kwargs):
        super().__init__(params, **kwargs)
        self.group.update(d=self.group["d0"], d_max=self.group["d0"], d_numerator=0.0, k=0)

    @torch.no_grad()
    def step(self):
        g = self.group
        beta1, beta2 = g["betas"]
        beta3 = g["beta3"] if g["beta3"] is not None else math.sqrt(beta2)
        d, lr = g["d"], g["lr"]
        dlr = d * lr
        d_numerator = g["d_numerator"] * beta3
        d_denom = 0.0
        for p in self.params:
            s = self.state[id(p)]
            if not s:
                s["step"] = 0
                s["s"] = torch.zeros_like(p)
                s["exp_avg"] = torch.zeros_like(p)
                s["exp_avg_sq"] = torch.zeros_like(p)
                s["p0"] = p.clone()
            grad = p.grad
            d_numerator += (d / g["d0"]) * dlr * torch.dot(grad.flatten(), (s["p0"] - p).flatten()).item()
            s["exp_avg"].mul_(beta1).add_(grad, alpha=d * (1 - beta1))
            s["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=d * d * (1 - beta2))
            s["s"].mul_(beta3).add_(grad, alpha=(d / g["d0"]) * dlr)
            d_denom += s["s"].abs().sum().item()
        if d_denom == 0:
            return
        d_hat = g["d_coef"] * d_numerator / d_denom
        if d == g["d0"]:
            d = max(d, d_hat)
        d_max = max(g["d_max"], d_hat)
        d = min(d_max, d * g["growth_rate"])
        g.update(d=d, d_max=d_max, d_numerator=d_numerator)
        for p in self.params:
            s = self.state[id(p)]
            s["step"] += 1
            denom = s["exp_avg_sq"].sqrt().add_(d * g["eps"])
            if g["weight_decay"] != 0:
                p.add_(p, alpha=-g["weight_decay"] * dlr)
            p.addcdiv_(s["exp_avg"], denom, value=-dlr)
        g["k"] += 1


def newton_schulz5(G, steps):
    """Jordan et al. 2024: X ← aX + (bA + cA²)X with A = XXᵀ, (a, b, c) = (3.4445, −4.7750, 2.0315),
    starting from G/‖G‖_F, on the wide orientation. (Done in G's dtype here, not bfloat16.)"""
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.clone()
    tall = G.size(0) > G.size(1)
    if tall:
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * (A @ A)
        X = a * X + B @ X
    return X.T if tall else X


class Muon(Reference):
    """Muon: momentum, then the update orthogonalised by Newton-Schulz (2-D weights); other
    parameters (biases) take AdamW with the aux_* options, as in the authors' MuonWithAuxAdam.
        b ← μb + (1 − μ)g;   u = (1 − μ)g + μb (nesterov) or b;   O = NS5(u)·√max(1, rows/cols)
        θ ← θ(1 − ηλ) − ηO"""
    defaults = dict(lr=0.02, momentum=0.95, nesterov=True, ns_steps=5, weight_decay=0.0,
                    aux_lr=3e-4, aux_betas=(0.9, 0.95), aux_eps=1e-10, aux_weight_decay=0.0)

    @torch.no_grad()
    def step(self):
        g = self.group
        for p in self.params:
            s = self.state[id(p)]
            grad = p.grad
            if p.dim() == 2:
                if not s:
                    s["momentum_buffer"] = torch.zeros_like(p)
                buf = s["momentum_buffer"]
                buf.lerp_(grad, 1 - g["momentum"])
                u = grad.lerp(buf, g["momentum"]) if g["nesterov"] else buf
                O = newton_schulz5(u, g["ns_steps"]) * max(1.0, p.size(0) / p.size(1)) ** 0.5
                p.mul_(1 - g["lr"] * g["weight_decay"])
                p.add_(O, alpha=-g["lr"])
            else:  # AdamW, written out
                beta1, beta2 = g["aux_betas"]
                if not s:
                    s["step"] = 0
                    s["exp_avg"] = torch.zeros_like(p)
                    s["exp_avg_sq"] = torch.zeros_like(p)
                s["step"] += 1
                t = s["step"]
                s["exp_avg"].mul_(beta1).add_(grad, alpha=1 - beta1)
                s["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                m_hat = s["exp_avg"] / (1 - beta1 ** t)
                v_hat = s["exp_avg_sq"] / (1 - beta2 ** t)
                p.mul_(1 - g["aux_lr"] * g["aux_weight_decay"])
                p.sub_(g["aux_lr"] * m_hat / (v_hat.sqrt() + g["aux_eps"]))


REFERENCES = {"NAdam": NAdam2, "RAdam": RAdam2, "Lion": Lion, "ScheduleFreeAdamW": ScheduleFreeAdamW,
              "ScheduleFreeSGD": ScheduleFreeSGD, "Prodigy": Prodigy, "Muon": Muon}


# ---------------------------------------------------------------------------
# optim_rules.json
# ---------------------------------------------------------------------------

TORCH_CONFIGS = [
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "maximize": True, "betas": [0.8, 0.9]}),
    ("Adamax", {"lr": 0.01}),
    ("Adamax", {"lr": 0.01, "weight_decay": 0.1, "betas": [0.8, 0.9], "eps": 1e-6}),
    ("Adamax", {"lr": 0.01, "maximize": True}),
    ("RAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "betas": [0.9, 0.9]}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8}),
    ("Adadelta", {"lr": 0.5, "weight_decay": 0.1, "eps": 1e-4}),
    ("Adadelta", {"maximize": True}),
    ("Rprop", {"lr": 0.01}),
    ("Rprop", {"lr": 0.01, "etas": [0.3, 1.5], "step_sizes": [1e-3, 0.05]}),
    ("Rprop", {"lr": 0.01, "maximize": True}),
    ("ASGD", {"lr": 0.01}),
    ("ASGD", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 3}),
    ("ASGD", {"lr": 0.05, "weight_decay": 0.1, "t0": 1}),
    ("ASGD", {"lr": 0.01, "maximize": True}),
    ("LBFGS", {"lr": 1}),
    ("LBFGS", {"lr": 0.5, "max_iter": 4, "history_size": 3}),
    ("LBFGS", {"lr": 1, "line_search_fn": "strong_wolfe"}),
    ("LBFGS", {"lr": 1, "max_iter": 3, "history_size": 2, "line_search_fn": "strong_wolfe"}),
]

# NAdam comes from the reference throughout: torch 1.13's NAdam computes the bias correction of the
# momentum term with mu_product·mu·mu_next (mu counted twice), a bug that torch 2.0 fixed
# (mu_product·mu_next). nabla follows torch 2.x and the paper (Dozat 2016).
REFERENCE_CONFIGS = [
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("NAdam", {"lr": 0.01, "maximize": True}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.01, "maximize": True}),
    ("Lion", {"lr": 0.001}),
    ("Lion", {"lr": 0.001, "betas": [0.95, 0.98], "weight_decay": 0.5}),
    ("Lion", {"lr": 0.001, "maximize": True}),
    ("ScheduleFreeAdamW", {"lr": 0.01}),
    ("ScheduleFreeAdamW", {"lr": 0.01, "warmup_steps": 5, "weight_decay": 0.1, "betas": [0.95, 0.99]}),
    ("ScheduleFreeAdamW", {"lr": 0.01, "r": 1.0, "weight_lr_power": 1.0}),
    ("ScheduleFreeSGD", {"lr": 0.1}),
    ("ScheduleFreeSGD", {"lr": 0.1, "momentum": 0.8, "warmup_steps": 3, "weight_decay": 0.05}),
    ("Prodigy", {}),
    ("Prodigy", {"d0": 1e-3, "weight_decay": 0.1, "betas": [0.9, 0.99]}),
    ("Prodigy", {"beta3": 0.9, "d_coef": 0.5, "growth_rate": 1.5}),
    ("Muon", {}),
    ("Muon", {"lr": 0.01, "momentum": 0.9, "nesterov": False, "weight_decay": 0.1, "aux_lr": 0.01}),
    ("Muon", {"ns_steps": 3, "aux_betas": [0.8, 0.9], "aux_weight_decay": 0.1}),
]

# The seed system's four rules with every option, in float64 too (optim.json has them in float32).
SEED_CONFIGS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "maximize": True}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "maximize": True, "betas": [0.8, 0.9], "eps": 1e-6}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "maximize": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
]


def torch_kwargs(kwargs):
    out = dict(kwargs)
    for key in ("betas", "etas", "step_sizes", "aux_betas"):
        if key in out:
            out[key] = tuple(out[key])
    return out


def run(name, kwargs, problem, source):
    W = problem["W"].detach().clone().requires_grad_(True)
    b = problem["b"].detach().clone().requires_grad_(True)
    x, y = problem["x"], problem["y"]
    if source == "torch":
        extra = {} if name == "LBFGS" else {"foreach": False}
        opt = getattr(torch.optim, name)([W, b], **extra, **torch_kwargs(kwargs))
    else:
        opt = REFERENCES[name]([W, b], **torch_kwargs(kwargs))

    def closure():
        if source == "torch":
            opt.zero_grad()
        else:
            W.grad = b.grad = None
        loss = ((x @ W + b - y) ** 2).mean()
        loss.backward()
        return loss

    steps = {}
    for step in range(1, max(RECORD_STEPS) + 1):
        if name == "LBFGS":
            opt.step(closure)
        else:
            closure()
            opt.step()
        if step in RECORD_STEPS:
            entry = {"W": enc(W), "b": enc(b)}
            if name.startswith("ScheduleFree"):
                # the averaged point x (eval mode), then back to training
                opt.eval()
                entry["evalW"], entry["evalb"] = enc(W), enc(b)
                opt.train()
            steps[str(step)] = entry
    return {"optimizer": name, "source": source, "kwargs": kwargs, "steps": steps}


def make_rules():
    torch.manual_seed(0)  # the problem of optim.json: the same seed and draws
    problem = {"x": torch.randn(6, 4), "y": torch.randn(6, 3), "W": torch.randn(4, 3), "b": torch.randn(3)}
    problem64 = {k: v.to(F64) for k, v in problem.items()}
    runs = [run(n, kw, problem, "torch") for n, kw in TORCH_CONFIGS]
    runs += [run(n, kw, problem, "reference") for n, kw in REFERENCE_CONFIGS]
    runs64 = [run(n, kw, problem64, "torch") for n, kw in SEED_CONFIGS + TORCH_CONFIGS]
    runs64 += [run(n, kw, problem64, "reference") for n, kw in REFERENCE_CONFIGS]
    write_json("optim_rules.json", {
        "torch_version": torch.__version__,
        "problem": {k: enc(v) for k, v in problem.items()},
        "runs": runs,
        "problem64": {k: enc(v) for k, v in problem64.items()},
        "float64_runs": runs64,
    })


# ---------------------------------------------------------------------------
# lr_schedulers.json
# ---------------------------------------------------------------------------

S = torch.optim.lr_scheduler
LAMBDAS = {  # named so the TypeScript test can rebuild them
    "0.95**epoch": lambda epoch: 0.95 ** epoch,
    "1/(epoch+1)": lambda epoch: 1 / (epoch + 1),
    "0.9": lambda epoch: 0.9,
    "0.5 if epoch%3==0 else 1": lambda epoch: 0.5 if epoch % 3 == 0 else 1.0,
}

SCHEDULER_CONFIGS = [
    ("StepLR", {"step_size": 7}),
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [5, 12, 20]}),
    ("MultiStepLR", {"milestones": [3, 3, 10], "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 12, "eta_min": 0.001}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "step_size_down": 5, "mode": "triangular2"}),
    ("CyclicLR", {"base_lr": [0.01, 0.02], "max_lr": 0.1, "step_size_up": 4, "mode": "exp_range", "gamma": 0.95,
                  "base_momentum": 0.85, "max_momentum": 0.95}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "cycle_momentum": False}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 30}),
    ("OneCycleLR", {"max_lr": [0.1, 0.2], "total_steps": 30, "anneal_strategy": "linear", "pct_start": 0.25}),
    ("OneCycleLR", {"max_lr": 0.1, "epochs": 3, "steps_per_epoch": 10, "three_phase": True, "div_factor": 10.0,
                    "final_div_factor": 100.0}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.75, "total_iters": 10}),
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 8}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 20, "power": 2.0}),
    ("LambdaLR", {"lr_lambda": "0.95**epoch"}),
    ("LambdaLR", {"lr_lambda": ["0.95**epoch", "1/(epoch+1)"]}),
    ("MultiplicativeLR", {"lr_lambda": "0.9"}),
    ("MultiplicativeLR", {"lr_lambda": "0.5 if epoch%3==0 else 1"}),
    ("SequentialLR", {"schedulers": [["LinearLR", {"start_factor": 0.1, "total_iters": 5}],
                                     ["CosineAnnealingLR", {"T_max": 25}]], "milestones": [5]}),
    ("SequentialLR", {"schedulers": [["ConstantLR", {"factor": 0.1, "total_iters": 2}],
                                     ["ExponentialLR", {"gamma": 0.9}],
                                     ["StepLR", {"step_size": 4, "gamma": 0.5}]], "milestones": [2, 12]}),
    ("ChainedScheduler", {"schedulers": [["ConstantLR", {"factor": 0.1, "total_iters": 2}],
                                         ["ExponentialLR", {"gamma": 0.9}]]}),
    ("ChainedScheduler", {"schedulers": [["LinearLR", {"start_factor": 0.5, "total_iters": 4}],
                                         ["StepLR", {"step_size": 5, "gamma": 0.5}],
                                         ["PolynomialLR", {"total_iters": 25, "power": 1.5}]]}),
]

PLATEAU_METRICS = [1.0, 0.9, 0.85, 0.85, 0.86, 0.84, 0.84, 0.84, 0.84, 0.9, 0.7, 0.7, 0.7, 0.7, 0.7,
                   0.7, 0.69999, 0.7, 0.71, 0.72, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
PLATEAU_CONFIGS = [
    {"patience": 2},
    {"mode": "max", "factor": 0.5, "patience": 1, "threshold": 0.01, "threshold_mode": "abs", "cooldown": 2},
    {"factor": 0.5, "patience": 0, "min_lr": [0.02, 0.03], "cooldown": 1},
    {"factor": 0.1, "patience": 1, "eps": 0.05},
]


def build(name, kwargs, opt):
    kw = dict(kwargs)
    if name in ("SequentialLR", "ChainedScheduler"):
        kw["schedulers"] = [build(n, k, opt) for n, k in kw["schedulers"]]
        if name == "SequentialLR":
            return S.SequentialLR(opt, **kw)
        return S.ChainedScheduler(kw["schedulers"])
    if "lr_lambda" in kw:
        v = kw["lr_lambda"]
        kw["lr_lambda"] = [LAMBDAS[n] for n in v] if isinstance(v, list) else LAMBDAS[v]
    return getattr(S, name)(opt, **kw)


def new_optimizer():
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    return torch.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.05}], lr=0.1, momentum=0.9)


def make_schedulers():
    runs = []
    for name, kwargs in SCHEDULER_CONFIGS:
        opt = new_optimizer()
        sched = build(name, kwargs, opt)
        lrs = [[g["lr"] for g in opt.param_groups]]
        momenta = [[g["momentum"] for g in opt.param_groups]]
        for _ in range(30):
            opt.step()
            sched.step()
            lrs.append([g["lr"] for g in opt.param_groups])
            momenta.append([g["momentum"] for g in opt.param_groups])
        runs.append({"scheduler": name, "kwargs": kwargs, "lrs": lrs, "momenta": momenta})
    for kwargs in PLATEAU_CONFIGS:
        opt = new_optimizer()
        sched = S.ReduceLROnPlateau(opt, **kwargs)
        lrs = [[g["lr"] for g in opt.param_groups]]
        for metric in PLATEAU_METRICS:
            opt.step()
            sched.step(metric)
            lrs.append([g["lr"] for g in opt.param_groups])
        runs.append({"scheduler": "ReduceLROnPlateau", "kwargs": kwargs, "metrics": PLATEAU_METRICS, "lrs": lrs})
    # OneCycleLR with Adam cycles beta1 instead of momentum
    p = torch.zeros(2, requires_grad=True)
    adam = torch.optim.Adam([p], lr=0.1)
    sched = S.OneCycleLR(adam, max_lr=0.1, total_steps=30)
    betas = [list(adam.param_groups[0]["betas"])]
    lrs = [[adam.param_groups[0]["lr"]]]
    for _ in range(29):
        adam.step()
        sched.step()
        betas.append(list(adam.param_groups[0]["betas"]))
        lrs.append([adam.param_groups[0]["lr"]])
    write_json("lr_schedulers.json", {
        "torch_version": torch.__version__,
        "optimizer": {"lr": [0.1, 0.05], "momentum": 0.9},
        "runs": runs,
        "one_cycle_adam": {"kwargs": {"max_lr": 0.1, "total_steps": 30}, "lrs": lrs, "betas": betas},
    })


# ---------------------------------------------------------------------------
# optim_clip_grad.json
# ---------------------------------------------------------------------------

def make_clip():
    torch.manual_seed(5)
    cases = []
    for dtype in (F32, F64):
        grads = [torch.randn(3, 4).to(dtype), torch.randn(5).to(dtype), (torch.randn(2, 2) * 3).to(dtype)]
        for norm_type in [2.0, 1.0, 3.0, 0.5, "inf"]:
            for max_norm in [0.5, 1000.0]:
                params = [torch.zeros_like(g, requires_grad=True) for g in grads]
                for p, g in zip(params, grads):
                    p.grad = g.clone()
                nt = math.inf if norm_type == "inf" else norm_type
                total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=nt)
                cases.append({"kind": "norm", "max_norm": max_norm, "norm_type": norm_type,
                              "grads": [enc(g) for g in grads], "total_norm": enc(total),
                              "clipped": [enc(p.grad) for p in params]})
        for clip_value in [0.3, 1.5]:
            params = [torch.zeros_like(g, requires_grad=True) for g in grads]
            for p, g in zip(params, grads):
                p.grad = g.clone()
            torch.nn.utils.clip_grad_value_(params, clip_value)
            cases.append({"kind": "value", "clip_value": clip_value, "grads": [enc(g) for g in grads],
                          "clipped": [enc(p.grad) for p in params]})
    write_json("optim_clip_grad.json", {"torch_version": torch.__version__, "cases": cases})


if __name__ == "__main__":
    make_rules()
    make_schedulers()
    make_clip()
