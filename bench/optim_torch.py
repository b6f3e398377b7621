#!/usr/bin/env python3
"""Times torch.optim steps (foreach and single-tensor paths) on the sizes `descent bench` uses.

Not part of the tests. Example (PyTorch 1.13, Debian python3-torch):
  /usr/bin/python3 bench/optim_torch.py --params 16777216 --tensors 1 --threads 2 --dtype float
Prints one line per optimizer and path: ms per step (median), bytes at the minimum, GB/s; --json for JSON.
"""
import argparse
import json
import statistics
import time

import torch

# name -> (constructor, kwargs, state buffers per parameter)
OPTIMIZERS = {
    "sgd": (torch.optim.SGD, dict(lr=0.01), 0),
    "momentum": (torch.optim.SGD, dict(lr=0.01, momentum=0.9), 1),
    "nesterov": (torch.optim.SGD, dict(lr=0.01, momentum=0.9, nesterov=True), 1),
    "adagrad": (torch.optim.Adagrad, dict(lr=0.01), 1),
    "rmsprop": (torch.optim.RMSprop, dict(lr=0.01), 1),
    "adam": (torch.optim.Adam, dict(lr=1e-3), 2),
    "adamw": (torch.optim.AdamW, dict(lr=1e-3), 2),
    "amsgrad": (torch.optim.Adam, dict(lr=1e-3, amsgrad=True), 3),
}


def triad(n, dtype, repeats):
    a = torch.zeros(n, dtype=dtype)
    b = torch.full((n,), 1e-3, dtype=dtype)
    for _ in range(3):
        a.add_(b, alpha=0.5)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        a.add_(b, alpha=0.5)
        times.append(time.perf_counter() - t)
    return 3 * a.element_size() * n / statistics.median(times) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    ap.add_argument("--params", type=int, default=1 << 24)
    ap.add_argument("--tensors", type=int, default=1)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--dtype", choices=["float", "double"], default="float")
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--loss-rows", type=int, default=4096, help="rows of the softmax cross-entropy timing (0 skips it)")
    ap.add_argument("--loss-classes", type=int, default=1000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dtype = torch.float32 if args.dtype == "float" else torch.float64
    size = torch.tensor([], dtype=dtype).element_size()
    lengths = [args.params // args.tensors] * args.tensors
    lengths[-1] += args.params % args.tensors
    names = [n for n in args.optimizers.split(",") if n]
    max_state = max(OPTIMIZERS[n][2] for n in names)
    reference = triad(max(args.params * (2 + max_state) // 2, args.params), dtype, args.repeats)
    results = []
    for name in names:
        ctor, kwargs, buffers = OPTIMIZERS[name]
        for foreach in (False, True):
            params = [torch.nn.Parameter(torch.rand(n, dtype=dtype) - 0.5) for n in lengths]
            for p in params:
                p.grad = (torch.rand(p.shape[0], dtype=dtype) - 0.5) * 1e-2
            opt = ctor(params, foreach=foreach, **kwargs)
            with torch.no_grad():
                for _ in range(args.warmup):
                    opt.step()
                times = []
                for _ in range(args.repeats):
                    t = time.perf_counter()
                    opt.step()
                    times.append(time.perf_counter() - t)
            seconds = statistics.median(times)
            min_bytes = (3 + 2 * buffers) * size
            gbps = min_bytes * args.params / seconds / 1e9
            results.append(dict(optimizer=name, path="foreach" if foreach else "single", params=args.params,
                                tensors=args.tensors, dtype=args.dtype, seconds_per_step=seconds,
                                min_bytes_per_param=min_bytes, effective_gbps=gbps,
                                fraction_of_reference=gbps / reference))
            del opt, params
    losses = []
    if args.loss_rows > 0:
        # F.cross_entropy forward and backward (mean reduction, class-index targets), as `descent bench`'s loss row.
        gen = torch.Generator().manual_seed(0)
        x = (torch.rand(args.loss_rows, args.loss_classes, generator=gen, dtype=dtype) * 10 - 5).requires_grad_()
        t = torch.randint(0, args.loss_classes, (args.loss_rows,), generator=gen)

        def call():
            x.grad = None
            torch.nn.functional.cross_entropy(x, t).backward()

        for _ in range(max(args.warmup, 5)):
            call()
        times = []
        for _ in range(max(args.repeats, 20)):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        gbps = 2 * size * args.loss_rows * args.loss_classes / seconds / 1e9
        losses.append(dict(loss="softmax_cross_entropy", rows=args.loss_rows, classes=args.loss_classes, dtype=args.dtype,
                           seconds_per_call=seconds, min_bytes_per_element=2 * size, effective_gbps=gbps,
                           fraction_of_reference=gbps / reference))
    if args.json:
        print(json.dumps(dict(torch=torch.__version__, reference_gbps=reference, threads=args.threads, results=results,
                              losses=losses), indent=1))
    else:
        print(f"torch {torch.__version__}, threads={args.threads}, triad {reference:.1f} GB/s")
        for r in results:
            print(f"{r['optimizer']:<10} {r['path']:<8} {r['params']:>10} {r['tensors']:>6} {r['dtype']:<6} "
                  f"{r['seconds_per_step'] * 1e3:9.3f} ms {r['min_bytes_per_param']:3} B {r['effective_gbps']:7.1f} GB/s "
                  f"{100 * r['fraction_of_reference']:5.1f}%")
        for r in losses:
            print(f"{r['loss']} {r['rows']}x{r['classes']} {r['dtype']:<6} {r['seconds_per_call'] * 1e3:9.3f} ms "
                  f"{r['effective_gbps']:7.1f} GB/s {100 * r['fraction_of_reference']:5.1f}%")


if __name__ == "__main__":
    main()
