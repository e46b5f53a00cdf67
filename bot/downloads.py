"""Fetching a file a user sent the bot, without letting the URL aim the bot at anything else.

Teams hands a bot a `file.download.info` attachment whose `downloadUrl` is a short-lived,
pre-authorised https URL on the sender's SharePoint or OneDrive (e.g.
https://contoso-my.sharepoint.com/personal/.../_layouts/15/download.aspx?UniqueId=...; see
Microsoft's "Send and receive files using bot"). The URL arrives in the activity, so it is
attacker-controlled. A download is made only:

- over https, to a host on FORUM_FILE_DOWNLOAD_HOSTS (`*.sharepoint.com` by default), never to
  an address literal, never with a user name or another port in the URL;
- to addresses that are public: every address the name resolves to is checked by the
  connector's own resolver, and the connection is made to exactly those addresses, so a name
  that answers differently the second time (DNS rebinding) cannot slip through;
- following at most a few redirects, each checked the same way;
- streamed, stopping at the size limit.

Tests serve files from a loopback fake over http: they list its exact origin in
FORUM_TEST_FILE_ORIGINS, which settings refuse whenever MICROSOFT_APP_ID is set, so a production
configuration cannot open this door by accident.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from bot.settings import Settings
from forum_ops.errors import ForumError

log = logging.getLogger(__name__)
MAX_REDIRECTS = 3
NOT_TEAMS = "I can only fetch files Teams offers over https from SharePoint or OneDrive."
NOT_FETCHED = "I couldn't fetch the file from Teams: please send it again."


class NotPublicAddress(OSError):
    """A name resolved to a loopback, private, link-local, reserved or multicast address."""


# Ranges this Python's `is_global` still calls global although IANA says they are not reachable
# from the internet: 192.0.0.0/24 (IETF protocol assignments, e.g. 192.0.0.8, the IPv4 dummy
# address; Python 3.11 marks only the /29) and 64:ff9b:1::/48 (local-use NAT64, RFC 8215).
_NOT_GLOBAL = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("64:ff9b:1::/48"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052's well-known prefix
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # ::a.b.c.d, deprecated by RFC 4291


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, which a gateway may deliver to: mapped
    (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4
    (2002:aabb:ccdd::) and Teredo (its server and its client)."""
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        ip.is_global
        and not ip.is_multicast
        and not any(ip.version == net.version and ip in net for net in _NOT_GLOBAL)
    )


def is_public(address: str) -> bool:
    """True only when the address, and every IPv4 address embedded in it, is reachable on the
    internet: `::7f00:1` or `2002:7f00:1::` is loopback for whoever translates it."""
    ip = ipaddress.ip_address(address.split("%")[0])
    inside = embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else []
    return _global(ip) and all(_global(v4) for v4 in inside)


class PublicResolver(AbstractResolver):
    """Resolves with `inner` and refuses the lot if any address is not public. aiohttp connects
    to the addresses this returns, so what was checked is what is connected to."""

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self._inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if not results or not all(is_public(r["host"]) for r in results):
            raise NotPublicAddress(f"{host} does not resolve only to public addresses")
        return results

    async def close(self) -> None:
        await self._inner.close()


def host_allowed(host: str, patterns: frozenset[str]) -> bool:
    """`*.sharepoint.com` matches any name under sharepoint.com; anything else matches exactly."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_url(url: str, settings: Settings) -> bool:
    """Raise ForumError unless the URL may be fetched; True when it is a test origin."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ForumError(NOT_TEAMS) from None
    if settings.test_file_origins and _origin(url) in settings.test_file_origins:
        return True
    host = parts.hostname or ""
    if (
        parts.scheme != "https"
        or parts.username is not None
        or port not in (None, 443)
        or not host_allowed(host, settings.file_download_hosts)
    ):
        raise ForumError(NOT_TEAMS)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    raise ForumError(NOT_TEAMS)  # an address literal never matches a pattern, but never mind


async def fetch_file(
    settings: Settings, url: str, *, resolver: AbstractResolver | None = None
) -> bytes:
    """The file at a Teams download URL, or ForumError saying why not (never its content)."""
    limit = settings.forum_max_upload_bytes
    connector = aiohttp.TCPConnector(resolver=PublicResolver(resolver), limit=2)
    timeout = aiohttp.ClientTimeout(total=60, connect=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, trust_env=False) as http:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, settings)
            try:
                async with http.get(url, allow_redirects=False) as response:
                    if response.status in (301, 302, 303, 307, 308):
                        url = urljoin(url, response.headers.get("Location", ""))
                        continue
                    if response.status != 200:
                        log.warning("returns.download_failed", extra={"status": response.status})
                        raise ForumError(NOT_FETCHED)
                    if (response.content_length or 0) > limit:
                        raise ForumError(_too_big(limit))
                    body = bytearray()
                    async for chunk in response.content.iter_chunked(64 * 1024):
                        body += chunk
                        if len(body) > limit:
                            raise ForumError(_too_big(limit))
                    return bytes(body)
            except aiohttp.ClientConnectorError as error:
                if isinstance(error.os_error, NotPublicAddress):
                    log.warning("returns.download_refused", extra={"reason": "not public"})
                    raise ForumError(NOT_TEAMS) from None
                log.warning("returns.download_failed", extra={"error": type(error).__name__})
                raise ForumError(NOT_FETCHED) from None
            except (aiohttp.ClientError, TimeoutError) as error:
                log.warning("returns.download_failed", extra={"error": type(error).__name__})
                raise ForumError(NOT_FETCHED) from None
    raise ForumError(NOT_FETCHED)  # too many redirects


def _too_big(limit: int) -> str:
    size = f"{limit / 2**20:.0f} MB" if limit >= 2**20 else f"{limit / 2**10:.0f} KB"
    return f"The file is over {size}: is it the right one?"


NOT_UPLOADED = "I couldn't put the file in your OneDrive: ask me for it again."


async def upload_file(
    settings: Settings, url: str, body: bytes, *, resolver: AbstractResolver | None = None
) -> None:
    """PUT a whole file to the upload session Teams made in the member's OneDrive when they
    allowed a file consent card (`uploadInfo.uploadUrl`): one range, every byte. The URL comes
    in the invoke, so it is checked as a download's is (https, an allowed host, public
    addresses only, no redirect followed); ForumError says why it failed."""
    check_url(url, settings)
    size = len(body)
    headers = {
        "Content-Length": str(size),
        "Content-Range": f"bytes 0-{size - 1}/{size}",
        "Content-Type": "application/octet-stream",
    }
    connector = aiohttp.TCPConnector(resolver=PublicResolver(resolver), limit=2)
    timeout = aiohttp.ClientTimeout(total=120, connect=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, trust_env=False) as http:
        try:
            async with http.put(url, data=body, headers=headers, allow_redirects=False) as response:
                if response.status not in (200, 201):
                    log.warning("files.upload_failed", extra={"status": response.status})
                    raise ForumError(NOT_UPLOADED)
        except aiohttp.ClientConnectorError as error:
            reason = "not public" if isinstance(error.os_error, NotPublicAddress) else "connect"
            log.warning("files.upload_refused", extra={"reason": reason})
            raise ForumError(NOT_UPLOADED) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("files.upload_failed", extra={"error": type(error).__name__})
            raise ForumError(NOT_UPLOADED) from None
