"""A minimal SMTP receiver on 127.0.0.1 that records every message it accepts.

Enough of RFC 5321 for Python's smtplib: EHLO/HELO, MAIL, RCPT, DATA (with dot-unstuffing),
RSET, NOOP, QUIT. A message is recorded as soon as its final "." arrives, just before the 250
reply, as a real server queues it: a client that dies after sending the "." may never learn
that its message went out. `delay` makes the server slow to accept the DATA command (before
its 354 reply), which gives a test time to kill the sending process in the middle of a run
without widening that window. `hold("DATA" or "QUIT", after=n)` holds the reply to one such
command, the first received once n messages arrived, until `release()`: a test kills the sender
while it waits, at a moment it knows (a message in flight, or the connection closing).
"""

from __future__ import annotations

import socketserver
import threading
import time
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import default as default_policy


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    recipients: tuple[str, ...]
    message_id: str
    subject: str
    data: bytes


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode("ascii") + b"\r\n")

    def _read_data(self) -> bytes | None:
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                return None  # the client went away in the middle of the message: nothing received
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)

    def handle(self) -> None:
        try:
            self._session()
        except OSError:  # the client was killed: its half-sent message is not recorded
            return

    def _session(self) -> None:
        sink = self.server.sink
        self._reply("220 sink ESMTP ready")
        mail_from, recipients = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self._reply("250-sink")
                self._reply("250-8BITMIME")
                self._reply("250 SMTPUTF8")
            elif verb == "HELO":
                self._reply("250 sink")
            elif verb == "MAIL":
                mail_from, recipients = command.partition(":")[2].strip(), []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.partition(":")[2].strip())
                self._reply("250 OK")
            elif verb == "DATA":
                sink.maybe_hold(verb)
                if sink.delay:
                    time.sleep(sink.delay)
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                data = self._read_data()
                if data is None:
                    return
                sink.record(mail_from, recipients, data)
                self._reply("250 OK queued")
                mail_from, recipients = "", []
            elif verb == "RSET":
                mail_from, recipients = "", []
                self._reply("250 OK")
            elif verb == "NOOP":
                self._reply("250 OK")
            elif verb == "QUIT":
                sink.maybe_hold(verb)
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    sink: SmtpSink


class SmtpSink:
    """Start with `start()`, read `messages`, stop with `stop()`; thread-safe."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.messages: list[ReceivedMessage] = []
        self._lock = threading.Lock()
        self._hold: tuple[str, int] | None = None
        self._holding = threading.Event()
        self._released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.sink = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="smtp-sink", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> SmtpSink:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (a later connection is refused); safe to call twice."""
        self.release()
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def record(self, mail_from: str, recipients: list[str], data: bytes) -> None:
        headers = BytesHeaderParser(policy=default_policy).parsebytes(data)
        message = ReceivedMessage(
            mail_from=mail_from,
            recipients=tuple(recipients),
            message_id=str(headers.get("Message-ID", "")),
            subject=str(headers.get("Subject", "")),
            data=data,
        )
        with self._lock:
            self.messages.append(message)

    def hold(self, verb: str, *, after: int = 0) -> threading.Event:
        """Hold the reply to the next `verb` (DATA or QUIT) received once `after` messages arrived.

        Returns an event set when a client is being held; the hold lasts until `release()`.
        """
        with self._lock:
            self._hold = (verb, after)
            self._holding.clear()
            self._released.clear()
        return self._holding

    def release(self) -> None:
        """End the current hold (the held client, if still alive, gets its reply)."""
        with self._lock:
            self._hold = None
        self._released.set()

    def maybe_hold(self, verb: str, timeout: float = 10.0) -> None:
        with self._lock:
            if self._hold is None or self._hold[0] != verb or len(self.messages) < self._hold[1]:
                return
            self._hold = None
            self._holding.set()
        self._released.wait(timeout)

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def received(self) -> list[ReceivedMessage]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until at least `count` messages arrived; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= count:
                return True
            time.sleep(0.002)
        return self.count() >= count
