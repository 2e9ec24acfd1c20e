#!/usr/bin/python3
"""A loopback stand-in for a LiveKit server, for tests: one room, its clients, and an "avatar" participant that
publishes colour bars and a 440 Hz tone over real WebRTC (aiortc). What a client publishes (tracks, data messages)
is relayed to the other clients as that participant's. Data packets are relayed whatever their kind (user packets,
RPC request/ack/response, byte-stream header/chunk/trailer), addressed by their destination identities, in the order
received, each after --data-latency-ms (a network hop's delay; 0: at once).

Usage: loopback_sfu.py [--codec vp8|h264] [--width 640] [--height 360] [--identity heygen]
                       [--audio-owner IDENTITY] [--late | --no-avatar] [--room NAME]
                       [--api-key KEY --api-secret SECRET] [--data-latency-ms 20]
Prints "LISTENING <wsport> HTTP <httpport>" once it accepts signal connections (ws://127.0.0.1:<wsport>/rtc) and
RoomService calls (http://127.0.0.1:<httpport>/twirp/livekit.RoomService/..., room_service.py), both on OS-chosen
ports.

Tokens (tokens.py): a LiveKit access token (JWT) joins as its `sub`, named `name`, of kind AGENT when `kind` is
"agent" (else STANDARD), with its `attributes`; its `video` grant must name the room (`room`) and allow `roomJoin`.
With --api-key/--api-secret the signature (HS256) and issuer are verified; without them the claims are believed.
A refused token gets HTTP 401 with the reason (the engine reads it from /rtc/validate). The room is named --room,
else after the first JWT's room ("loopback" until then); a JWT for another room is refused. The test shorthand
"identity:NAME" joins as NAME, any other non-JWT token as "client".

Commands on stdin (commands.py): join, leave, remove IDENTITY, drop IDENTITY, attributes IDENTITY JSON; each is
answered "DONE <command>". Exits when stdin closes.

The protocol steps (LiveKit signal protocol 16, subscriber-primary):
 1. accept the WebSocket at /rtc; 2. send JoinResponse (the avatar among other_participants unless --late, or a
 ParticipantUpdate when it joins later: either way before the offer); 3. send a sendonly offer whose msid lines
 name "<participant sid>|<track sid>" (that is how the client maps tracks to participants) and without a=extmap
 lines (aiortc reuses extension ids across audio and video, which libwebrtc rejects within one BUNDLE);
 4. apply the answer and the client's trickled SUBSCRIBER candidates; answer pings.
Publishing (publisher.py): AddTrackRequest -> TrackPublishedResponse; the client's publisher offer -> our answer,
with its PUBLISHER candidates; the tracks it carries go to the other clients in a ParticipantUpdate, then in a
renegotiated subscriber offer; a track missing from a later offer is unpublished (another update).
"""
import argparse
import asyncio
import http
import json
import sys
import time
import urllib.parse

import websockets
from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.sdp import candidate_from_sdp

import commands
import room_service
import sdp_rewrite
import signal_proto as sp
import tokens
from avatar_media import ColourBars, Tone
from data_relay import DataRelay
from publisher import Publisher

AVATAR_SID, BYSTANDER_SID = "PA_avatar", "PA_bystander"
VIDEO_SID, AUDIO_SID = "TR_avatar_video", "TR_avatar_audio"


