"""The device run's table (bench/device/run.sh): ncvx's device trajectory
beside its floor and the PyTorch peer on the same card, as in docs/gpu.md.

    python3 bench/device/table.py bench.csv
"""
import csv
import sys

FIELDS = ["case", "n", "m", "k", "runs", "median_seconds", "per_trajectory", "stored_bytes", "peak_rss", "note"]


def milliseconds(seconds):
    return f"{seconds * 1e3:.3g} ms"


def main():
    rows = [dict(zip(FIELDS, line)) for line in csv.reader(open(sys.argv[1])) if line]
    notes = {id(r): dict(item.split("=", 1) for item in r["note"].split(";") if "=" in item) for r in rows}
    print("| case | size | ncvx | floor | ncvx / floor | torch | torch / ncvx |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        if not r["case"].startswith("device_"):
            continue
        seconds, floor = float(r["median_seconds"]), float(r["per_trajectory"])
        single = float(r["stored_bytes"]) < 8 * int(r["m"]) * (int(r["n"]) * (int(r["n"]) + 1) // 2)
        if r["case"] == "device_sensing" and int(r["n"]) > 200:
            print(f"| {r['case']} | regenerated Gaussian n={r['n']} m={r['m']} k={r['k']} (one iteration of the sweep) | "
                  f"{milliseconds(seconds)} | | | | |")
            continue
        if r["case"] == "device_sensing":
            dtype = "float32" if single else "float64"
            peer = next((p for p in rows if p["case"] == "torch_gpu_sensing" and f"dtype={dtype}" in p["note"]), None)
            passes = ", two passes" if notes[id(r)].get("passes") == "two" else ""
            size = f"Gaussian sensing n={r['n']} m={r['m']} k={r['k']} ({'single' if single else 'double'}{passes})"
        else:
            peer = next((p for p in rows if p["case"] == "torch_gpu_completion"), None)
            size = f"completion n={r['n']} \\|Ω\\|={int(r['m']):.1e} k={r['k']}"
        peer_seconds = float(peer["median_seconds"]) if peer else None
        print(f"| {r['case']} | {size} | {milliseconds(seconds)} | {milliseconds(floor)} | {seconds / floor:.2f} | "
              f"{milliseconds(peer_seconds) if peer else ''} | {f'{peer_seconds / seconds:.1f}' if peer else ''} |")
    for r in rows:
        if r["case"] == "torch_gpu_batched":
            note = notes[id(r)]
            print(f"\ntorch, {note['trajectories']} trajectories batched: {milliseconds(float(note['per_trajectory']))} "
                  f"per trajectory (one: {milliseconds(float(next(p for p in rows if p['case'] == 'torch_gpu_sensing')['median_seconds']))})")
    device = next((notes[id(r)].get("device") for r in rows if r["case"].startswith("device_")), "")
    copy = next((notes[id(r)].get("copy_gbs") for r in rows if r["case"].startswith("device_")), "")
    print(f"\ndevice: {device}; device-to-device copy {copy} GB/s (read plus written)")


if __name__ == "__main__":
    main()
