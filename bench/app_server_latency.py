#!/usr/bin/env python3
"""The app-server while a turn waits for an approval: thread/resume latency of that thread and
the exit time once stdin closes, for our binary and the reference. Run by
bench/app-server-latency.sh; usage: app_server_latency.py OURS REFERENCE RUNS"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

WAIT = 10  # seconds: a process still running then is reported as not exiting


def measure(server, mock_bin, runs):
    scratch = tempfile.mkdtemp()
    home, work = os.path.join(scratch, "home"), os.path.join(scratch, "work")
    os.makedirs(home)
    os.makedirs(work)
    script = os.path.join(scratch, "script.json")
    call = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "shell",
            "arguments": json.dumps({"command": ["touch", "x"]})}
    with open(script, "w") as f:
        json.dump([[call]], f)
    mock = subprocess.Popen([mock_bin, "mock-model", "--script", script], stdout=subprocess.PIPE, text=True)
    url = mock.stdout.readline().split("OPENAI_BASE_URL=")[1].strip()
    env = dict(os.environ, CODEX_HOME=home, OPENAI_BASE_URL=url, CODEX_API_KEY="bench")
    p = subprocess.Popen([server, "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, env=env, cwd=work)

    def send(message):
        p.stdin.write(json.dumps(message) + "\n")
        p.stdin.flush()

    def until(wanted):
        while True:
            line = p.stdout.readline()
            if not line:
                raise SystemExit(f"{server}: the app-server closed its output")
            message = json.loads(line)
            if wanted(message):
                return message

    try:
        send({"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "bench", "version": "1"}}})
        until(lambda m: m.get("id") == 1)
        send({"id": 2, "method": "thread/start", "params": {"cwd": work, "approvalPolicy": "unlessTrusted"}})
        thread = until(lambda m: m.get("id") == 2)["result"]["thread"]["id"]
        send({"id": 3, "method": "turn/start", "params": {"threadId": thread, "input": [{"type": "text", "text": "x"}]}})
        until(lambda m: m.get("method") == "item/commandExecution/requestApproval")
        latencies = []
        for i in range(runs):
            started = time.perf_counter()
            send({"id": 100 + i, "method": "thread/resume", "params": {"threadId": thread}})
            until(lambda m: m.get("id") == 100 + i)
            latencies.append(time.perf_counter() - started)
        started = time.perf_counter()
        p.stdin.close()
        try:
            p.wait(timeout=WAIT)
            exit_time = time.perf_counter() - started
        except subprocess.TimeoutExpired:
            exit_time = None
        return statistics.median(latencies), exit_time
    finally:
        p.kill()
        mock.kill()


def main():
    ours, reference, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    our_resume, our_exit = measure(ours, ours, runs)
    ref_resume, ref_exit = measure(reference, ours, runs)
    show = lambda t: f"{t * 1000:.1f}" if t is not None else f"> {WAIT * 1000} (did not exit)"
    print(f"== while a turn waits for an approval ({runs} thread/resume each)")
    print(f"{'':24}{'thread/resume (median, ms)':>28}{'exit after stdin closes (ms)':>32}")
    print(f"{'agentwire exec-bridge':24}{our_resume * 1000:>28.2f}{show(our_exit):>32}")
    print(f"{'codex 0.63.0':24}{ref_resume * 1000:>28.2f}{show(ref_exit):>32}")
    print(f"ratio (codex / agentwire): thread/resume {ref_resume / our_resume:.0f}x")


if __name__ == "__main__":
    main()
