#!/usr/bin/python3
"""A loopback stand-in for a LiveKit server, for tests: one room, one subscribing client, and one "avatar"
participant that publishes colour bars and a 440 Hz tone over real WebRTC (aiortc).

Usage: loopback_sfu.py [--codec vp8|h264] [--width 640] [--height 360] [--identity heygen]
                       [--audio-owner IDENTITY] [--late]
Prints "LISTENING <port>" once it accepts connections on 127.0.0.1 (an OS-chosen port). Commands on stdin, one a
line: "join" (with --late: the avatar joins now), "leave" (the avatar leaves). Exits when stdin closes.

The protocol steps (LiveKit signal protocol 16, subscriber-primary):
 1. accept the WebSocket at /rtc; 2. send JoinResponse (the avatar among other_participants unless --late, or a
 ParticipantUpdate when it joins later: either way before the offer); 3. send a sendonly offer whose msid lines
 name "<participant sid>|<track sid>" (that is how the client maps tracks to participants) and without a=extmap
 lines (aiortc reuses extension ids across audio and video, which libwebrtc rejects within one BUNDLE);
 4. apply the answer and the client's trickled SUBSCRIBER candidates; answer pings.
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
from aiortc.mediastreams import MediaStreamTrack, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp

import signal_proto as sp

BARS = [(235, 235, 235), (235, 235, 16), (16, 235, 235), (16, 235, 16),
        (235, 16, 235), (235, 16, 16), (16, 16, 235), (16, 16, 16)]
AVATAR_SID, BYSTANDER_SID, CLIENT_SID = "PA_avatar", "PA_bystander", "PA_client"
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


def rewrite_offer(sdp, owners):
    """Names each m-section's stream "<participant sid>|<track sid>" and drops header extensions."""
    out, kind = [], None
    for line in sdp.splitlines():
        if line.startswith("m="):
            kind = line[2:].split(" ")[0]
        if line.startswith("a=extmap:"):
            continue
        if kind in owners and line.startswith("a=msid:"):
            line = "a=msid:%s|%s %s" % (owners[kind][0], owners[kind][1], owners[kind][1])
        elif kind in owners and line.startswith("a=ssrc:") and " msid:" in line:
            ssrc = line.split(" ")[0]
            line = "%s msid:%s|%s %s" % (ssrc, owners[kind][0], owners[kind][1], owners[kind][1])
        out.append(line)
    return "\r\n".join(out) + "\r\n"


class Session:
    def __init__(self, args, websocket):
        self.args, self.ws = args, websocket
        self.pc = RTCPeerConnection()
        self.mime = "video/H264" if args.codec == "h264" else "video/VP8"
        self.audio_owner = args.audio_owner or args.identity

    def participants(self, state=sp.STATE_ACTIVE):
        video = sp.track_info(VIDEO_SID, sp.TRACK_VIDEO, "avatar-camera", sp.SOURCE_CAMERA, self.mime,
                              self.args.width, self.args.height)
        audio = sp.track_info(AUDIO_SID, sp.TRACK_AUDIO, "avatar-voice", sp.SOURCE_MICROPHONE, "audio/opus")
        gone = state == sp.STATE_DISCONNECTED
        reason = sp.REASON_CLIENT_INITIATED if gone else 0
        if self.audio_owner == self.args.identity:
            return [sp.participant_info(AVATAR_SID, self.args.identity, state, [] if gone else [video, audio], reason)]
        return [sp.participant_info(AVATAR_SID, self.args.identity, state, [] if gone else [video], reason),
                sp.participant_info(BYSTANDER_SID, self.audio_owner, state, [] if gone else [audio], reason)]

    async def offer_data_only(self):
        """The client will not finish joining until its subscriber connection is up, avatar or not: with --late the
        first offer carries only a data channel (as a real server's does), and the avatar's tracks come in a
        renegotiation when it joins."""
        self.pc.createDataChannel("_reliable")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self.ws.send(sp.offer(self.pc.localDescription.sdp, self.next_sdp_id()))

    def next_sdp_id(self):
        self.sdp_id = getattr(self, "sdp_id", 0) + 1
        return self.sdp_id

    async def publish(self):
        video = self.pc.addTransceiver(ColourBars(self.args.width, self.args.height), direction="sendonly")
        if self.args.codec == "h264":
            video.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("video").codecs
                                       if c.mimeType in ("video/H264", "video/rtx")])
        self.pc.addTransceiver(Tone(), direction="sendonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        audio_sid = BYSTANDER_SID if self.audio_owner != self.args.identity else AVATAR_SID
        sdp = rewrite_offer(self.pc.localDescription.sdp,
                            {"video": (AVATAR_SID, VIDEO_SID), "audio": (audio_sid, AUDIO_SID)})
        await self.ws.send(sp.offer(sdp, self.next_sdp_id()))

    async def on_request(self, data):
        request = sp.parse(data)
        if sp.REQ_ANSWER in request:
            answer = sp.parse(request[sp.REQ_ANSWER][0])
            await self.pc.setRemoteDescription(RTCSessionDescription(answer[2][0].decode(), "answer"))
        elif sp.REQ_TRICKLE in request:
            trickle = sp.parse(request[sp.REQ_TRICKLE][0])
            if trickle.get(2, [sp.TARGET_PUBLISHER])[0] != sp.TARGET_SUBSCRIBER:
                return
            init = json.loads(trickle[1][0].decode())
            if init.get("candidate"):
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


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--codec", choices=["vp8", "h264"], default="vp8")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--identity", default="heygen")
    parser.add_argument("--audio-owner")
    parser.add_argument("--late", action="store_true")
    args = parser.parse_args()
    sessions = []
    avatar_joined = asyncio.Event()
    if not args.late:
        avatar_joined.set()

    async def handle(websocket, path=None):
        session = Session(args, websocket)
        sessions.append(session)
        client = sp.participant_info(CLIENT_SID, "client", sp.STATE_ACTIVE)
        others = session.participants() if avatar_joined.is_set() else []
        await websocket.send(sp.join_response(sp.room("RM_loopback", "loopback"), client, others))
        if avatar_joined.is_set():
            await session.publish()
        else:
            await session.offer_data_only()
        try:
            async for data in websocket:
                await session.on_request(data)
        except websockets.ConnectionClosed:
            pass
        finally:
            await session.pc.close()

    async def commands():
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            command = line.strip()
            for session in list(sessions):
                if command == "join" and not avatar_joined.is_set():
                    await session.ws.send(sp.participant_update(session.participants()))
                    await session.publish()
                elif command == "leave":
                    await session.ws.send(sp.participant_update(session.participants(sp.STATE_DISCONNECTED)))
            if command == "join":
                avatar_joined.set()
            print("DONE " + command, flush=True)

    async with websockets.serve(handle, "127.0.0.1", 0, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        print("LISTENING %d" % port, flush=True)
        await commands()


if __name__ == "__main__":
    asyncio.run(main())
