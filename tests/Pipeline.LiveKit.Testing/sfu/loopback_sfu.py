#!/usr/bin/python3
"""A loopback stand-in for a LiveKit server, for tests: one room, its clients, and an "avatar" participant that
publishes colour bars and a 440 Hz tone over real WebRTC (aiortc). What a client publishes (tracks, data messages)
is relayed to the other clients as that participant's. Data packets are relayed whatever their kind (user packets,
RPC request/ack/response, byte-stream header/chunk/trailer), addressed by their destination identities.

Usage: loopback_sfu.py [--codec vp8|h264] [--width 640] [--height 360] [--identity heygen]
                       [--audio-owner IDENTITY] [--late | --no-avatar]
Prints "LISTENING <port>" once it accepts connections on 127.0.0.1 (an OS-chosen port). A client whose token is
"identity:NAME" joins as NAME, any other as "client". Commands on stdin, one a line: "join" (with --late: the avatar
joins now), "leave" (the avatar leaves). Exits when stdin closes.

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
import fractions
import json
import math
import sys
import time

import av
import numpy
import websockets
from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp

import sdp_rewrite
import signal_proto as sp
from publisher import Publisher

BARS = [(235, 235, 235), (235, 235, 16), (16, 235, 235), (16, 235, 16),
        (235, 16, 235), (235, 16, 16), (16, 16, 235), (16, 16, 16)]
AVATAR_SID, BYSTANDER_SID = "PA_avatar", "PA_bystander"
VIDEO_SID, AUDIO_SID = "TR_avatar_video", "TR_avatar_audio"


class ColourBars(VideoStreamTrack):
    """Eight vertical bars, the same in every frame, at 30 fps."""

    def __init__(self, width, height):
        super().__init__()
        image = numpy.zeros((height, width, 3), dtype=numpy.uint8)
        for x in range(width):
            image[:, x] = BARS[x * len(BARS) // width]
        self._image = image

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame.from_ndarray(self._image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class Tone(MediaStreamTrack):
    """A 440 Hz sine, amplitude 8000, 48 kHz mono, 20 ms frames, paced in real time."""
    kind = "audio"

    def __init__(self):
        super().__init__()
        self._sample = 0
        self._start = None

    async def recv(self):
        rate, samples = 48000, 960
        if self._start is None:
            self._start = time.time()
        else:
            wait = self._start + self._sample / rate - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
        n = numpy.arange(self._sample, self._sample + samples)
        pcm = (8000 * numpy.sin(2 * math.pi * 440 * n / rate)).astype(numpy.int16)
        frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(pcm.tobytes())
        frame.sample_rate, frame.pts, frame.time_base = rate, self._sample, fractions.Fraction(1, rate)
        self._sample += samples
        return frame


class Session:
    """One connected client: its signalling, its subscriber PeerConnection (we offer what it receives: the avatar's
    tracks and what other clients publish) and its publisher side."""

    def __init__(self, room, websocket, identity):
        self.room, self.args, self.ws = room, room.args, websocket
        self.identity, self.sid = identity, "PA_" + identity
        self.pc = RTCPeerConnection()
        self.mime = "video/H264" if self.args.codec == "h264" else "video/VP8"
        self.audio_owner = self.args.audio_owner or self.args.identity
        self.owners = {}     # subscriber transceiver -> (participant sid, track sid)
        self.channels = {}   # data channel label -> our subscriber data channel
        self.early_data = {}  # label -> packets waiting for the channel to open
        self.publisher = Publisher(self, room)
        self.negotiation = asyncio.Lock()
        self.answered = None
        self.tasks = set()
        self.sdp_id = 0

    def info(self, state=sp.STATE_ACTIVE):
        gone = state == sp.STATE_DISCONNECTED
        tracks = [] if gone else [t.info() for t in self.publisher.live()]
        return sp.participant_info(self.sid, self.identity, state, tracks, sp.REASON_CLIENT_INITIATED if gone else 0)

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

    def open_data_channels(self):
        """Real servers offer these on the subscriber connection; data from other clients arrives on them."""
        for label, options in (("_reliable", {}), ("_lossy", {"ordered": False, "maxRetransmits": 0})):
            channel = self.pc.createDataChannel(label, **options)
            self.channels[label] = channel
            channel.on("open", lambda label=label: self._flush(label))

    def send_data(self, label, packet):
        """Sends now, or once the channel opens (a client may send before the other's channel is up)."""
        label = label if label in self.channels else "_reliable"
        self.early_data.setdefault(label, []).append(packet)
        self._flush(label)

    def _flush(self, label):
        channel = self.channels.get(label)
        if channel is not None and channel.readyState == "open":
            for packet in self.early_data.pop(label, []):
                channel.send(packet)

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
        for task in list(self.tasks):
            task.cancel()
        await self.publisher.close()
        await self.pc.close()


class Room:
    """The clients in the one room, and what flows between them: participant updates, relayed tracks, data."""

    def __init__(self, args):
        self.args = args
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
        await session.ws.send(sp.join_response(sp.room("RM_loopback", "loopback"), session.info(), others))
        await self.broadcast(session, [session.info()])
        self.sessions.append(session)
        if self.avatar_joined.is_set():
            session.add_avatar()
        for other in self.others(session):
            for track in other.publisher.live():
                session.add_relayed(other.sid, track.sid, self.relay.subscribe(track.media))
        session.open_data_channels()
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

    def forward_data(self, sender, label, packet):
        destinations = sp.data_destinations(packet)
        stamped = sp.stamp_sender(packet, sender.sid, sender.identity)
        for other in self.others(sender):
            if not destinations or other.identity in destinations:
                other.send_data(label, stamped)


def identity_of(websocket):
    """A token "identity:NAME" joins as NAME (so tests can connect several clients); any other token as "client"."""
    token = websocket.request_headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return token[len("identity:"):] if token.startswith("identity:") else "client"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--codec", choices=["vp8", "h264"], default="vp8")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--identity", default="heygen")
    parser.add_argument("--audio-owner")
    parser.add_argument("--late", action="store_true")
    parser.add_argument("--no-avatar", action="store_true")
    args = parser.parse_args()
    room = Room(args)

    async def handle(websocket, path=None):
        session = Session(room, websocket, identity_of(websocket))
        try:
            await room.join(session)
            async for data in websocket:
                await session.on_request(data)
        except websockets.ConnectionClosed:
            pass
        finally:
            await room.leave(session)
            await session.close()

    async def commands():
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            command = line.strip()
            for session in list(room.sessions):
                if command == "join" and not room.avatar_joined.is_set():
                    await session.ws.send(sp.participant_update(session.participants()))
                    session.add_avatar()
                    session.renegotiate()
                elif command == "leave":
                    await session.ws.send(sp.participant_update(session.participants(sp.STATE_DISCONNECTED)))
            if command == "join":
                room.avatar_joined.set()
            print("DONE " + command, flush=True)

    async with websockets.serve(handle, "127.0.0.1", 0, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        print("LISTENING %d" % port, flush=True)
        await commands()


if __name__ == "__main__":
    asyncio.run(main())
