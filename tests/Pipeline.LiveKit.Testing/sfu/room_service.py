"""LiveKit's RoomService (Twirp, JSON) on its own HTTP port: the websockets library serving the signal port cannot
take POSTs. Only what the avatar-worker tests need: RemoveParticipant and ListParticipants.

Twirp as LiveKit's server speaks it: `POST /twirp/livekit.RoomService/<Method>`, `Content-Type: application/json`,
`Authorization: Bearer <access token>` whose `video` grant has `roomAdmin: true` and `room` = the request's room.
Success is 200 with the response message as JSON (proto field names); failure is a Twirp error
`{"code": ..., "msg": ...}` with the matching HTTP status: malformed 400, unauthenticated 401, permission_denied 403,
not_found 404, bad_route 404.

The HTTP server runs on a thread; every call is carried out on the SFU's event loop, where the room lives.
"""
import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import signal_proto as sp
import tokens

PREFIX = "/twirp/livekit.RoomService/"
STATUS = {"malformed": 400, "unauthenticated": 401, "permission_denied": 403, "not_found": 404, "bad_route": 404,
          "internal": 500}


class TwirpError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code, self.msg = code, msg


class RoomService:
    """Serves the room's RoomService on 127.0.0.1 (an OS-chosen port)."""

    def __init__(self, room, loop, api_key=None, api_secret=None):
        self.room, self.loop = room, loop
        self.api_key, self.api_secret = api_key, api_secret
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                service._serve(self)

            def log_message(self, format, *args):
                pass  # the tests read results, not access logs

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="room-service", daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _serve(self, request):
        try:
            status, body = 200, self._call(request)
        except TwirpError as error:
            status, body = STATUS[error.code], {"code": error.code, "msg": error.msg}
        except Exception as error:  # a bug here must reach the test as an answer, not a hung request
            status, body = 500, {"code": "internal", "msg": "%s: %s" % (type(error).__name__, error)}
        data = json.dumps(body).encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _call(self, request):
        if not request.path.startswith(PREFIX):
            raise TwirpError("bad_route", "no handler for path %s" % request.path)
        method = request.path[len(PREFIX):]
        if method not in ("RemoveParticipant", "ListParticipants"):
            raise TwirpError("bad_route", "the loopback SFU does not serve RoomService.%s" % method)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""

        token = tokens.bearer(request.headers)
        if not token:
            raise TwirpError("unauthenticated", "no Authorization: Bearer token")
        if not tokens.looks_like_jwt(token):
            raise TwirpError("unauthenticated", "the Authorization token is not a JWT")
        try:
            grant = tokens.read(token, self.api_key, self.api_secret)
        except tokens.TokenError as error:
            raise TwirpError("unauthenticated", "invalid token: %s" % error) from None

        if "json" not in (request.headers.get("Content-Type") or ""):
            raise TwirpError("malformed", "Content-Type must be application/json")
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
        except (ValueError, UnicodeDecodeError):
            raise TwirpError("malformed", "the body is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("room"), str) or not body["room"]:
            raise TwirpError("malformed", "the body must name the room: {\"room\": \"...\"}")
        if method == "RemoveParticipant" and (not isinstance(body.get("identity"), str) or not body["identity"]):
            raise TwirpError("malformed", "the body must name the participant: {\"identity\": \"...\"}")

        if not grant.room_admin:
            raise TwirpError("permission_denied", "the token has no roomAdmin grant")
        if grant.room != body["room"]:
            raise TwirpError("permission_denied", "the token's roomAdmin grant is for another room")

        call = self._remove(body) if method == "RemoveParticipant" else self._list(body)
        return asyncio.run_coroutine_threadsafe(call, self.loop).result(30)

    async def _remove(self, body):
        if body["room"] != self.room.name:
            raise TwirpError("not_found", "requested room does not exist")
        if not await self.room.remove(body["identity"]):
            raise TwirpError("not_found", "participant not found")
        return {}

    async def _list(self, body):
        if body["room"] != self.room.name:
            raise TwirpError("not_found", "requested room does not exist")
        return {"participants": self.room.describe()}


TRACK_TYPES = {sp.TRACK_AUDIO: "AUDIO", sp.TRACK_VIDEO: "VIDEO"}
TRACK_SOURCES = {0: "UNKNOWN", sp.SOURCE_CAMERA: "CAMERA", sp.SOURCE_MICROPHONE: "MICROPHONE", 3: "SCREEN_SHARE",
                 4: "SCREEN_SHARE_AUDIO"}


def describe_participant(sid, identity, name, kind, attributes, tracks, video_mime="video/VP8"):
    """RoomService's JSON ParticipantInfo (proto field names, enums by name, as Twirp's JSON gives them)."""
    return {
        "sid": sid, "identity": identity, "name": name, "state": "ACTIVE", "metadata": "",
        "kind": "AGENT" if kind == sp.KIND_AGENT else "STANDARD", "attributes": dict(attributes),
        "is_publisher": bool(tracks),
        "tracks": [{"sid": t_sid, "type": TRACK_TYPES.get(t_kind, "AUDIO"), "name": t_name,
                    "source": TRACK_SOURCES.get(t_source, "UNKNOWN"), "width": width, "height": height,
                    "mime_type": video_mime if t_kind == sp.TRACK_VIDEO else "audio/opus", "muted": False}
                   for (t_sid, t_kind, t_name, t_source, width, height) in tracks],
    }
