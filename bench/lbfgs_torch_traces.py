#!/usr/bin/env python3
"""Records torch.optim.LBFGS reference traces (PyTorch 1.13, float64) for `descent parity`.

Run with Debian's python3-torch:  /usr/bin/python3 bench/lbfgs_torch_traces.py [OUT_DIR]
(default OUT_DIR: tests/Descent.Tests/Fixtures/golden/optimizers). The format is the one in
tests/Descent.Tests/Fixtures/golden/README.md: after each outer step(closure) call, the parameters
(`expected`), the objective at them (`expected_loss`) and the running closure-evaluation count
(`expected_evaluations`, PyTorch's state['func_evals']).

The cases cover what the original two traces did not: history sizes 1-5 and 10 with the history full
and carried across several step() calls, max_eval below max_iter, tolerance_grad and tolerance_change
large enough to end steps early, each with line_search_fn None and 'strong_wolfe'.
"""
import json
import math
import os
import sys

import torch

torch.set_default_dtype(torch.float64)


def rosenbrock(x):
    return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum()


def record(name, dim, steps, **options):
    start = torch.tensor([-1.2 if i % 2 == 0 else 1.0 for i in range(dim)], dtype=torch.float64)
    case = run(name, start, steps, **options)
    # Conditioning check: PyTorch itself, started 1e-15 (relative) away, must stay within a tenth of the tolerance.
    # Rosenbrock under L-BFGS is chaotic for some settings (a last-bit difference grows to 1e-3 in 20 steps); such a
    # trace could not tell a correct implementation from a wrong one, so it is not written.
    again = run(name, start * (1 + 1e-15), steps, **options)
    for t, (a, b) in enumerate(zip(case["expected"], again["expected"])):
        worst = max(abs(u - v) / (1e-8 + 1e-6 * abs(u)) for u, v in zip(a[0], b[0]))
        if worst > 0.1 or case["expected_evaluations"][t] != again["expected_evaluations"][t]:
            raise SystemExit(f"{name}: ill-conditioned at step {t} (PyTorch departs from itself by {worst:.3g} x tolerance)")
    return case


def run(name, start, steps, **options):
    x = start.clone().requires_grad_(True)
    opt = torch.optim.LBFGS([x], **options)

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    expected, losses, evaluations = [], [], []
    for _ in range(steps):
        opt.step(closure)
        with torch.no_grad():
            loss = float(rosenbrock(x))
        values = x.detach().tolist()
        if not all(math.isfinite(v) for v in values) or not math.isfinite(loss):
            raise SystemExit(f"{name}: non-finite trace, choose other options")
        expected.append([values])
        losses.append(loss)
        evaluations.append(opt.state[x]['func_evals'])
    written_options = {k: (v if v is not None else "none") for k, v in options.items()}
    if written_options.get("line_search_fn") == "none":
        del written_options["line_search_fn"]
    return {
        "kind": "optimizer",
        "optimizer": "LBFGS",
        "options": written_options,
        "objective": "rosenbrock",
        "shapes": [[len(start)]],
        "params": [start.tolist()],  # the unperturbed start for the written case
        "expected": expected,
        "expected_loss": losses,
        "expected_evaluations": evaluations,
        "tolerance": {"rtol": 1e-6, "atol": 1e-8},
        "name": name,
        "recorded_with": f"torch {torch.__version__}, bench/lbfgs_torch_traces.py",
    }


def cases():
    for search in (None, "strong_wolfe"):
        mode = "wolfe" if search else "plain"
        lr = 1 if search else 0.5
        for history in (1, 2, 3, 4, 5, 10):
            # max_iter 4 and 8 steps: the history fills within the first steps and is carried across calls.
            yield f"lbfgs-{mode}-h{history}", dict(dim=6, steps=8, lr=lr, max_iter=4, history_size=history,
                                                   line_search_fn=search)
        yield f"lbfgs-{mode}-maxeval", dict(dim=6, steps=6, lr=lr, max_iter=20, max_eval=7, history_size=3,
                                            line_search_fn=search)
        yield f"lbfgs-{mode}-tolgrad", dict(dim=4, steps=8, lr=lr, max_iter=10, history_size=4,
                                            tolerance_grad=1e-2, line_search_fn=search)
        yield f"lbfgs-{mode}-tolchange", dict(dim=4, steps=8, lr=lr, max_iter=10, history_size=4,
                                              tolerance_change=1e-4, line_search_fn=search)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "tests", "Descent.Tests", "Fixtures", "golden", "optimizers")
    os.makedirs(out, exist_ok=True)
    for name, spec in cases():
        spec = dict(spec)
        case = record(name, spec.pop("dim"), spec.pop("steps"), **spec)
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(case, f)
            f.write("\n")
        print(f"{name}: evaluations {case['expected_evaluations']} final loss {case['expected_loss'][-1]:.3e}")


if __name__ == "__main__":
    main()
