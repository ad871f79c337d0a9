"""The SSRF guard: which addresses the fetcher may connect to.

In: a host name (or IP literal), a port and the hosts exempt from the guard. Out: the host's
addresses when every one is public unicast, else `Refused` with a reason a user can act on.
`GuardedBackend` is httpcore's socket backend running the same check on the very address it
connects to, so a DNS answer that changes between the check and the connect (rebinding) is
caught too. Refused: loopback, private, link-local, reserved, multicast, unspecified,
cloud-metadata and any other non-global address, also when hidden in IPv6 (v4-mapped, 6to4,
NAT64).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING

import httpcore

if TYPE_CHECKING:
    from httpcore import NetworkStream
    from httpcore._backends.base import SOCKET_OPTION

__all__ = ["GuardedBackend", "Refused", "checked_addresses"]

_METADATA = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


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
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
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
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # try the host's next address
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")