class Session:
    """One connected client: its signalling, its subscriber PeerConnection (we offer what it receives: the avatar's
    tracks and what other clients publish) and its publisher side."""

    def __init__(self, room, websocket, grant):
        self.room, self.args, self.ws = room, room.args, websocket
        self.identity, self.sid = grant.identity, "PA_" + grant.identity
        self.name, self.attributes = grant.name, grant.attributes
        self.kind = sp.KIND_AGENT if grant.is_agent else sp.KIND_STANDARD
        self.gone_reason = sp.REASON_CLIENT_INITIATED  # what the others are told when this session ends
        self.pc = RTCPeerConnection()
        self.mime = "video/H264" if self.args.codec == "h264" else "video/VP8"
        self.audio_owner = self.args.audio_owner or self.args.identity
        self.owners = {}     # subscriber transceiver -> (participant sid, track sid)
        self.data = DataRelay(self.pc, self.args.data_latency_ms)
        self.publisher = Publisher(self, room)
        self.negotiation = asyncio.Lock()
        self.answered = None
        self.tasks = set()
        self.sdp_id = 0

    def info(self, state=sp.STATE_ACTIVE):
        gone = state == sp.STATE_DISCONNECTED
        tracks = [] if gone else [t.info() for t in self.publisher.live()]
        return sp.participant_info(self.sid, self.identity, state, tracks, self.gone_reason if gone else 0,
                                   self.name, self.kind, self.attributes)

    def describe(self):
        """This participant as RoomService's JSON ParticipantInfo."""
        return room_service.describe_participant(self.sid, self.identity, self.name, self.kind, self.attributes,
                                    [(t.sid, t.kind, t.name, t.source, t.width, t.height) for t in self.publisher.live()])

    def participants(self, state=sp.STATE_ACTIVE):
        """The avatar (and, with --audio-owner, the bystander that owns its voice)."""
        video = sp.track_info(VIDEO_SID, sp.TRACK_VIDEO, "avatar-camera", sp.SOURCE_CAMERA, self.mime,
                              self.args.width, self.args.height)
        audio = sp.track_info(AUDIO_SID, sp.TRACK_AUDIO, "avatar-voice", sp.SOURCE_MICROPHONE, "audio/opus")
        gone = state == sp.STATE_DISCONNECTED
        reason = sp.REASON_CLIENT_INITIATED if gone else 0
        if self.audio_owner == self.args.identity:
            return [sp.participant_info(AVATAR_SID, self.args.identity, state, [] if gone else [video, audio], reason)]
        return [sp.participant_info(AVATAR_SID, self.args.identity, state, [] if gone else [video], reason),
                sp.participant_info(BYSTANDER_SID, self.audio_owner, state, [] if gone else [audio], reason)]

    def add_avatar(self):
        video = self.pc.addTransceiver(ColourBars(self.args.width, self.args.height), direction="sendonly")
        if self.args.codec == "h264":
            video.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("video").codecs
                                       if c.mimeType in ("video/H264", "video/rtx")])
        audio = self.pc.addTransceiver(Tone(), direction="sendonly")
        self.owners[video] = (AVATAR_SID, VIDEO_SID)
        self.owners[audio] = (BYSTANDER_SID if self.audio_owner != self.args.identity else AVATAR_SID, AUDIO_SID)

    def add_relayed(self, participant_sid, track_sid, media):
        self.owners[self.pc.addTransceiver(media, direction="sendonly")] = (participant_sid, track_sid)

    def drop_relayed(self, track_sid):
        for transceiver, (_, sid) in list(self.owners.items()):
            if sid == track_sid:
                del self.owners[transceiver]
                if transceiver.sender.track is not None:
                    transceiver.sender.track.stop()  # the relay stops feeding it; the client was told by an update

    def renegotiate(self):
        """Offers the subscriber connection's current tracks, one negotiation at a time (each waits for its answer,
        which arrives on this session's signal loop, so it runs as a task)."""
        task = asyncio.ensure_future(self._negotiate())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _negotiate(self):
        async with self.negotiation:
            await self.pc.setLocalDescription(await self.pc.createOffer())
            owners = {t.mid: owner for t, owner in self.owners.items()}
            self.answered = asyncio.get_running_loop().create_future()
            self.sdp_id += 1
            await self.ws.send(sp.offer(sdp_rewrite.rewrite_offer(self.pc.localDescription.sdp, owners), self.sdp_id))
            try:
                await asyncio.wait_for(self.answered, 10)
            except asyncio.TimeoutError:
                print("no answer to subscriber offer %d of %s" % (self.sdp_id, self.identity), file=sys.stderr)

    async def on_request(self, data):
        request = sp.parse(data)
        if sp.REQ_ANSWER in request:
            answer = sp.parse(request[sp.REQ_ANSWER][0])
            await self.pc.setRemoteDescription(RTCSessionDescription(answer[2][0].decode(), "answer"))
            if self.answered is not None and not self.answered.done():
                self.answered.set_result(True)
        elif sp.REQ_OFFER in request:
            offer = sp.parse(request[sp.REQ_OFFER][0])
            await self.publisher.on_offer(sp.text(offer, 2), sp.field(offer, 3, 0))
        elif sp.REQ_ADD_TRACK in request:
            await self.publisher.add_track(request[sp.REQ_ADD_TRACK][0])
        elif sp.REQ_TRICKLE in request:
            trickle = sp.parse(request[sp.REQ_TRICKLE][0])
            init = json.loads(trickle[1][0].decode())
            if not init.get("candidate"):
                return
            if sp.field(trickle, 2, sp.TARGET_PUBLISHER) == sp.TARGET_PUBLISHER:
                await self.publisher.on_trickle(init)
                return
            candidate = candidate_from_sdp(init["candidate"].split(":", 1)[1])
            candidate.sdpMid, candidate.sdpMLineIndex = init.get("sdpMid"), init.get("sdpMLineIndex")
            await self.pc.addIceCandidate(candidate)
        elif sp.REQ_PING_REQ in request:
            ping = sp.parse(request[sp.REQ_PING_REQ][0])
            await self.ws.send(sp.pong(ping.get(1, [0])[0], int(time.time() * 1000)))
        elif sp.REQ_PING in request:
            await self.ws.send(sp.legacy_pong(request[sp.REQ_PING][0]))
        elif sp.REQ_LEAVE in request:
            await self.ws.close()

    async def close(self):
        self.data.close()
        for task in list(self.tasks):
            task.cancel()
        await self.publisher.close()
        await self.pc.close()


