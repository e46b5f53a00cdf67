"""Inbound authentication of Bot Framework requests, without blocking the event loop.

botbuilder 4.17.1 validates tokens with blocking `requests` calls inside the loop and lets a
malformed or forged token escape as an arbitrary exception (HTTP 500). Here the signing keys come
from the OpenID metadata through the app's aiohttp session, are cached, and any token that fails
any check raises `Unauthorized` (HTTP 401).

Checks, as the Bot Connector documents them (the unsigned issuer, audience and expiry first, so a
token that cannot be valid is 401 without fetching a key): `Bearer` scheme; RS256/384/512; a signing key from
the metadata's JWKS whose endorsements include the channel; issuer `https://api.botframework.com`;
audience = our app id; expiry with 5 minutes' leeway; a `serviceurl` claim, equal to the
activity's serviceUrl (required, as the stock SDK's ChannelValidation requires it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
)

log = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
ALGORITHMS = ("RS256", "RS384", "RS512")
LEEWAY_SECONDS = 300
KEYS_FRESH_FOR = 24 * 3600.0
REFRESH_AT_MOST_EVERY = 3600.0  # an unknown key id triggers a refresh, at most this often


class Unauthorized(Exception):
    """The request's token is missing or fails a check (HTTP 401). The message is for logs only."""


class AuthUnavailable(Exception):
    """The signing keys could not be fetched (HTTP 503): the token was not judged."""


@dataclass(frozen=True)
class SigningKey:
    key: Any
    endorsements: frozenset[str]


class SigningKeys:
    """The channel's token signing keys, from OpenID metadata, cached and refreshed lazily."""

    def __init__(self, http: aiohttp.ClientSession, metadata_url: str) -> None:
        self._http, self._metadata_url = http, metadata_url
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at = -float("inf")
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> SigningKey | None:
        if time.monotonic() - self._fetched_at > KEYS_FRESH_FOR:
            await self._refresh()
        if kid not in self._keys and time.monotonic() - self._fetched_at > REFRESH_AT_MOST_EVERY:
            await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < 1.0:  # another request just refreshed
                return
            try:
                metadata = await self._fetch_json(self._metadata_url)
                jwks = await self._fetch_json(str(metadata["jwks_uri"]))
            except (aiohttp.ClientError, TimeoutError, KeyError, ValueError) as error:
                log.warning("auth.keys_unavailable", extra={"error": repr(error)})
                raise AuthUnavailable("could not fetch the channel's signing keys") from error
            keys = {}
            for jwk in jwks.get("keys", []):
                try:
                    keys[jwk["kid"]] = SigningKey(
                        jwt.PyJWK(jwk).key, frozenset(jwk.get("endorsements", []))
                    )
                except (KeyError, jwt.PyJWKError):
                    log.warning("auth.unusable_key", extra={"kid": jwk.get("kid")})
            self._keys, self._fetched_at = keys, time.monotonic()
            log.info("auth.keys_refreshed", extra={"keys": len(keys)})

    async def _fetch_json(self, url: str) -> Any:
        timeout = aiohttp.ClientTimeout(total=10)
        async with self._http.get(url, timeout=timeout) as response:
            response.raise_for_status()
            return await response.json(content_type=None)


class ChannelTokenValidator:
    def __init__(self, keys: SigningKeys, app_id: str) -> None:
        self._keys, self._app_id = keys, app_id

    async def validate(self, auth_header: str, activity: Activity) -> dict[str, Any]:
        scheme, _, token = (auth_header or "").partition(" ")
        if scheme != "Bearer" or not token.strip():
            raise Unauthorized("no bearer token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Unauthorized(f"malformed token: {error}") from error
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALGORITHMS or not isinstance(kid, str):
            raise Unauthorized("token algorithm or key id not acceptable")
        self._could_be_valid(token)  # before any key is fetched: no network for a hopeless token
        key = await self._keys.get(kid)
        if key is None:
            raise Unauthorized("token signed by an unknown key")
        if key.endorsements and activity.channel_id not in key.endorsements:
            raise Unauthorized("signing key not endorsed for this channel")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self._app_id,
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthorized(f"token rejected: {error}") from error
        # As botframework-connector's ChannelValidation.authenticate_channel_token_with_service_url:
        # the claim must be present and equal, or a token for one serviceUrl works for any.
        service_url = claims.get(AuthenticationConstants.SERVICE_URL_CLAIM)
        if service_url is None:
            raise Unauthorized("token has no serviceurl claim")
        if service_url != activity.service_url:
            raise Unauthorized("token was issued for another serviceUrl")
        return claims

    def _could_be_valid(self, token: str) -> None:
        """The unsigned claims a valid token must have (issuer, audience, expiry), checked
        before the signature, whose key may need a fetch: a token that fails them is 401 even
        while the channel's keys cannot be had. The signature check repeats them, signed."""
        try:
            jwt.decode(
                token,
                options={
                    "verify_signature": False,  # the others default to it: turned on again
                    "verify_exp": True,
                    "verify_nbf": True,
                    "verify_iss": True,
                    "verify_aud": True,
                    "require": ["exp", "iss", "aud"],
                },
                audience=self._app_id,
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
            )
        except jwt.PyJWTError as error:
            raise Unauthorized(f"token cannot be valid: {error}") from error


class ForumAuthentication(BotFrameworkAuthentication):
    """CloudAdapter's authentication: our validator inbound, the pooled connector outbound."""

    def __init__(
        self, validator: ChannelTokenValidator | None, connector_factory: ConnectorFactory
    ) -> None:
        self._validator = validator  # None: no app id, local or emulator mode
        self._connector_factory = connector_factory

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result = AuthenticateRequestResult()
        if self._validator is None:
            result.claims_identity = ClaimsIdentity(
                {}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE
            )
            result.caller_id = None
        else:
            claims = await self._validator.validate(auth_header, activity)
            result.claims_identity = ClaimsIdentity(claims, True)
            result.caller_id = CallerIdConstants.public_azure_channel
        result.audience = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        result.connector_factory = self._connector_factory
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._connector_factory

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> None:
        # The forum uses no user sign-in (OAuthPrompt); botbuilder only stores this in turn_state.
        return None

    def get_originating_audience(self) -> str:
        return AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        raise PermissionError("streaming connections are not served")

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        raise PermissionError("skill callbacks are not served")

    def create_bot_framework_client(self) -> Any:
        raise NotImplementedError("the forum bot calls no skills")
