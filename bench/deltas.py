#!/usr/bin/env python3
"""How fast `item/agentMessage/delta` notifications reach a client that reads as fast as it can,
and the app-server's peak RSS while a client stalls. A scripted model streams one assistant
message of N deltas; the client counts delta lines (no JSON decoding, so that it is not the
bottleneck) and times them from sending `turn/start` to the last delta (the model request and
whatever sockets and pipes buffer included). Run by bench/deltas.sh; usage:
deltas.py OURS REFERENCE DELTAS"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial

print = partial(print, flush=True)

DELTA = b'"method":"item/agentMessage/delta"'
COMPLETED = b'"method":"turn/completed"'


def peak_rss_kib(pid):
    """VmHWM of a live process, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class Run:
    """One app-server against one scripted model that streams a message of `deltas` deltas."""

    def __init__(self, server, mock_bin, deltas):
        self.scratch = tempfile.mkdtemp()
        home, self.work = os.path.join(self.scratch, "home"), os.path.join(self.scratch, "work")
        os.makedirs(home)
        os.makedirs(self.work)
        script = os.path.join(self.scratch, "script.json")
        # The scripted model streams a message's text in pieces of 8 characters: one per delta.
        text = "".join(f"{i % 10_000_000:07d} " for i in range(deltas))
        message = {"type": "message", "role": "assistant", "id": "msg_1",
                   "content": [{"type": "output_text", "text": text}]}
        with open(script, "w") as f:
            json.dump([[message]], f)
        self.mock = subprocess.Popen([mock_bin, "mock-model", "--script", script], stdout=subprocess.PIPE,
                                     text=True)
        url = self.mock.stdout.readline().split("OPENAI_BASE_URL=")[1].strip()
        env = dict(os.environ, CODEX_HOME=home, OPENAI_BASE_URL=url, CODEX_API_KEY="bench")
        self.p = subprocess.Popen([server, "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=env, cwd=self.work, bufsize=1 << 20)

    def send(self, message):
        self.p.stdin.write(json.dumps(message).encode() + b"\n")
        self.p.stdin.flush()

    def until_id(self, wanted):
        for line in self.p.stdout:
            message = json.loads(line)
            if message.get("id") == wanted and "method" not in message:
                return message
        raise SystemExit("the app-server closed its output")

    def start_turn(self):
        self.send({"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "bench", "version": "1"}}})
        self.until_id(1)
        self.send({"id": 2, "method": "thread/start", "params": {"cwd": self.work, "approvalPolicy": "never"}})
        thread = self.until_id(2)["result"]["thread"]["id"]
        self.started = time.perf_counter()
        self.send({"id": 3, "method": "turn/start",
                   "params": {"threadId": thread, "input": [{"type": "text", "text": "stream"}]}})

    def read_stream(self):
        """Reads until turn/completed: (deltas seen, seconds from turn/start to the last delta)."""
        count, last = 0, self.started
        for line in self.p.stdout:
            if DELTA in line:
                count += 1
                last = time.perf_counter()
            elif COMPLETED in line:
                return count, last - self.started
        raise SystemExit("the app-server closed its output before turn/completed")

    def close(self):
        self.p.kill()
        self.mock.kill()
        self.p.wait()
        self.mock.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)


def throughput(server, mock_bin, deltas):
    """Deltas per second to a reading client, the stream's duration and the server's peak RSS."""
    run = Run(server, mock_bin, deltas)
    try:
        run.start_turn()
        count, seconds = run.read_stream()
        if count != deltas:
            raise SystemExit(f"{server}: {count} deltas arrived, {deltas} were streamed")
        return count / seconds, seconds, peak_rss_kib(run.p.pid)
    finally:
        run.close()


def stalled(server, mock_bin, deltas, stall):
    """The server's peak RSS with a client that reads nothing for `stall` seconds after
    turn/start, then reads the whole stream."""
    run = Run(server, mock_bin, deltas)
    try:
        run.start_turn()
        time.sleep(stall)
        held = peak_rss_kib(run.p.pid)
        count, _ = run.read_stream()
        if count != deltas:
            raise SystemExit(f"{server}: {count} deltas arrived, {deltas} were streamed")
        return held, peak_rss_kib(run.p.pid)
    finally:
        run.close()


def main():
    ours, reference, deltas = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), int(sys.argv[3])
    print(f"== app-server: one message of {deltas} deltas, a client reading as fast as it can")
    our_rate, our_seconds, our_rss = throughput(ours, ours, deltas)
    ref_rate, ref_seconds, ref_rss = throughput(reference, ours, deltas)
    print(f"{'':24}{'deltas/s':>12}{'stream (s)':>12}{'peak RSS (MiB)':>16}")
    print(f"{'agentwire exec-bridge':24}{our_rate:>12.0f}{our_seconds:>12.2f}{our_rss / 1024:>16.1f}")
    print(f"{'codex 0.63.0':24}{ref_rate:>12.0f}{ref_seconds:>12.2f}{ref_rss / 1024:>16.1f}")
    print(f"ratio (agentwire / codex): {our_rate / ref_rate:.0f}x; target: at least 100000 deltas/s "
          f"({'met' if our_rate >= 100_000 else 'NOT met'})")

    stall = max(2.0, our_seconds)
    print(f"== app-server: the same stream, the client stalled {stall:.1f} s after turn/start, then reading")
    held, after = stalled(ours, ours, deltas, stall)
    print(f"{'agentwire exec-bridge':24}peak RSS while stalled {held / 1024:.1f} MiB, after the stream "
          f"{after / 1024:.1f} MiB (reading client: {our_rss / 1024:.1f} MiB, "
          f"difference {(after - our_rss) / 1024:+.1f} MiB)")


if __name__ == "__main__":
    main()
