#!/usr/bin/python3
"""Records the extra torch.nn loss traces of issue 20 (CTC, TripletMarginWithDistance, more option combinations).

Run with Debian's PyTorch 1.13 (`apt-get install python3-torch`): /usr/bin/python3 record_losses.py OUTDIR
Writes one JSON file per case in the golden format (tests/Descent.Tests/Fixtures/golden/README.md), float64.
The tests never run this script; they read the committed JSON.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20)
torch.set_default_dtype(torch.float64)
out = sys.argv[1] if len(sys.argv) > 1 else "."
TOL = {"rtol": 1e-9, "atol": 1e-12}


def save(name, loss, options, inp, target, value, grad, tolerance=TOL):
    case = {"kind": "loss", "loss": loss, "options": options, "input": inp.tolist(),
            "target": target if target is None or isinstance(target, list) else target.tolist(),
            "expected_value": value.tolist(), "expected_grad": grad.tolist(), "tolerance": tolerance, "name": name,
            "recorded_with": "torch " + torch.__version__}
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(case, f)


def pointwise(name, cls, options, x, y, **kw):
    x = x.clone().requires_grad_(True)
    v = cls(**kw)(x, y)
    v.sum().backward()
    save(name, cls.__name__, options, x.detach(), y, v.detach(), x.grad)


# PoissonNLLLoss: full (Stirling term where y > 1), sum / none
y = torch.tensor([0., 1., 2., 3., 5., 8.])
pointwise("poisson-nll-log-full-sum", nn.PoissonNLLLoss, {"log_input": True, "full": True, "reduction": "sum"},
          torch.randn(6), y, log_input=True, full=True, reduction="sum")
pointwise("poisson-nll-rate-full-none", nn.PoissonNLLLoss, {"log_input": False, "full": True, "eps": 1e-6, "reduction": "none"},
          torch.rand(6) * 3 + 0.05, y, log_input=False, full=True, eps=1e-6, reduction="none")

# GaussianNLLLoss: full, variance clamping (entries below eps), sum
mean = torch.randn(8)
var = torch.rand(8) + 0.1
var[1] = 1e-9
var[5] = 0.0
target = torch.randn(8)
inp = torch.stack([mean, var]).requires_grad_(True)
v = nn.GaussianNLLLoss(full=True, eps=1e-4, reduction="sum")(inp[0], target, inp[1])
v.backward()
save("gaussian-nll-full-clamped-sum", "GaussianNLLLoss", {"full": True, "eps": 1e-4, "reduction": "sum", "input_layout": "[mean, var]"},
     inp.detach(), target, v.detach(), inp.grad)

# MarginRankingLoss with a margin, none
inp = torch.randn(2, 7).requires_grad_(True)
t = torch.tensor([1., -1., 1., 1., -1., -1., 1.])
v = nn.MarginRankingLoss(margin=0.3, reduction="none")(inp[0], inp[1], t)
v.sum().backward()
save("margin-ranking-margin-none", "MarginRankingLoss", {"margin": 0.3, "reduction": "none", "input_layout": "[x1, x2]"},
     inp.detach(), t, v.detach(), inp.grad)

# HingeEmbeddingLoss with margin 2, sum
pointwise("hinge-embedding-margin-sum", nn.HingeEmbeddingLoss, {"margin": 2.0, "reduction": "sum"},
          torch.rand(8) * 3, torch.tensor([1., -1., -1., 1., -1., 1., -1., -1.]), margin=2.0, reduction="sum")

# MultiLabelSoftMarginLoss with class weights, none
x = torch.randn(5, 4).requires_grad_(True)
y = (torch.rand(5, 4) > 0.5).double()
w = torch.tensor([0.5, 1.0, 2.0, 0.25])
v = nn.MultiLabelSoftMarginLoss(weight=w, reduction="none")(x, y)
v.sum().backward()
save("multilabel-soft-margin-weight-none", "MultiLabelSoftMarginLoss", {"weight": w.tolist(), "reduction": "none"}, x.detach(), y, v.detach(), x.grad)

# MultiLabelMarginLoss, sum
x = torch.randn(4, 5).requires_grad_(True)
y = torch.tensor([[4, 1, -1, 0, 0], [0, 1, 2, 3, 4], [2, -1, 3, 3, 3], [3, 0, -1, -1, -1]])
v = nn.MultiLabelMarginLoss(reduction="sum")(x, y)
v.backward()
save("multilabel-margin-sum", "MultiLabelMarginLoss", {"reduction": "sum", "target_layout": "class indices, -1 ends the list"},
     x.detach(), y.tolist(), v.detach(), x.grad)

# TripletMarginWithDistanceLoss: default (pairwise_distance), cosine distance with swap, none
for name, fn, opts, kw in [
    ("triplet-distance-pairwise", None, {"distance": "pairwise", "margin": 1.0}, {}),
    ("triplet-distance-cosine-swap", lambda a, b: 1.0 - F.cosine_similarity(a, b), {"distance": "cosine", "margin": 0.5, "swap": True},
     {"margin": 0.5, "swap": True}),
    ("triplet-distance-pairwise-none", None, {"distance": "pairwise", "margin": 2.0, "reduction": "none"}, {"margin": 2.0, "reduction": "none"}),
]:
    inp = (torch.randn(3, 6, 4) * 0.7).requires_grad_(True)
    loss = nn.TripletMarginWithDistanceLoss(distance_function=fn, **kw)
    v = loss(inp[0], inp[1], inp[2])
    v.sum().backward()
    save(name, "TripletMarginWithDistanceLoss", opts, inp.detach(), None, v.detach(), inp.grad)


# CTCLoss: log_probs [T, N, C] as a leaf (PyTorch's gradient with respect to it), concatenated targets
def ctc(name, T, C, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False, repeat=False, scale=1.0):
    N = len(input_lengths)
    logits = torch.randn(T, N, C) * scale
    lp = F.log_softmax(logits, dim=2).detach().requires_grad_(True)
    labels = [c for c in range(C) if c != blank]
    targets = []
    for L in target_lengths:
        seq = [labels[int(torch.randint(len(labels), (1,)))] for _ in range(L)]
        if repeat and L >= 2:
            seq[1] = seq[0]
        targets += seq
    v = F.ctc_loss(lp, torch.tensor(targets, dtype=torch.long), torch.tensor(input_lengths), torch.tensor(target_lengths),
                   blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    v.sum().backward()
    save(name, "CTCLoss", {"blank": blank, "reduction": reduction, "zero_infinity": zero_infinity,
                           "input_lengths": input_lengths, "target_lengths": target_lengths, "input_layout": "[T, N, C] log-probabilities"},
         lp.detach(), targets, v.detach(), lp.grad)


ctc("ctc-mean", 12, 5, [12, 10, 7], [4, 3, 0])
ctc("ctc-sum-repeats", 10, 4, [10, 9], [3, 4], reduction="sum", repeat=True)
ctc("ctc-blank-last-none", 9, 6, [9, 8, 9], [2, 5, 3], blank=5, reduction="none", repeat=True)
ctc("ctc-zero-infinity", 6, 4, [6, 3], [2, 3], reduction="mean", zero_infinity=True, repeat=True)
ctc("ctc-long", 400, 8, [400, 350], [60, 45], reduction="mean", repeat=True, scale=3.0)
