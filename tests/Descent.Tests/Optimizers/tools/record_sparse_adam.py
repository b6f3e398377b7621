#!/usr/bin/python3
"""Records SparseAdam traces with real sparse (COO, row-indexed) gradients, PyTorch 1.13, float64.

Run: /usr/bin/python3 record_sparse_adam.py OUTDIR. The golden optimizer format (tests/Descent.Tests/Fixtures/golden/README.md)
plus `sparse_grads[t][k]` = {"indices": rows (may repeat: PyTorch coalesces them by summing), "values": one row of values each};
`grads[t][k]` is the same gradient made dense, for readers that do not know sparse gradients. The tests never run this script.
"""
import json
import os
import sys

import torch

torch.manual_seed(2020)
torch.set_default_dtype(torch.float64)
out = sys.argv[1] if len(sys.argv) > 1 else "."


def record(name, options, shapes, steps):
    params = [torch.randn(*s).requires_grad_(True) for s in shapes]
    init = [p.detach().clone().flatten().tolist() for p in params]
    opt = torch.optim.SparseAdam(params, **options)
    sparse, dense, expected = [], [], []
    for t in range(steps):
        sparse_t, dense_t = [], []
        for p in params:
            rows = p.shape[0]
            count = int(torch.randint(1, rows + 3, (1,)))  # 1 row to more than rows (repeats); PyTorch 1.13 fails on an empty sparse gradient
            indices = torch.randint(0, rows, (count,))
            values = torch.randn(count, *p.shape[1:])
            g = torch.sparse_coo_tensor(indices.unsqueeze(0), values, p.shape)
            p.grad = g
            sparse_t.append({"indices": indices.tolist(), "values": values.tolist()})
            dense_t.append(g.to_dense().flatten().tolist())
        opt.step()
        sparse.append(sparse_t)
        dense.append(dense_t)
        expected.append([p.detach().clone().flatten().tolist() for p in params])
    case = {"kind": "optimizer", "optimizer": "SparseAdam", "options": options, "shapes": [list(s) for s in shapes], "params": init,
            "grads": dense, "sparse_grads": sparse, "expected": expected, "tolerance": {"rtol": 1e-9, "atol": 1e-12}, "name": name,
            "recorded_with": "torch " + torch.__version__}
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(case, f)


record("sparse-adam", {"lr": 0.01}, [(8, 3), (5,)], 12)
record("sparse-adam-betas", {"lr": 0.05, "betas": [0.8, 0.95], "eps": 1e-6}, [(6, 4)], 10)
