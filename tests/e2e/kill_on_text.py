#!/usr/bin/python3
"""kill_on_text.py LOG PID TEXT READY [SECONDS]: follow LOG (a tmux pipe-pane of
the client's terminal output) from its current end and SIGKILL PID the
moment TEXT is written to the terminal — within a millisecond, closer than
polling the screen with capture-pane could.  READY is created once LOG is
open (the caller waits for it before the key).  Exit 0 when killed, 1 on
timeout."""
import os, signal, sys, time

log, pid, text, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4]
limit = time.monotonic() + float(sys.argv[5] if len(sys.argv) > 5 else 10)
with open(log, "rb") as f:
    f.seek(0, os.SEEK_END)
    open(ready, "w").close()
    seen = b""
    while time.monotonic() < limit:
        chunk = f.read()
        if chunk:
            seen = seen[-len(text):] + chunk
            if text in seen:
                os.kill(pid, signal.SIGKILL)
                sys.exit(0)
        else:
            time.sleep(0.0005)
sys.exit(1)
