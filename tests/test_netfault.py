"""The test proxy itself: it forwards, it goes silent without a reset, it comes back."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.netfault import FaultProxy


@pytest.fixture
def echo_port() -> Iterator[int]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data)

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def _roundtrip(port: int, payload: bytes, timeout: float = 2.0) -> bytes | None:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(payload)
        try:
            return sock.recv(1024)
        except TimeoutError:
            return None


def test_forwards_goes_silent_and_comes_back(echo_port: int) -> None:
    with FaultProxy("127.0.0.1", echo_port) as proxy:
        assert _roundtrip(proxy.port, b"hello") == b"hello"
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=0.5) as open_before:
            proxy.blackhole()
            # Silent, not refused: the send succeeds, no reply and no reset ever comes.
            open_before.sendall(b"anyone?")
            with pytest.raises(TimeoutError):
                open_before.recv(1024)
            assert _roundtrip(proxy.port, b"new", timeout=0.5) is None
            proxy.restore()
            assert _roundtrip(proxy.port, b"back") == b"back"
            open_before.sendall(b"still?")
            with pytest.raises(TimeoutError):
                open_before.recv(1024)  # a connection that went silent stays silent


def test_reset_all_ends_open_connections(echo_port: int) -> None:
    with FaultProxy("127.0.0.1", echo_port) as proxy, \
            socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as sock:
        sock.sendall(b"x")
        assert sock.recv(16) == b"x"
        proxy.reset_all()
        assert sock.recv(16) == b""  # end of stream


def test_refuse_closes_new_connections_until_restored(echo_port: int) -> None:
    with FaultProxy("127.0.0.1", echo_port) as proxy:
        proxy.refuse()
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as sock:
            assert sock.recv(16) == b""  # closed at once, like a server that is down
        proxy.restore()
        assert _roundtrip(proxy.port, b"up") == b"up"


def test_delay_holds_replies_then_delivers_them_in_order(echo_port: int) -> None:
    with FaultProxy("127.0.0.1", echo_port) as proxy, \
            socket.create_connection(("127.0.0.1", proxy.port), timeout=3) as sock:
        sock.sendall(b"a")
        assert sock.recv(16) == b"a"
        proxy.delay(0.5)
        began = time.monotonic()
        sock.sendall(b"b")
        sock.settimeout(0.2)
        with pytest.raises(TimeoutError):
            sock.recv(16)  # held, not lost
        sock.settimeout(3)
        sock.sendall(b"c")
        received = b""
        while len(received) < 2:
            received += sock.recv(16)
        assert received == b"bc"
        assert time.monotonic() - began >= 0.45
        sock.sendall(b"d")
        assert sock.recv(16) == b"d"  # forwarded as usual again
