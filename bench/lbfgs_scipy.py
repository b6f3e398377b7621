#!/usr/bin/python3
"""Descent's L-BFGS next to SciPy's L-BFGS-B on the Moré-Garbow-Hillstrom style suite.

Usage (from the repository root):  /usr/bin/python3 bench/lbfgs_scipy.py [--history 10] [--gtol 1e-6] [--ftol 1e-12] [--repeat 3]

Runs `./descent minimize --all --json` (the same problems, sizes, m and tolerances) once, then SciPy on each
problem (best wall time of --repeat runs on both sides), and prints a Markdown table. Not part of the tests.
"""
import argparse, json, subprocess, sys, time
import numpy as np
import scipy
from scipy.optimize import minimize


def rosenbrock(x):
    a = x[1:] - x[:-1] ** 2
    b = 1 - x[:-1]
    f = np.sum(100 * a * a + b * b)
    g = np.zeros_like(x)
    g[:-1] = -400 * x[:-1] * a - 2 * b
    g[1:] += 200 * a
    return f, g


def powell(x):
    x1, x2, x3, x4 = x[0::4], x[1::4], x[2::4], x[3::4]
    a, b, c, d = x1 + 10 * x2, x3 - x4, x2 - 2 * x3, x1 - x4
    f = np.sum(a * a + 5 * b * b + c ** 4 + 10 * d ** 4)
    g = np.empty_like(x)
    c3, d3 = 4 * c ** 3, 40 * d ** 3
    g[0::4] = 2 * a + d3
    g[1::4] = 20 * a + c3
    g[2::4] = 10 * b - 2 * c3
    g[3::4] = -10 * b - d3
    return f, g


def beale(x):
    u, v = x[0::2], x[1::2]
    r1, r2, r3 = 1.5 - u * (1 - v), 2.25 - u * (1 - v * v), 2.625 - u * (1 - v ** 3)
    g = np.empty_like(x)
    g[0::2] = 2 * (r1 * (v - 1) + r2 * (v * v - 1) + r3 * (v ** 3 - 1))
    g[1::2] = 2 * (r1 * u + r2 * 2 * u * v + r3 * 3 * u * v * v)
    return np.sum(r1 * r1 + r2 * r2 + r3 * r3), g


def himmelblau(x):
    u, v = x[0::2], x[1::2]
    a, b = u * u + v - 11, u + v * v - 7
    g = np.empty_like(x)
    g[0::2] = 4 * a * u + 2 * b
    g[1::2] = 2 * a + 4 * b * v
    return np.sum(a * a + b * b), g


def trigonometric(x):
    n = x.size
    i = np.arange(1, n + 1)
    c, s = np.cos(x), np.sin(x)
    r = n - c.sum() + i * (1 - c) - s
    return np.sum(r * r), 2 * (s * r.sum() + r * (i * s - c))


def broyden(x):
    xp = np.concatenate(([0.0], x, [0.0]))
    r = (3 - 2 * x) * x - xp[:-2] - 2 * xp[2:] + 1
    rp = np.concatenate(([0.0], r, [0.0]))
    return np.sum(r * r), 2 * (r * (3 - 4 * x) - rp[2:] - 2 * rp[:-2])


_coef = {}
def quadratic(x):
    n = x.size
    c = _coef.get(n)
    if c is None:
        c = _coef[n] = 10.0 ** (6.0 * np.arange(n) / (n - 1))
    return 0.5 * np.sum(c * x * x), c * x


PROBLEMS = {
    "rosenbrock": (rosenbrock, lambda n: np.where(np.arange(n) % 2 == 0, -1.2, 1.0)),
    "powell": (powell, lambda n: np.tile([3.0, -1.0, 0.0, 1.0], n // 4)),
    "beale": (beale, lambda n: np.ones(n)),
    "himmelblau": (himmelblau, lambda n: np.ones(n)),
    "trigonometric": (trigonometric, lambda n: np.full(n, 1.0 / n)),
    "broyden": (broyden, lambda n: -np.ones(n)),
    "quadratic": (quadratic, lambda n: np.ones(n)),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--history", type=int, default=10)
    ap.add_argument("--gtol", type=float, default=1e-6)
    ap.add_argument("--ftol", type=float, default=1e-12)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cmd = ["./descent", "minimize", "--all", "--json", "--history", str(args.history), "--gtol", repr(args.gtol),
           "--ftol", repr(args.ftol), "--repeat", str(args.repeat)]
    # Build first so that compiler messages never mix with the JSON on standard output.
    subprocess.run(["dotnet", "build", "src/Descent.Cli", "-c", "Release", "-v", "q", "-nologo"], check=True, capture_output=True)
    descent = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    print(f"Descent `{' '.join(cmd)}` vs SciPy {scipy.__version__} L-BFGS-B (maxcor={args.history}, gtol={args.gtol}, "
          f"ftol={args.ftol}, maxiter=maxfun=15000); seconds: best of at least {args.repeat} runs (short problems repeated until 0.5 s spent, at most 100 runs).\n")
    print("| problem | n | Descent iter | SciPy iter | Descent evals | SciPy evals | Descent max abs g | SciPy max abs g "
          "| Descent f | SciPy f | Descent s | SciPy s | Descent reason | SciPy message |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    ratios = []
    for row in descent:
        fun, start = PROBLEMS[row["problem"]]
        n = row["n"]
        best, res = float("inf"), None
        spent, runs = 0.0, 0
        # Same rule as `descent minimize --repeat`: at least --repeat runs, more (up to 100) until 0.5 s spent.
        while runs < args.repeat or (args.repeat > 1 and spent < 0.5 and runs < 100):
            runs += 1
            x0 = start(n)
            t0 = time.perf_counter()
            res = minimize(fun, x0, jac=True, method="L-BFGS-B",
                           options=dict(maxcor=args.history, gtol=args.gtol, ftol=args.ftol, maxiter=15000, maxfun=15000))
            elapsed = time.perf_counter() - t0
            best = min(best, elapsed)
            spent += elapsed
        gmax = float(np.max(np.abs(res.jac)))
        ratios.append(row["evaluations"] / res.nfev)
        msg = res.message.decode() if isinstance(res.message, bytes) else str(res.message)
        print(f"| {row['problem']} | {n} | {row['iterations']} | {res.nit} | {row['evaluations']} | {res.nfev} "
              f"| {row['max_abs_gradient']:.2e} | {gmax:.2e} | {row['value']:.3e} | {res.fun:.3e} "
              f"| {row['seconds']:.4f} | {best:.4f} | {row['reason']} | {msg} |")
    print(f"\nmedian Descent/SciPy evaluation ratio: {float(np.median(ratios)):.3f}")


if __name__ == "__main__":
    sys.exit(main())
