"""The SSRF guard: which addresses the fetcher may connect to.

In: a host name (or IP literal), a port and the hosts exempt from the guard. Out: the host's
addresses when every one is public unicast, else `Refused` with a reason a user can act on.
`GuardedBackend` is httpcore's socket backend running the same check on the very address it
connects to, so a DNS answer that changes between the check and the connect (rebinding) is
caught too. Refused: loopback, private, link-local, reserved, multicast, unspecified,
cloud-metadata and any other non-global address, also when hidden in IPv6 (v4-mapped, 6to4,
NAT64), and all of 192.0.0.0/24 (IETF protocol assignments such as 192.0.0.8, which Python's
`ipaddress` counts as global).

Deadlines: `deadline(at)` sets, for the calling thread, the `time.monotonic()` instant by which
the whole exchange must be over. Under it, the DNS look-up (run in a helper thread, since
`getaddrinfo` takes no timeout), the connect and every read and write of the guarded backend's
streams wait at most for what is left, so a server that drips its headers a byte at a time cannot
hold a request past its deadline (a per-operation timeout alone restarts with every byte).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import httpcore

if TYPE_CHECKING:
    import ssl

    from httpcore import NetworkStream
    from httpcore._backends.base import SOCKET_OPTION

__all__ = ["GuardedBackend", "Refused", "checked_addresses", "deadline"]

_METADATA = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IETF_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")  # RFC 6890; 3.11's ipaddress misses .8
_local = threading.local()  # .at: the calling thread's deadline (time.monotonic()), or None


class Refused(Exception):
    """Raised by the guarded network backend; carries the SSRF refusal reason."""


def _address_problem(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why connecting to `ip` is refused, or None if it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):  # IPv4 hidden inside IPv6 is judged as IPv4
        inner = ip.ipv4_mapped or ip.sixtofour
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            return _address_problem(inner)
    checks = (
        (ip in _METADATA, "a cloud-metadata"), (ip.is_loopback, "a loopback"),
        (ip.is_link_local, "a link-local"), (ip.is_multicast, "a multicast"),
        (ip.is_unspecified, "an unspecified"), (ip.is_private, "a private"),
        (ip.is_reserved, "a reserved"), (not ip.is_global, "a non-public"),
        (ip.version == 4 and ip in _IETF_PROTOCOL, "an IETF protocol-assignment"),
    )
    return next((kind for hit, kind in checks if hit), None)


def checked_addresses(host: str, port: int, allow_hosts: frozenset[str]) -> list[str]:
    """Resolve `host` and return its addresses; raise `Refused` if any one is not public.

    Every address counts (not just the first): a name with one public and one private record
    would otherwise reach the private one on a retry or a second connection.
    """
    host = host.strip("[]").lower()
    if host in allow_hosts:
        return [host]
    try:
        infos = _resolve(host, port)
    except socket.gaierror as exc:
        raise Refused(f"DNS lookup failed for {host}: {exc.strerror}") from exc
    except UnicodeError:  # IDNA: empty or over-long label
        raise Refused(f"invalid host name: {host}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        problem = _address_problem(ipaddress.ip_address(address.split("%", 1)[0]))
        if problem:
            shown = address if address == host else f"{host} ({address})"
            raise Refused(f"refused: {shown} is {problem} address")
    return addresses


@contextlib.contextmanager
def deadline(at: float | None) -> Iterator[None]:
    """Within the block, this thread's look-ups, connects, reads and writes end by `at`
    (`time.monotonic()`; None: no deadline). Nested blocks keep the earlier deadline."""
    before = getattr(_local, "at", None)
    _local.at = at if before is None or at is None else min(at, before)
    try:
        yield
    finally:
        _local.at = before


def _left(timeout: float | None, expired: type[Exception]) -> float | None:
    """The smaller of `timeout` and what is left of this thread's deadline; raise `expired`
    when nothing is left."""
    at: float | None = getattr(_local, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise expired("deadline reached")
    return left if timeout is None else min(timeout, left)


def _resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    """`socket.getaddrinfo`, given up on when this thread's deadline passes (the look-up itself
    finishes in a daemon thread: the C call cannot be interrupted)."""
    at = getattr(_local, "at", None)
    if at is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    box: dict[str, object] = {}

    def look_up() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = exc

    worker = threading.Thread(target=look_up, name=f"dns {host}", daemon=True)
    worker.start()
    worker.join(max(0.0, at - time.monotonic()))
    if worker.is_alive():
        raise Refused(f"DNS lookup timed out for {host}")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["infos"]  # type: ignore[return-value]


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation waits at most for what is left of the deadline
    of the thread using it (a kept-alive connection serves whichever request holds it)."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> _DeadlineStream:
        return _DeadlineStream(self._inner.start_tls(
            ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses that pass the SSRF guard."""

    def __init__(self, allow_hosts: frozenset[str]) -> None:
        self._allow_hosts = allow_hosts

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[SOCKET_OPTION] | None = None) -> NetworkStream:
        last: Exception | None = None
        for address in checked_addresses(host, port, self._allow_hosts):
            try:
                stream = super().connect_tcp(address, port, _left(timeout, httpcore.ConnectTimeout),
                                             local_address, socket_options)
                return _DeadlineStream(stream)
            except httpcore.ConnectError as exc:  # try the host's next address
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")
