"""Turns bench/run's raw.csv into the table (text and CSV) and the scaling figure.

    python3 bench/report.py RAW.csv OUT_DIR
"""
import csv
import math
import os
import subprocess
import sys


def plot(out, name, xlabel, title, curves):
    """Writes OUT/NAME.gp (log-log, seconds per GD iteration) and runs gnuplot on it."""
    script = os.path.join(out, f"{name}.gp")
    with open(script, "w") as stream:
        stream.write(f"""set terminal pngcairo size 900,560 font ',10'
set output '{os.path.join(out, name + ".png")}'
set logscale xy
set format x '10^{{%L}}'
set format y '10^{{%L}}'
set grid lc rgb '#dddddd'
set key top left box
set xlabel '{xlabel}'
set ylabel 'seconds per GD iteration'
set title '{title}'
plot """ + ", \\\n     ".join(curves) + "\n")
    subprocess.run(["gnuplot", script], check=False)


def main():
    raw_path, out = sys.argv[1], sys.argv[2]
    rows = list(csv.DictReader(open(raw_path)))
    machine = next(r for r in rows if r["case"] == "machine")
    bandwidth = float(machine["median_seconds"])  # bytes/s, all cores
    single_bandwidth = float(machine["stored_bytes"])  # bytes/s, one thread
    peak = float(machine["per_trajectory_seconds"])  # flop/s, one core: the kernels' multiply-add peak
    dgemm = float(machine["note"].split("dgemm_GFlops=")[1].split()[0]) * 1e9
    # Random 256-byte rows from an L2-resident block, all cores (bytes/s); absent in older raw files.
    cache_rows = (float(machine["note"].split("cache_rows_GBps=")[1].split()[0]) * 1e9
                  if "cache_rows_GBps=" in machine["note"] else None)
    cores = os.cpu_count() or 1

    def find(case, n, m, k, note=None):
        for r in rows:
            if r["case"] == case and r["n"] == str(n) and r["m"] == str(m) and r["k"] == str(k):
                if note is None or r["note"].startswith(note):
                    return r
        return None

    table = []

    def seconds(row, key="median_seconds"):
        return float(row[key]) if row else None

    def rss(row):
        return int(row["peak_rss_bytes"]) if row else None

    def larger(memory, arithmetic):
        """The floor that binds and its name."""
        return (memory, "memory") if memory >= arithmetic else (arithmetic, "arithmetic")

    def add(case, size, ncvx, floor, floor_kind, peer_name, peer, ncvx_rss, peer_rss):
        table.append({
            "case": case, "size": size,
            "ncvx_ms": f"{ncvx * 1e3:.2f}",
            "floor_ms": "" if floor is None else f"{floor * 1e3:.2f}",
            "ratio_to_floor": "" if floor is None else f"{ncvx / floor:.2f}",
            "floor": floor_kind,
            "peer": peer_name,
            "peer_ms": "" if peer is None else f"{peer * 1e3:.2f}",
            "speedup_vs_peer": "" if peer is None else f"{peer / ncvx:.2f}",
            "ncvx_peak_MiB": "" if ncvx_rss is None else f"{ncvx_rss / 2**20:.0f}",
            "peer_peak_MiB": "" if peer_rss is None else f"{peer_rss / 2**20:.0f}",
        })

    scaling = []
    for r in rows:
        if r["case"] != "sensing" or not r["note"].startswith("storage=double"):
            continue
        n, m, k = int(r["n"]), int(r["m"]), int(r["k"])
        size = f"n={n} m={m} k={k}"
        t = float(r["median_seconds"])
        stored = float(r["stored_bytes"])
        floor = stored / bandwidth
        numpy_row, torch_row = find("numpy", n, m, k), find("torch", n, m, k)
        for name, peer in (("numpy", numpy_row), ("torch", torch_row)):
            add("GD iteration, Gaussian sensing", size, t, floor, "one read of the stored operator", name,
                seconds(peer), rss(r), rss(peer))
        single = find("sensing", n, m, k, "storage=single")
        if single:
            ts = float(single["median_seconds"])
            add("GD iteration, float32 storage", size, ts, float(single["stored_bytes"]) / bandwidth,
                "one read of the stored operator", "numpy", seconds(numpy_row), rss(single), rss(numpy_row))
        lock, separate = find("lockstep", n, m, k, "storage=double"), find("separate", n, m, k, "storage=double")
        if lock and separate:
            runs = int(lock["runs"])
            packed = n * (n + 1) // 2
            compute = 4.0 * m * packed * runs / (peak * cores)
            floor_round = max(stored / bandwidth, compute)
            add(f"K={runs} lockstep, per trajectory", size, float(lock["per_trajectory_seconds"]),
                floor_round / runs, "max(one read, 4mNK flops at peak x cores) / K",
                f"{runs} separate runs", seconds(separate, "per_trajectory_seconds"), rss(lock), rss(separate))
        # Regenerated rows: floor = generating the m N entries at the generator's own rate
        # (measured alone, every core) plus their 4 m N K flops at the peak.
        regenerated, generator = find("sensing", n, m, k, "storage=regenerated"), find("generator", 0, 100000000, 0)
        if regenerated and generator:
            rate = float(generator["median_seconds"])
            entries = m * n * (n + 1) // 2
            for row, runs in ((regenerated, 1), (find("lockstep", n, m, k, "storage=regenerated"), 8)):
                if not row:
                    continue
                floor_round = entries / rate + 4.0 * entries * runs / (peak * cores)
                add("GD iteration, regenerated Gaussian" if runs == 1 else f"K={runs} lockstep, regenerated, per trajectory",
                    size, float(row["per_trajectory_seconds"]), floor_round / runs,
                    "generation at the generator's rate + 4mNK flops at peak", "ncvx stored (double)", t,
                    rss(row), rss(r))
        spectral, peer_spectral = find("spectral_gaussian_sensing", n, m, 5), find("peer_spectral_sensing", n, m, 5)
        if spectral:
            add("spectral initialization, sensing", f"n={n} m={m} k=5", seconds(spectral), None, "",
                "numpy eigh", seconds(peer_spectral), rss(spectral), rss(peer_spectral))
        scaling.append((m * n * (n + 1) // 2, t, floor, seconds(single), seconds(numpy_row), seconds(torch_row)))

    completion_scaling = []
    for r in rows:
        if r["case"] != "completion":
            continue
        n, k = int(r["n"]), int(r["k"])
        observed = int(r["note"].split("=")[1])
        t = float(r["median_seconds"])
        # The scipy run of the same n and k and the nearest size (its m counts distinct pairs).
        candidates = [p for p in rows if p["case"] == "scipy_completion" and p["n"] == str(n) and p["k"] == str(k)
                      and abs(math.log(int(p["m"]) / observed)) < math.log(1.5)]
        peer = min(candidates, key=lambda p: abs(math.log(int(p["m"]) / observed)), default=None)
        requested = int(peer["m"]) if peer else observed
        # Floor: one read of Omega's positions, y and the factor rows, or the
        # 3k multiply-adds per observation (residual, and both adjoint rows) at
        # the peak on every core, whichever is longer.
        memory = float(r["stored_bytes"]) / bandwidth
        arithmetic = 6.0 * k * observed / (peak * cores)
        if k == 10:
            completion_scaling.append((observed, n, t, memory, arithmetic))
        floor, kind = larger(memory, arithmetic)
        add("GD iteration, matrix completion", f"n={n} |Omega|={observed:.2e} k={k}", t, floor,
            f"{kind} (memory {memory * 1e3:.2f} ms, arithmetic "
            f"{arithmetic * 1e3:.2f} ms; {t * 1e9 / (observed * k):.2f} ns per |Omega|k)",
            "scipy.sparse", seconds(peer) * (observed / requested) if peer else None, rss(r), rss(peer))
    for r in rows:
        if r["case"] != "rank_one":
            continue
        n, m, k = int(r["n"]), int(r["m"]), int(r["k"])
        t = float(r["median_seconds"])
        peer = find("numpy_rank_one", n, m, k)
        # One read of the m x n matrix, or 4 m n k flops (p_i, then the adjoint rows) at the peak.
        memory = float(r["stored_bytes"]) / bandwidth
        arithmetic = 4.0 * m * n * k / (peak * cores)
        floor, kind = larger(memory, arithmetic)
        add("GD iteration, rank-one (phase retrieval)", f"n={n} m={m} k={k}", t, floor,
            f"{kind} (one read {memory * 1e3:.2f} ms, 4mnk flops {arithmetic * 1e3:.2f} ms)", "numpy",
            seconds(peer), rss(r), rss(peer))
    for r in rows:
        if r["case"] != "structured":
            continue
        n, m, k = int(r["n"]), int(r["m"]), int(r["k"])
        t = float(r["median_seconds"])
        peer = find("numpy_structured", n, m, k)
        # 3mk multiply-adds (the sampled products and both adjoint terms) and the two
        # transforms' p k log2 p additions, at the peak on every core.
        p = 1 << (n - 1).bit_length()
        transforms = 2.0 * p * k * math.log2(p) / (peak * cores)
        arithmetic = 6.0 * m * k / (peak * cores) + transforms
        # The sampled passes touch one scattered row piece of the transformed
        # factors per coordinate and slice (products) and two per coordinate
        # (the adjoint's gather): 3mk doubles at the random-row cache rate; and
        # U is read and the gradient written once (stored_bytes) at the memory
        # bandwidth, as for completion.
        factors = float(r["stored_bytes"]) / bandwidth
        row_reads = 3.0 * m * k * 8.0 / cache_rows if cache_rows else 0.0
        memory = row_reads + factors + transforms if cache_rows else 0.0
        floor, kind = larger(memory, arithmetic)
        add("GD iteration, structured sensing", f"n={n} m={m} k={k}", t, floor,
            f"{kind} (3mk row reads from cache {row_reads * 1e3:.2f} ms + factors {factors * 1e3:.2f} ms "
            f"+ transforms {transforms * 1e3:.2f} ms; 3mk multiply-adds {(arithmetic - transforms) * 1e3:.2f} ms)",
            "numpy + scipy.sparse", seconds(peer), rss(r), rss(peer))
    for r in rows:
        if r["case"] == "spectral_matrix_completion":
            n, size = int(r["n"]), int(r["m"])
            peer = next((p for p in rows if p["case"] == "peer_spectral_completion" and p["n"] == str(n)), None)
            add("spectral initialization, completion", f"n={n} |Omega|={size:.2e} k=5", seconds(r),
                None, "", "scipy eigsh", seconds(peer), rss(r), rss(peer))
    for r in rows:
        if r["case"].startswith("method_step_"):
            note = dict(item.split("=", 1) for item in r["note"].split(";"))
            add(f"{r['case'][12:]} iteration over gd's ({note['ratio_to_gd']}x)",
                f"completion {r['n']} x {note['n2']}, |Omega|={int(r['m']):.1e}, k={r['k']}", seconds(r), None, "",
                "gd (same run)", seconds(r, "per_trajectory_seconds"), rss(r), None)
    for r in rows:
        if r["case"].startswith("factorization_step_"):
            note = dict(item.split("=", 1) for item in r["note"].split(";"))
            name = r["case"][len("factorization_step_"):]
            shape = f"{r['n']} x {note['n2']}" + (f" x {note['n3']}" if note["n3"] != "0" else "")
            peer = next((p for p in rows if p["case"] == "torch_factorization_" + name), None)
            add(f"{name} gd iteration ({note['ratio']}x of U V^T's {float(note['uv_seconds']) * 1e3:.1f} ms "
                f"+ lift and chain rule {float(note['lift_and_chain_seconds']) * 1e3:.1f} ms)",
                f"completion {shape}, |Omega|={int(r['m']):.1e}, k={r['k']}", seconds(r), None, "",
                "torch autograd", seconds(peer), rss(r), rss(peer))
    for r in rows:
        if r["case"] == "ratings_read":
            note = dict(item.split("=", 1) for item in r["note"].split(";"))
            size = int(note["file_bytes"])
            # The peer read the same file (the .data and .mtx files differ in size).
            peer = next((p for p in rows if p["case"] in ("ratings_read_pandas", "ratings_read_scipy_mmread")
                         and p["note"].endswith(f"file_bytes={size}")), None)
            add(f"reading ratings ({note['MB/s']} MB/s; peak {int(r['peak_rss_bytes']) / float(r['stored_bytes']):.2f}x "
                f"the 16 bytes a rating)", f"{size / 1e6:.0f} MB, {int(r['m']):.2e} ratings", seconds(r), None, "",
                peer["case"].replace("ratings_read_", "") if peer else "", seconds(peer), rss(r), rss(peer))

    columns = list(table[0].keys())
    with open(os.path.join(out, "table.csv"), "w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns)
        writer.writeheader()
        writer.writerows(table)
    widths = {c: max(len(c), *(len(row[c]) for row in table)) for c in columns}
    lines = [f"machine: read bandwidth {bandwidth / 1e9:.1f} GB/s (all {cores} cores; one thread "
             f"{single_bandwidth / 1e9:.1f}); multiply-add peak {peak / 1e9:.1f} GFlop/s per core (AVX2, no FMA); "
             f"Eigen dgemm {dgemm / 1e9:.1f} GFlop/s (one thread, portable build)"
             + (f"; random 256-byte rows from L2 {cache_rows / 1e9:.0f} GB/s (all cores)" if cache_rows else ""),
             "  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  ".join(row[c].ljust(widths[c]) for c in columns) for row in table]
    text = "\n".join(lines) + "\n"
    open(os.path.join(out, "table.txt"), "w").write(text)
    print(text)

    # Scaling figure: time per iteration against the operator's packed size m n(n+1)/2.
    data = os.path.join(out, "scaling.dat")
    with open(data, "w") as stream:
        stream.write("# entries ncvx floor ncvx_single numpy torch\n")
        for entry in sorted(scaling):
            stream.write(" ".join("nan" if v is None else repr(v) for v in entry) + "\n")
    if scaling:
        plot(out, "scaling", "stored entries m n(n+1)/2 (n = 50, 100, 200; m = 1000, 2500, 10000; k = n)",
             "GD on Gaussian sensing: ncvx, its peers and the memory floor",
             [f"'{data}' using 1:2 with linespoints lw 2 pt 7 title 'ncvx (double)'",
              f"'{data}' using 1:4 with linespoints lw 2 pt 7 title 'ncvx (float32 storage)'",
              f"'{data}' using 1:5 with linespoints lw 2 pt 5 title 'numpy'",
              f"'{data}' using 1:6 with linespoints lw 2 pt 5 title 'PyTorch (CPU)'",
              f"'{data}' using 1:3 with lines lw 2 dt 2 lc rgb 'black' title 'floor: one read of the stored operator'"])

    # Completion: time per iteration against |Omega| (k = 10) at n = 20 000, the other n as points,
    # with both floors and scipy.sparse.
    series = {}
    for observed, n, t, memory, arithmetic in sorted(completion_scaling):
        peer = next((p for p in rows if p["case"] == "scipy_completion" and p["n"] == str(n) and p["k"] == "10"
                     and abs(math.log(int(p["m"]) / observed)) < math.log(1.5)), None)
        line = (f"{observed} {n} {t!r} {memory!r} {arithmetic!r} "
                f"{float(peer['median_seconds']) if peer else 'nan'}\n")
        series.setdefault("n20000" if n == 20000 else "other", []).append(line)
        series.setdefault("all", []).append(line)
    files = {}
    for name, lines in series.items():
        files[name] = os.path.join(out, f"completion_scaling_{name}.dat")
        with open(files[name], "w") as stream:
            stream.write("# observed n ncvx memory_floor arithmetic_floor scipy\n" + "".join(lines))
    fixed, other, every = (files.get(name, os.devnull) for name in ("n20000", "other", "all"))
    if completion_scaling:
        plot(out, "completion_scaling", "observed entries |Omega| (k = 10)",
             "GD on matrix completion: ncvx, scipy.sparse and the floors",
             [f"'{fixed}' using 1:3 with linespoints lw 2 pt 7 lc rgb '#9400d3' title 'ncvx, n = 20 000'",
              f"'{other}' using 1:3 with points pt 9 ps 1.5 lc rgb '#9400d3' "
              "title 'ncvx, n = 2 000 (10^6) and 100 000 (10^8)'",
              f"'{fixed}' using 1:6 with linespoints lw 2 pt 5 lc rgb '#009e73' title 'scipy.sparse, n = 20 000'",
              f"'{other}' using 1:6 with points pt 4 ps 1.5 lc rgb '#009e73' title 'scipy.sparse, n = 2 000'",
              f"'{every}' using 1:4 with lines lw 2 dt 2 lc rgb 'black' title 'memory floor'",
              f"'{every}' using 1:5 with lines lw 2 dt 3 lc rgb 'gray40' title 'arithmetic floor'"])


if __name__ == "__main__":
    main()
