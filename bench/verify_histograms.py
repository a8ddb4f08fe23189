#!/usr/bin/env python3
"""Cross-checks stress-ci's histograms with an independent HdrHistogram implementation.

Walks each given result.json, decodes every compressed V2 histogram string in it ("HISTF…", the
form SPEC §9 puts in metrics) with HdrHistogram_py (`pip install hdrhistogram`, module `hdrh`),
and prints, per JSON path, the total count and p50/p95/p99/max in milliseconds (stress-ci records
microseconds). Exit status: 0 when every histogram decodes, 1 when one does not or a file holds
none, 2 when a file cannot be read or hdrh is missing.

    python3 bench/verify_histograms.py .stress-ci/runs/ID.json [more.json …]
"""
import json
import sys

# "HISTF" is the base64 of the compressed V2 cookie 0x1c849314 (and the top bits of the length
# that follows): every compressed V2 string starts so, whatever its size ("HISTFAAA…" below 64 KiB).
PREFIX = "HISTF"


def walk(node, path):
    """Yields (path, string) for every histogram-looking string under node."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}[{i}]")
    elif isinstance(node, str) and node.startswith(PREFIX):
        yield path, node


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        from hdrh.histogram import HdrHistogram
    except ImportError:
        print("verify_histograms: needs HdrHistogram_py: pip install hdrhistogram", file=sys.stderr)
        return 2

    status = 0
    for filename in argv[1:]:
        try:
            with open(filename, encoding="utf-8") as f:
                document = json.load(f)
        except (OSError, ValueError) as error:
            print(f"{filename}: cannot read: {error}", file=sys.stderr)
            status = 2
            continue
        found = 0
        for path, text in walk(document, "$"):
            found += 1
            try:
                h = HdrHistogram.decode(text)
            except Exception as error:  # hdrh raises zlib, cookie, length and value errors alike
                print(f"{filename} {path}: FAILED to decode: {type(error).__name__}: {error}")
                status = 1
                continue
            ms = [h.get_value_at_percentile(p) / 1000 for p in (50, 95, 99)]
            print(f"{filename} {path}: count={h.get_total_count()} "
                  f"p50={ms[0]:.3f}ms p95={ms[1]:.3f}ms p99={ms[2]:.3f}ms max={h.get_max_value() / 1000:.3f}ms "
                  f"(range {h.lowest_trackable_value}..{h.highest_trackable_value}, {h.significant_figures} digits)")
        if found == 0:
            print(f"{filename}: no HdrHistogram strings found", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
