#!/usr/bin/env python3
"""Turns `descent bench --json` (and optionally `optim_torch.py --json`) output into the markdown tables of bench/README.md.

Not part of the tests. Example:
  ./descent bench --scaling --json > d.json; /usr/bin/python3 bench/optim_torch.py --threads 2 --json > t.json
  /usr/bin/python3 bench/tables.py d.json --torch t.json
"""
import argparse
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("descent")
    ap.add_argument("--torch")
    args = ap.parse_args()
    d = json.load(open(args.descent))
    t = json.load(open(args.torch)) if args.torch else None
    torch_best = {}
    if t:
        for r in t["results"]:
            key = r["optimizer"]
            torch_best.setdefault(key, {})[r["path"]] = r["seconds_per_step"]
    split = any("ratio_to_one_buffer" in r for r in d["results"])
    head = "| optimizer | B/param | ms/step | GB/s | triad just before, GB/s | of triad |"
    rule = "|---|---:|---:|---:|---:|---:|"
    if split:
        head += " one buffer ms | ratio |"
        rule += "---:|---:|"
    if t:
        head += " torch single ms | torch foreach ms | torch best / Descent |"
        rule += "---:|---:|---:|"
    print(f"reference: triad {d['reference_gbps']:.1f} GB/s (median of the run's measurements), copy {d['copy_gbps']:.1f} GB/s, "
          f"{d['threads']} thread(s)" + (f"; PyTorch-process triad {t['reference_gbps']:.1f} GB/s" if t else ""))
    print()
    print(head)
    print(rule)
    for r in d["results"]:
        row = (f"| {r['optimizer']} | {r['min_bytes_per_param']} | {r['seconds_per_step'] * 1e3:.3f} | {r['effective_gbps']:.1f} | "
               f"{r['reference_gbps']:.1f} | {100 * r['fraction_of_reference']:.1f}% |")
        if split:
            row += f" {r['one_buffer_seconds_per_step'] * 1e3:.3f} | {r['ratio_to_one_buffer']:.2f} |"
        if t:
            tb = torch_best.get(r["optimizer"])
            if tb:
                best = min(tb.values())
                row += f" {tb['single'] * 1e3:.3f} | {tb['foreach'] * 1e3:.3f} | {best / r['seconds_per_step']:.2f}x |"
            else:
                row += " - | - | - |"
        print(row)
    for l in d.get("losses", []):
        line = (f"\nsoftmax cross-entropy {l['rows']}x{l['classes']} {l['dtype']} (value and gradient): {l['seconds_per_call'] * 1e3:.3f} ms, "
                f"{l['effective_gbps']:.1f} GB/s at {l['min_bytes_per_element']} B/element, {100 * l['fraction_of_reference']:.1f}% of the triad "
                f"just before ({l['reference_gbps']:.1f} GB/s)")
        if t and t.get("losses"):
            tl = t["losses"][0]
            line += f"; PyTorch F.cross_entropy forward+backward {tl['seconds_per_call'] * 1e3:.3f} ms ({tl['seconds_per_call'] / l['seconds_per_call']:.2f}x Descent's time)"
        print(line)
    if "scaling" in d:
        pts = d["scaling"]
        print()
        print("| threads | " + " | ".join(str(p["threads"]) for p in pts) + " | speed-up | same bits |")
        print("|---|" + "---:|" * len(pts) + "---:|---|")
        print("| triad GB/s | " + " | ".join(f"{p['reference_gbps']:.1f}" for p in pts) + f" | {pts[-1]['reference_gbps'] / pts[0]['reference_gbps']:.2f}x | |")
        same = d.get("identical_across_threads", {})
        for k, r in enumerate(d["results"]):
            ms = [p["results"][k]["seconds_per_step"] for p in pts]
            print(f"| {r['optimizer']} ms | " + " | ".join(f"{m * 1e3:.3f}" for m in ms) + f" | {ms[0] / ms[-1]:.2f}x | {'yes' if same.get(r['optimizer']) else 'NO'} |")
        for k, l in enumerate(d.get("losses", [])):
            ms = [p["losses"][k]["seconds_per_call"] for p in pts]
            print(f"| {l['loss']} ms | " + " | ".join(f"{m * 1e3:.3f}" for m in ms) + f" | {ms[0] / ms[-1]:.2f}x | {'yes' if same.get(l['loss']) else 'NO'} |")


if __name__ == "__main__":
    main()
