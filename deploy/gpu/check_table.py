#!/usr/bin/env python3
"""The one table of deploy/gpu/check.sh, from the files it leaves in its work directory (standard library only).

  check_table.py WORK_DIR

Reads WORK_DIR/env.json (torch, CUDA, GPU, JNI), WORK_DIR/ref-<dtype>.jsonl (GpuReferenceCheck: one
line per fixture model) and WORK_DIR/bench-<dtype>.json (`bin/nbce bench --json`), and prints a Markdown
table with a column per dtype. Exit status 1 when a reference check failed or a dtype's bench is
missing, else 0.
"""
import json
import pathlib
import sys

DTYPE_ORDER = ["f32", "f16", "bf16"]
SYNTHETIC = "random Qwen2.5-0.5B shape"


def read_json(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def read_lines(path):
    try:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, ValueError):
        return None


def reference_passed(line):
    """As GpuReferenceCheck decides: logits within, no argmax miss outside a near tie, F32 generations exact."""
    generations_ok = line["dtype"] != "f32" or line["ids_equal"] == line["generations"]
    return line["logits_within"] and line["argmax_unallowed_misses"] == 0 and generations_ok


def table(work):
    work = pathlib.Path(work)
    env = read_json(work / "env.json") or {}
    dtypes = sorted({p.stem.split("-", 1)[1] for p in list(work.glob("ref-*.jsonl")) + list(work.glob("bench-*.json"))},
                    key=lambda d: DTYPE_ORDER.index(d) if d in DTYPE_ORDER else len(DTYPE_ORDER))
    refs = {d: read_lines(work / f"ref-{d}.jsonl") for d in dtypes}
    benches = {d: read_json(work / f"bench-{d}.json") for d in dtypes}
    rows = []
    failed = False

    models = []
    for lines in refs.values():
        for line in lines or []:
            if line["model"] not in models:
                models.append(line["model"])
    for model in models:
        cells = {"logits": [], "argmax": [], "ids": []}
        for d in dtypes:
            line = next((x for x in refs[d] or [] if x["model"] == model), None)
            if line is None:
                for k in cells:
                    cells[k].append("not run")
                continue
            ok = reference_passed(line)
            failed |= not ok
            cells["logits"].append("%.1e %s" % (line["max_abs_diff"], "within" if line["logits_within"] else "**OUTSIDE**")
                                   + " (tol %g)" % line["tolerance"])
            misses = "" if line["argmax_allowed_misses"] == 0 else " (+%d at near ties)" % line["argmax_allowed_misses"]
            if line["argmax_unallowed_misses"]:
                misses += " **%d missed**" % line["argmax_unallowed_misses"]
            cells["argmax"].append("%d/%d%s" % (line["argmax_equal"], line["prompts"], misses))
            cells["ids"].append("%d/%d, %d/%d" % (line["ids_equal"], line["generations"], line["windows_equal"], line["generations"]))
        rows.append((f"{model}: last logits max abs diff", cells["logits"]))
        rows.append((f"{model}: argmax equal", cells["argmax"]))
        rows.append((f"{model}: NBCE ids, windows equal", cells["ids"]))

    limits, steps = [], {}
    for d in dtypes:
        bench = benches[d]
        if bench is None:
            failed = True
            limits.append("not run")
            continue
        limits.append("%.0f GFLOP/s, %.0f GB/s" % (bench["matmul_gflops"], bench["stream_gbps"]))
        for r in bench["results"]:
            if r["model"] == SYNTHETIC:
                steps.setdefault(r["rows"], {})[d] = r
    rows.append(("bench: matmul peak, streaming read", limits))
    for n in sorted(steps):
        rows.append((f"bench 0.5B shape, {n} rows: decode step (x bound)",
                     ["%.1f ms (x%.2f, %s)" % (r["decode_step_ms"], r["decode_ratio"], r["decode_bound_limit"])
                      if r else "not run" for r in (steps[n].get(d) for d in dtypes)]))
        rows.append((f"bench 0.5B shape, {n} rows: prefill (x bound)",
                     ["%.0f tok/s (x%.2f, %s)" % (r["prefill_tokens_per_s"], r["prefill_ratio"], r["prefill_bound_limit"])
                      if r else "not run" for r in (steps[n].get(d) for d in dtypes)]))

    out = ["GPU check: torch %s, CUDA %s, %s, JNI %s (%s)" % (env.get("torch", "?"), env.get("cuda", "?"), env.get("gpu", "?"),
                                                          env.get("jni", "?"), env.get("flavor", "?")),
           "",
           "| check | " + " | ".join(dtypes) + " |",
           "|---|" + "---|" * len(dtypes)]
    out += ["| %s | %s |" % (label, " | ".join(cells)) for label, cells in rows]
    out += ["", "result: " + ("FAILED" if failed or not dtypes else "passed")]
    return "\n".join(out) + "\n", not failed and bool(dtypes)


def main(argv):
    if len(argv) != 2 or not pathlib.Path(argv[1]).is_dir():
        print("usage: check_table.py WORK_DIR", file=sys.stderr)
        return 2
    text, passed = table(argv[1])
    sys.stdout.write(text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