class Room:
    """The clients in the one room, and what flows between them: participant updates, relayed tracks, data."""

    def __init__(self, args):
        self.args = args
        self.name = args.room or "loopback"
        self.name_fixed = args.room is not None  # else the first JWT names the room
        self.dropped = set()  # identities whose network a "drop" cut: they cannot come back
        self.sessions = []
        self.relay = MediaRelay()
        self.avatar_joined = asyncio.Event()
        if not args.late and not args.no_avatar:
            self.avatar_joined.set()

    def others(self, session):
        return [s for s in self.sessions if s is not session]

    async def join(self, session):
        others = session.participants() if self.avatar_joined.is_set() else []
        others += [o.info() for o in self.sessions]
        await session.ws.send(sp.join_response(sp.room("RM_loopback", self.name), session.info(), others))
        await self.broadcast(session, [session.info()])
        self.sessions.append(session)
        if self.avatar_joined.is_set():
            session.add_avatar()
        for other in self.others(session):
            for track in other.publisher.live():
                session.add_relayed(other.sid, track.sid, self.relay.subscribe(track.media))
        session.data.open_channels()
        session.renegotiate()

    async def leave(self, session):
        if session in self.sessions:
            self.sessions.remove(session)
            await self.broadcast(session, [session.info(sp.STATE_DISCONNECTED)])

    async def broadcast(self, sender, participants):
        for other in self.others(sender):
            try:
                await other.ws.send(sp.participant_update(participants))
            except websockets.ConnectionClosed:
                pass

    async def tracks_changed(self, session, added, removed):
        """A client's publisher offer started or stopped tracks: tell the others (the update names its current
        tracks, so a missing one is unpublished), then offer them the new ones."""
        await self.broadcast(session, [session.info()])
        for other in self.others(session):
            for track in removed:
                other.drop_relayed(track.sid)
            for track in added:
                other.add_relayed(session.sid, track.sid, self.relay.subscribe(track.media))
            if added:
                other.renegotiate()

    def find(self, identity):
        return next((s for s in self.sessions if s.identity == identity), None)

    def refusal(self, grant):
        """Why a join must be refused (None: it may join)."""
        if grant.identity in self.dropped:
            return http.HTTPStatus.SERVICE_UNAVAILABLE, "%s was dropped from the network (drop command)" % grant.identity
        if not grant.is_jwt:
            return None
        if not grant.identity:
            return http.HTTPStatus.UNAUTHORIZED, "the token has no identity (sub)"
        if not grant.room:
            return http.HTTPStatus.UNAUTHORIZED, "the token's video grant names no room (video.room)"
        if not grant.room_join:
            return http.HTTPStatus.UNAUTHORIZED, "the token's video grant does not allow joining (video.roomJoin)"
        if self.name_fixed and grant.room != self.name:
            return http.HTTPStatus.UNAUTHORIZED, "the token is for room %s; this server hosts room %s" % (grant.room, self.name)
        return None

    def admit(self, grant):
        if grant.is_jwt and not self.name_fixed:
            self.name, self.name_fixed = grant.room, True

    async def remove(self, identity):
        """RoomService.RemoveParticipant: the participant is told to leave (no reconnect), then its connection is
        closed; the others see it DISCONNECTED (participant removed). False: no such participant."""
        session = self.find(identity)
        if session is None:
            return False
        session.gone_reason = sp.REASON_PARTICIPANT_REMOVED
        try:
            await session.ws.send(sp.leave(sp.REASON_PARTICIPANT_REMOVED))
        except websockets.ConnectionClosed:
            pass
        await self.leave(session)
        await session.ws.close()
        return True

    async def drop(self, identity):
        """A network drop: the signal connection and the peer connections are cut without a LeaveRequest, and the
        identity cannot reconnect; the others see it DISCONNECTED (signal closed). False: no such participant."""
        session = self.find(identity)
        if session is None:
            return False
        self.dropped.add(identity)
        session.gone_reason = sp.REASON_SIGNAL_CLOSE
        session.ws.transport.abort()  # no close frame: the TCP connection just ends
        await self.leave(session)
        await session.close()
        return True

    async def set_attributes(self, identity, attributes):
        session = self.find(identity)
        if session is None:
            return False
        session.attributes = dict(attributes)
        update = sp.participant_update([session.info()])
        for each in self.sessions:  # the participant itself learns its new attributes too
            try:
                await each.ws.send(update)
            except websockets.ConnectionClosed:
                pass
        return True

    def describe(self):
        """Everyone in the room as RoomService's JSON ParticipantInfo list (the avatar first, when it is in)."""
        out = []
        if self.avatar_joined.is_set() and not self.args.no_avatar:
            mime = "video/H264" if self.args.codec == "h264" else "video/VP8"
            video = (VIDEO_SID, sp.TRACK_VIDEO, "avatar-camera", sp.SOURCE_CAMERA, self.args.width, self.args.height)
            audio = (AUDIO_SID, sp.TRACK_AUDIO, "avatar-voice", sp.SOURCE_MICROPHONE, 0, 0)
            owner = self.args.audio_owner or self.args.identity
            if owner == self.args.identity:
                out.append(room_service.describe_participant(AVATAR_SID, owner, owner, sp.KIND_STANDARD, {}, [video, audio], mime))
            else:
                out.append(room_service.describe_participant(AVATAR_SID, self.args.identity, self.args.identity, sp.KIND_STANDARD,
                                                {}, [video], mime))
                out.append(room_service.describe_participant(BYSTANDER_SID, owner, owner, sp.KIND_STANDARD, {}, [audio], mime))
        return out + [s.describe() for s in self.sessions]

    def forward_data(self, sender, label, packet):
        destinations = sp.data_destinations(packet)
        stamped = sp.stamp_sender(packet, sender.sid, sender.identity)
        for other in self.others(sender):
            if not destinations or other.identity in destinations:
                other.data.send(label, stamped)


