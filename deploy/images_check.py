#!/usr/bin/env python3
"""HTTP checks of the containerised cluster, run by deploy/images-test.sh (standard library only).

  images_check.py --url http://127.0.0.1:PORT --api-key KEY --reference reference.json \
                  CONTAINER=http://127.0.0.1:MPORT/metrics ...   (one per worker)

1. /v1/* refuses a request without the API key and accepts one with it;
2. every tiny-llama reference case gives exactly its reference ids and windows;
3. a long streamed generation survives `podman kill` of the worker holding the most of its rows:
   the streamed and final ids equal an undisturbed run and the gateway counted row replacements.
Prints one JSON object of figures on stdout; any failed check exits non-zero with a message.
"""
import argparse
import http.client
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

TIMEOUT_S = 60


def fail(message):
    sys.exit(f"images_check: FAILED: {message}")


def http_get(url, key=None):
    """(status, body) of a GET; HTTP errors are answers here, not exceptions."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT_S) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def generate(base, key, request):
    body = json.dumps(request).encode()
    req = urllib.request.Request(base + "/v1/generate", data=body, method="POST", headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        fail(f"/v1/generate answered {e.code}: {e.read().decode()[:300]}")


def metric(text, name):
    """Sum of a Prometheus metric's samples over all label sets (0 when absent)."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and line[len(name):len(name) + 1] in (" ", "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def request_of(case, max_new_tokens=None):
    """The request JSON of a reference case (as the cluster tests send it)."""
    p = case["params"]
    return {"contexts": case["contexts"], "question": case["question"],
            "max_new_tokens": max_new_tokens or p["max_new_tokens"], "temperature": 0, "top_p": p["top_p"],
            "nbce": {"beta": p["beta"], "eta": p["eta"], "pooling": p["pooling"]}}


def wait_ready(base, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if http_get(base + "/ready")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    fail(f"/ready not 200 within {seconds} s")


def check_api_key(base, key):
    status, _ = http_get(base + "/v1/models")
    if status != 401:
        fail(f"/v1/models without the API key answered {status}, not 401")
    status, body = http_get(base + "/v1/models", key)
    if status != 200 or "tiny-llama" not in body:
        fail(f"/v1/models with the API key answered {status}: {body[:200]}")


def check_reference(base, key, cases):
    for n, case in enumerate(cases):
        result = generate(base, key, request_of(case))
        windows = [row - 1 for row in case["selected_rows"]]
        if result["token_ids"] != case["generated_ids"]:
            fail(f"case {n}: ids {result['token_ids']} != reference {case['generated_ids']}")
        if result["selected_windows"] != windows:
            fail(f"case {n}: windows {result['selected_windows']} != reference {windows}")


def sse_events(response):
    """(event, data) pairs of a Server-Sent Events stream."""
    event, data = None, []
    for raw in response:
        line = raw.decode().rstrip("\r\n")
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and data:
            yield event, json.loads("\n".join(data))
            event, data = None, []


def rows_held(workers):
    return {name: metric(http_get(url)[1], "nbce_rows_active") for name, url in workers.items()}


def check_failover(base, key, case, workers):
    request = request_of(case, max_new_tokens=300)
    expected = generate(base, key, request)["token_ids"]
    if len(expected) <= 20:
        fail(f"the long generation has only {len(expected)} tokens: too short to interrupt")
    replaced_before = metric(http_get(base + "/metrics")[1], "nbce_row_replacements_total")

    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=TIMEOUT_S)
    conn.request("POST", "/v1/generate", json.dumps(dict(request, stream=True)),
                 {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    response = conn.getresponse()
    if response.status != 200:
        fail(f"streamed /v1/generate answered {response.status}")
    events = sse_events(response)
    event, data = next(events)
    if event != "token":
        fail(f"first event is {event}: {data}")
    ids = [data["token_id"]]

    rows = rows_held(workers)
    victim = max(rows, key=rows.get)
    if rows[victim] <= 0:
        fail(f"no worker holds rows of the running generation: {rows}")
    killed_at = time.monotonic()
    subprocess.run(["podman", "kill", victim], check=True, timeout=30, stdout=subprocess.DEVNULL)
    kill_returned = time.monotonic()

    # Tokens already on their way arrive during the kill; the failover is the longest silence after
    # it, and the stream has resumed when the token ending that silence arrives.
    previous, longest_gap, resumed_at, done = killed_at, 0.0, None, None
    for event, data in events:
        now = time.monotonic()
        if event == "token":
            ids.append(data["token_id"])
            if now - previous > longest_gap:
                longest_gap, resumed_at = now - previous, now
            previous = now
        else:
            done = (event, data)
            break
    conn.close()
    if done is None or done[0] != "done":
        fail(f"the stream did not finish after the kill: {done}")
    if done[1]["token_ids"] != expected or ids != expected:
        fail(f"ids after the kill differ from an undisturbed run:\n streamed {ids}\n final {done[1]['token_ids']}\n expected {expected}")
    state = subprocess.run(["podman", "inspect", "--format", "{{.State.Status}}", victim],
                           capture_output=True, text=True, timeout=30).stdout.strip()
    if state == "running":
        fail(f"{victim} is still running after podman kill")
    replaced = metric(http_get(base + "/metrics")[1], "nbce_row_replacements_total") - replaced_before
    if replaced <= 0:
        fail("the gateway replaced no rows: the kill did not hit the generation")
    return {"killed": victim, "rows_before_kill": rows, "rows_replaced": replaced, "tokens": len(ids),
            "podman_kill_ms": round((kill_returned - killed_at) * 1000),
            "longest_gap_after_kill_ms": round(longest_gap * 1000),
            "kill_to_resumed_stream_ms": round((resumed_at - killed_at) * 1000) if resumed_at else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("workers", nargs="+", help="CONTAINER=METRICS_URL of each worker")
    args = parser.parse_args()
    workers = dict(w.split("=", 1) for w in args.workers)
    with open(args.reference) as f:
        cases = json.load(f)["nbce"]  # Python reads the file's -Infinity values as floats

    wait_ready(args.url)
    check_api_key(args.url, args.api_key)
    started = time.monotonic()
    check_reference(args.url, args.api_key, cases)
    figures = {"reference_cases_exact": len(cases), "reference_s": round(time.monotonic() - started, 2)}
    figures.update(check_failover(args.url, args.api_key, cases[0], workers))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
