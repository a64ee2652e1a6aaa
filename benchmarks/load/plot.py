#!/usr/bin/env python3
"""Plots a load comparison (results.json from run.py) as a PNG: GB/s and CPU s/GB per server, for every cell.
Medians across rounds. Needs gnuplot (Debian: apt-get install -y gnuplot-nox).

    benchmarks/load/plot.py [artifacts/load/results.json] [docs/load-comparison.png]
"""
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "artifacts" / "load" / "results.json"
target = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "load-comparison.png"
results = json.loads(source.read_text())
servers = list(dict.fromkeys(r["server"] for r in results))
cells = sorted({(r["range"], r["connections"]) for r in results}, key=lambda c: (-c[0], c[1]))

with tempfile.TemporaryDirectory() as scratch:
    # One file per panel, each "cell server1 server2 …": a histogram's clusters are placed by the columns it plots, so
    # both panels plot columns 2 to n + 1 and line up.
    def write(name, key):
        path = Path(scratch) / name
        with path.open("w") as f:
            f.write("cell " + " ".join(servers) + "\n")
            for size, conns in cells:
                values = (statistics.median(r[key] for r in results
                                            if r["server"] == s and r["range"] == size and r["connections"] == conns) for s in servers)
                f.write(f'"{size >> 20} MiB x{conns}" ' + " ".join(f"{v:.4f}" for v in values) + "\n")
        return path

    gbps, cpu = write("gbps.dat", "gbps"), write("cpu.dat", "cpu_s_per_gb")
    n = len(servers)
    script = f"""
set terminal pngcairo size 1200,800 font ",10" noenhanced
set output "{target}"
set multiplot layout 2,1 title "Random byte ranges of a 1 GiB file over 127.0.0.1 (wrk; medians)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key outside right top
set grid ytics
set yrange [0:*]
set ylabel "GB/s (higher is better)"
plot for [i=2:{n + 1}] "{gbps}" using i:xtic(1) title columnheader(i)
set ylabel "server CPU s per GB (lower is better)"
plot for [i=2:{n + 1}] "{cpu}" using i:xtic(1) title columnheader(i)
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
print(f"wrote {target}")