def grant_token(path, headers):
    """A join's token: its Authorization header, or an access_token query parameter (the engine sends none to
    /rtc/validate)."""
    token = tokens.bearer(headers)
    if not token:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path or "").query)
        token = (query.get("access_token") or [""])[0]
    return token


def grant_of(path, headers, args):
    """The grant of a join's token; raises tokens.TokenError for a token to refuse."""
    return tokens.read(grant_token(path, headers), args.api_key, args.api_secret)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--codec", choices=["vp8", "h264"], default="vp8")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--identity", default="heygen")
    parser.add_argument("--audio-owner")
    parser.add_argument("--late", action="store_true")
    parser.add_argument("--no-avatar", action="store_true")
    parser.add_argument("--room")
    # Each forwarded data packet (user data, RPC, byte-stream packets) takes this long, as over a real network hop:
    # the pinned engine (livekit-ffi 0.12.43) registers an RPC call only after its request is sent, so an answer
    # that comes back faster than the caller's task is scheduled is lost (the call ends in 1501 after 7 s). On
    # loopback with a loaded CPU that happened; livekit-ffi 0.12.59 registers the call before sending.
    parser.add_argument("--data-latency-ms", type=float, default=20)
    parser.add_argument("--api-key")
    parser.add_argument("--api-secret")
    args = parser.parse_args()
    if (args.api_key is None) != (args.api_secret is None):
        parser.error("--api-key and --api-secret go together")
    room = Room(args)

    last_refusal = []  # the engine asks /rtc/validate why, without its token: it gets the latest refusal

    async def check(path, headers):
        """Refuses a join (or answers the engine's /rtc/validate) before the websocket handshake."""
        # The engine asks <its signal URL>/rtc/validate, whose path is /rtc/rtc/validate.
        validating = urllib.parse.urlsplit(path).path.endswith("/validate")
        try:
            grant = grant_of(path, headers, args)
            refusal = room.refusal(grant)
        except tokens.TokenError as error:
            refusal = http.HTTPStatus.UNAUTHORIZED, "invalid token: %s" % error
        if validating and not grant_token(path, headers):
            refusal = last_refusal[-1] if last_refusal else None
        elif refusal is not None:
            last_refusal.append(refusal)
        if refusal is not None:
            status, reason = refusal
            return status, [("Content-Type", "text/plain")], reason.encode("utf-8")
        if validating:
            return http.HTTPStatus.OK, [("Content-Type", "text/plain")], b"success"
        return None

    async def handle(websocket, path=None):
        grant = grant_of(websocket.path, websocket.request_headers, args)
        room.admit(grant)
        session = Session(room, websocket, grant)
        try:
            await room.join(session)
            async for data in websocket:
                await session.on_request(data)
        except websockets.ConnectionClosed:
            pass
        finally:
            await room.leave(session)
            await session.close()

    service = room_service.RoomService(room, asyncio.get_running_loop(), args.api_key, args.api_secret)
    service.start()
    try:
        async with websockets.serve(handle, "127.0.0.1", 0, ping_interval=None, process_request=check) as server:
            port = server.sockets[0].getsockname()[1]
            print("LISTENING %d HTTP %d" % (port, service.port), flush=True)
            await commands.run(room)
    finally:
        service.stop()


if __name__ == "__main__":
    asyncio.run(main())
