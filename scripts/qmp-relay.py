#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host control channel for the guest suites: QMP commands from inside the guest.

    scripts/qmp-relay.py QMP_SOCKET CONTROL_SOCKET

scripts/guest-run.sh (HOST_CONTROL=1) starts QEMU with a QMP server on
QMP_SOCKET and the guest's third serial port (/dev/ttyS2) on a unix-socket
chardev server at CONTROL_SOCKET, and runs this relay beside it. The relay
connects to both (waiting for QEMU to create them, for as long as it takes:
QEMU may wait for the harness's lock first), negotiates QMP once
(`qmp_capabilities`), then serves the guest: each line the guest writes is one
JSON QMP command (`{"execute": "set_link", "arguments": {...}}`); the relay
executes it and writes the reply (`{"return": ...}` or `{"error": ...}`) back
as one line of JSON. Asynchronous QMP events are skipped (they are logged to
stderr, which guest-run.sh saves next to the console log). A line that is not
JSON gets `{"error": {"class": "RelayError", ...}}`. The relay exits when
either socket closes (QEMU exited). Standard library only.
"""

import json
import os
import socket
import sys
import time


def log(msg):
    print(f"[qmp-relay {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def connect(path):
    """Connect to unix socket PATH, retrying until QEMU has created it."""
    while True:
        if os.path.exists(path):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return s
            except OSError:
                s.close()
        time.sleep(0.2)


class Lines:
    """Line reader over a socket (bytes in, str lines out, CR stripped)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def readline(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace").strip("\r\x00 \t")


class Qmp:
    def __init__(self, path):
        self.sock = connect(path)
        self.lines = Lines(self.sock)
        greeting = self.lines.readline()
        log(f"QMP greeting: {greeting}")
        reply = self.execute({"execute": "qmp_capabilities"})
        if "return" not in reply:
            raise RuntimeError(f"qmp_capabilities failed: {reply}")

    def execute(self, cmd):
        self.sock.sendall(json.dumps(cmd).encode() + b"\n")
        while True:
            line = self.lines.readline()
            if line is None:
                raise EOFError("QMP socket closed")
            if not line:
                continue
            msg = json.loads(line)
            if "event" in msg:
                log(f"event {msg.get('event')} {json.dumps(msg.get('data', {}))}")
                continue
            return msg


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    qmp = Qmp(sys.argv[1])
    ctl = connect(sys.argv[2])
    guest = Lines(ctl)
    log("connected to QMP and the guest's control port")
    while True:
        line = guest.readline()
        if line is None:
            log("control socket closed")
            return 0
        if not line:
            continue
        try:
            cmd = json.loads(line)
            if not isinstance(cmd, dict) or "execute" not in cmd:
                raise ValueError("not a QMP command object")
        except ValueError as e:
            reply = {"error": {"class": "RelayError", "desc": f"bad command {line!r}: {e}"}}
        else:
            try:
                reply = qmp.execute(cmd)
            except EOFError:
                log("QMP socket closed")
                return 0
        shown = json.dumps(reply)
        log(f"{line} -> {shown[:300]}{'...' if len(shown) > 300 else ''}")
        ctl.sendall(json.dumps(reply, separators=(",", ":")).encode() + b"\n")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        sys.exit(0)
