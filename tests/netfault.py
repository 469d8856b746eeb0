"""A small TCP proxy for tests that need a network that fails the way real ones do.

``FaultProxy`` listens on 127.0.0.1 and forwards every connection to a target (Postgres).
:meth:`FaultProxy.blackhole` makes the network *silent*: the proxy keeps every socket open
and keeps reading, but forwards nothing, so the client's TCP stack still sees its bytes
acknowledged (by the proxy's kernel) and no reset ever comes — only an application-level
heartbeat or deadline can notice. :meth:`FaultProxy.restore` lets new connections through
again; connections that went silent stay silent until their ends close them, like a path
that died. :meth:`FaultProxy.delay` makes it *slow* for a while: the server's replies are
held for that long and then delivered, in order (a congested link: the client's call waits,
then completes).
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from sqlalchemy.engine import make_url

_CHUNK = 65_536


class _Pipe:
    """One client connection and its upstream; ``dead`` once it went silent."""

    def __init__(self, client: socket.socket, upstream: socket.socket, *, dead: bool) -> None:
        self.client = client
        self.upstream = upstream
        self.dead = dead

    def peer(self, sock: socket.socket) -> socket.socket:
        return self.upstream if sock is self.client else self.client

    def close(self) -> None:
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.close()


class FaultProxy:
    def __init__(self, target_host: str = "127.0.0.1", target_port: int = 5432) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ, None)
        self._pipes: list[_Pipe] = []
        self._silent = False
        self._refusing = False
        # delay(): replies arriving before this moment (monotonic) are held until then.
        self._hold_until = 0.0
        self._held: list[tuple[_Pipe, socket.socket, bytes]] = []  # proxy thread only
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._requests: list[threading.Event] = []  # reset_all() calls waiting for the loop
        self.connections_accepted = 0

    @classmethod
    def for_url(cls, db_url: str) -> FaultProxy:
        parsed = make_url(db_url)
        return cls(parsed.host or "127.0.0.1", parsed.port or 5432)

    def url(self, db_url: str) -> str:
        """``db_url`` pointed at this proxy instead of the server."""
        parsed = make_url(db_url).set(host="127.0.0.1", port=self.port)
        return parsed.render_as_string(hide_password=False)

    # -- faults -------------------------------------------------------------------------------

    def blackhole(self) -> None:
        """Go silent: every open connection and every new one forwards nothing, ever."""
        with self._lock:
            self._silent = True
            for pipe in self._pipes:
                pipe.dead = True

    def refuse(self) -> None:
        """Like a server that is down: every new connection is closed at once."""
        with self._lock:
            self._refusing = True

    def delay(self, seconds: float) -> None:
        """For the next ``seconds``, hold every reply of the server (on every connection);
        then deliver what was held, in order, and forward as usual again."""
        with self._lock:
            self._hold_until = time.monotonic() + seconds

    def restore(self) -> None:
        """New connections are forwarded again; the silent ones stay silent."""
        with self._lock:
            self._silent = False
            self._refusing = False

    def reset_all(self) -> None:
        """Close every connection now (the client sees an end of stream)."""
        if not self._thread.is_alive():
            self._close_pipes()
            return
        done = threading.Event()
        self._requests.append(done)
        done.wait(timeout=5)

    def _close_pipes(self) -> None:
        # Only on the proxy's own thread (or once it stopped): selectors are not
        # thread-safe.
        with self._lock:
            pipes, self._pipes = self._pipes, []
        for pipe in pipes:
            for sock in (pipe.client, pipe.upstream):
                self._unregister(sock)
            pipe.close()

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._pipes)

    # -- life ---------------------------------------------------------------------------------

    def start(self) -> Self:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._close_pipes()
        self._selector.close()
        self._listener.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- the loop -----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            while self._requests:
                self._close_pipes()
                self._requests.pop().set()
            self._release_held()
            for key, _events in self._selector.select(timeout=0.01 if self._held else 0.05):
                if key.data is None:
                    self._accept()
                else:
                    self._relay(key.fileobj, key.data)  # type: ignore[arg-type]

    def _accept(self) -> None:
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        self.connections_accepted += 1
        with self._lock:
            refusing = self._refusing
        if refusing:
            client.close()
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        for sock in (client, upstream):
            sock.setblocking(False)
        pipe = _Pipe(client, upstream, dead=False)
        with self._lock:
            # Decided with the append under one lock: a blackhole() while the upstream
            # was being opened must not miss this connection.
            pipe.dead = self._silent
            self._pipes.append(pipe)
        self._selector.register(client, selectors.EVENT_READ, pipe)
        self._selector.register(upstream, selectors.EVENT_READ, pipe)

    def _relay(self, sock: socket.socket, pipe: _Pipe) -> None:
        try:
            data = sock.recv(_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(pipe)
            return
        if pipe.dead:
            return  # read and thrown away: acknowledged, never delivered
        if sock is pipe.upstream and (self._held or self._holding()):
            self._held.append((pipe, sock, data))  # a reply, held (delay())
            return
        self._send(pipe, sock, data)

    def _holding(self) -> bool:
        with self._lock:
            return time.monotonic() < self._hold_until

    def _release_held(self) -> None:
        """Deliver the held replies once the delay is over (in the order they came)."""
        if not self._held or self._holding():
            return
        held, self._held = self._held, []
        for pipe, sock, data in held:
            if pipe in self._pipes and not pipe.dead:
                self._send(pipe, sock, data)

    def _send(self, pipe: _Pipe, sock: socket.socket, data: bytes) -> None:
        try:
            pipe.peer(sock).sendall(data)
        except BlockingIOError:
            # A full buffer on loopback: rare with these sizes; wait for it briefly.
            target = pipe.peer(sock)
            target.setblocking(True)
            target.sendall(data)
            target.setblocking(False)
        except OSError:
            self._drop(pipe)

    def _drop(self, pipe: _Pipe) -> None:
        with self._lock:
            if pipe in self._pipes:
                self._pipes.remove(pipe)
        for sock in (pipe.client, pipe.upstream):
            self._unregister(sock)
        pipe.close()

    def _unregister(self, sock: socket.socket) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(sock)


def bounded(call: Callable[[], Any], ceiling: float = 30.0) -> Any:
    """``call()`` in a thread; fails (instead of hanging the suite) if it is still running
    after ``ceiling`` seconds — a call on a silent network must come back. Re-raises what
    it raised, returns what it returned."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(ceiling)
    assert not worker.is_alive(), f"the call was still blocked after {ceiling:g} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
