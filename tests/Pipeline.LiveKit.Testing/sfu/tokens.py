"""LiveKit access tokens as the loopback SFU reads them.

A LiveKit access token is a JWT (RFC 7519) signed with HS256 by the API secret, whose issuer (`iss`) is the API key.
The claims used here: `sub` (the participant identity), `name`, `kind` ("agent" or others), `attributes` (an object
of strings), and the `video` grant: `room` (the room it may join), `roomJoin`, `roomAdmin` (may call RoomService for
that room). Test shorthand tokens "identity:NAME" carry no claims and join as NAME; any other non-JWT text joins as
"client" (both kept for the older tests).
"""
import base64
import hashlib
import hmac
import json
import time


class TokenError(Exception):
    """A token that must be refused; the message says why (it never repeats the token)."""


class Grant:
    """What a token allows: who joins, as what, with which attributes, into which room."""

    def __init__(self, identity, name="", kind="", attributes=None, room=None, room_join=True, room_admin=False,
                 is_jwt=False):
        self.identity, self.name, self.kind = identity, name or identity, kind or ""
        self.attributes = dict(attributes or {})
        self.room, self.room_join, self.room_admin, self.is_jwt = room, room_join, room_admin, is_jwt

    @property
    def is_agent(self):
        return self.kind == "agent"


def _b64decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def looks_like_jwt(token):
    return token.count(".") == 2 and all(token.split("."))


def read(token, api_key=None, api_secret=None):
    """The grant a join or RoomService token carries. With an API secret the signature (HS256) and the issuer are
    checked; without one the claims are taken as they are. Raises TokenError for a token that must be refused."""
    if token.startswith("identity:"):
        return Grant(token[len("identity:"):])
    if not looks_like_jwt(token):
        if api_secret is not None and token:
            raise TokenError("the token is not a JWT (three base64url parts separated by dots)")
        return Grant("client")

    header_part, claims_part, signature_part = token.split(".")
    try:
        header = json.loads(_b64decode(header_part))
        claims = json.loads(_b64decode(claims_part))
        signature = _b64decode(signature_part)
    except (ValueError, UnicodeDecodeError) as error:
        raise TokenError("the token is not a readable JWT: %s" % type(error).__name__) from None
    if not isinstance(claims, dict) or not isinstance(header, dict):
        raise TokenError("the token's header and claims must be JSON objects")

    if api_secret is not None:
        if header.get("alg") != "HS256":
            raise TokenError("the token must be signed with HS256, not %s" % header.get("alg"))
        expected = hmac.new(api_secret.encode("utf-8"), ("%s.%s" % (header_part, claims_part)).encode("ascii"),
                            hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            raise TokenError("the token's signature does not match the API secret")
        if claims.get("iss") != api_key:
            raise TokenError("the token's issuer (iss) is not this server's API key")
    now = time.time()
    if "exp" in claims and isinstance(claims["exp"], (int, float)) and claims["exp"] < now:
        raise TokenError("the token has expired")
    if "nbf" in claims and isinstance(claims["nbf"], (int, float)) and claims["nbf"] > now + 60:
        raise TokenError("the token is not valid yet (nbf)")

    video = claims.get("video") if isinstance(claims.get("video"), dict) else {}
    attributes = claims.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise TokenError("the token's attributes must be an object of strings")
    return Grant(str(claims.get("sub") or ""), str(claims.get("name") or ""), str(claims.get("kind") or ""),
                 attributes, video.get("room"), video.get("roomJoin") is True, video.get("roomAdmin") is True,
                 is_jwt=True)


def bearer(headers):
    """The token of an "Authorization: Bearer ..." header ("" when absent)."""
    value = headers.get("Authorization", "") or ""
    return value[len("Bearer "):].strip() if value.startswith("Bearer ") else value.strip()
