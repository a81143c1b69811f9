#!/usr/bin/env python3
"""Checks a gateway + workers cluster spread over network namespaces (run by cluster-netns.sh, inside
the client namespace). Standard library only. Prints one line per figure; exits 1 if a check fails."""
import json
import subprocess
import sys
import time
import urllib.request

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)


def post(url, body, timeout=120):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.load(r)


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def metric(url, name):
    """Value of one unlabelled-or-labelled Prometheus sample, or None when unreachable."""
    try:
        text = get(url, timeout=2)
    except Exception:
        return None
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def request_of(case, max_new_tokens=None):
    p = case["params"]
    return {"contexts": case["contexts"], "question": case["question"], "temperature": 0,
            "max_new_tokens": max_new_tokens or p["max_new_tokens"], "top_p": p["top_p"],
            "nbce": {"beta": p["beta"], "eta": p["eta"], "pooling": p["pooling"]}}


def stream(url, body, on_token=None):
    """Streams /v1/generate over SSE; returns (ids, arrival times, final event)."""
    body = dict(body, stream=True)
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    ids, times, event, final = [], [], None, None
    with urllib.request.urlopen(req, timeout=120) as r:
        for raw in r:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                if event == "token":
                    if data.get("token_id", -1) >= 0:
                        ids.append(data["token_id"])
                    times.append(time.monotonic())
                    if on_token:
                        on_token(len(times))
                elif event in ("done", "error"):
                    final = (event, data)
                    break
    return ids, times, final


def main():
    args = json.loads(sys.argv[1])
    gw = args["gateway"]
    workers = args["workers"]  # [{"id", "ns", "metrics"}]
    reference = json.load(open(args["reference"]))["nbce"]

    # 1. Reference ids, exactly, through the cluster across hosts.
    exact = 0
    for case in reference:
        got = post(gw + "/v1/generate", request_of(case))
        exact += got["token_ids"] == case["generated_ids"]
    check(exact == len(reference), f"reference: {exact}/{len(reference)} cases with identical ids")

    long_request = request_of(reference[0], 300)
    undisturbed = post(gw + "/v1/generate", long_request)["token_ids"]
    check(len(undisturbed) > 20, f"long request generates {len(undisturbed)} tokens")

    # 2. Cut one worker's link mid-stream: the stream finishes with the same ids.
    victim = workers[0]
    cut = {}

    def cut_link(n):
        if n == 3 and not cut:
            subprocess.run(["ip", "-n", victim["ns"], "link", "set", "eth0", "down"], check=True)
            cut["at"] = time.monotonic()

    ids, times, final = stream(gw + "/v1/generate", long_request, cut_link)
    check(final is not None and final[0] == "done", f"stream after the link cut ends with {final and final[0]}")
    check(ids == undisturbed, "ids after the link cut equal the undisturbed run")
    after = [cut["at"]] + [t for t in times if t > cut.get("at", float("inf"))]
    if len(after) > 1:
        gap = max(b - a for a, b in zip(after, after[1:]))
        print(f"figure: link cut -> longest gap between tokens {1000 * gap:.0f} ms; {len(ids)} tokens, ids identical",
              flush=True)

    # 3. Restore the link: the worker is listed again and computes rows again.
    subprocess.run(["ip", "-n", victim["ns"], "link", "set", "eth0", "up"], check=True)
    restored = time.monotonic()
    listed = False
    while time.monotonic() - restored < 60 and not listed:
        try:
            listed = any(w["id"] == victim["id"] for w in json.loads(get(gw + "/ready"))["workers"])
        except Exception:
            pass
        time.sleep(0.2)
    check(listed, f"{victim['id']} is listed by the gateway again after the link is restored")
    if listed:
        print(f"figure: link restored -> worker listed again after {time.monotonic() - restored:.1f} s", flush=True)
    before = metric(victim["metrics"], "nbce_worker_rows_computed_total") or 0
    again = post(gw + "/v1/generate", long_request)["token_ids"]
    computed = (metric(victim["metrics"], "nbce_worker_rows_computed_total") or 0) - before
    check(again == undisturbed and computed > 0,
          f"{victim['id']} serves again: {computed:.0f} row-forwards for a new request, ids identical")

    # 4. Kill the gateway mid-stream: every worker frees its rows within the lease.
    def rows_active():
        values = [metric(w["metrics"], "nbce_rows_active") for w in workers]
        return None if None in values else sum(values)

    killed = {}

    def kill_gateway(n):
        if n == 3 and not killed:
            held = rows_active()
            subprocess.run(["kill", "-9", str(args["gateway_pid"])], check=True)
            killed["at"] = time.monotonic()
            killed["held"] = held
            raise ConnectionAbortedError("gateway killed")

    try:
        stream(gw + "/v1/generate", long_request, kill_gateway)
    except ConnectionAbortedError:
        pass
    limit = args["lease_ms"] / 1000 + 2
    freed = None
    while time.monotonic() - killed["at"] < limit + 3:
        if rows_active() == 0:
            freed = time.monotonic() - killed["at"]
            break
        time.sleep(0.05)
    check(killed["held"] and killed["held"] > 0, f"the killed gateway's stream held {killed['held']} rows")
    check(freed is not None and freed <= limit,
          f"gateway kill -9 -> every worker's nbce_rows_active is 0 after "
          f"{'never' if freed is None else f'{1000 * freed:.0f} ms'} (lease {args['lease_ms']} ms, limit {limit:.0f} s)")
    if freed is not None:
        print(f"figure: gateway kill -9 -> rows freed on all workers after {1000 * freed:.0f} ms", flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
