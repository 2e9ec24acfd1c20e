"""The publishing side of one client of the loopback SFU: the tracks it announces (AddTrackRequest), its publisher
PeerConnection (the client offers, we answer; candidates trickle with target PUBLISHER), and the data packets it
sends on its "_reliable"/"_lossy" data channels. What it publishes is relayed to the other clients by the room.
"""
import json

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.sdp import candidate_from_sdp

import sdp_rewrite
import signal_proto as sp

MIME = {sp.TRACK_AUDIO: "audio/opus", sp.TRACK_VIDEO: "video/VP8"}


class PublishedTrack:
    def __init__(self, sid, cid, kind, name, source, width, height):
        self.sid, self.cid, self.kind, self.name, self.source = sid, cid, kind, name, source
        self.width, self.height = width, height
        self.media = None  # the received track, once the publisher offer carried it

    def info(self):
        return sp.track_info(self.sid, self.kind, self.name, self.source, MIME[self.kind], self.width, self.height)


class Publisher:
    def __init__(self, session, room):
        self.session, self.room = session, room
        self.pc = None
        self.announced = {}  # cid -> PublishedTrack (AddTrackRequest answered)
        self.early_candidates = []
        self._count = 0

    def live(self):
        """The tracks whose media arrives, in publication order."""
        return [t for t in self.announced.values() if t.media is not None]

    async def add_track(self, request):
        fields = sp.parse(request)
        cid = sp.text(fields, 1)
        self._count += 1
        track = PublishedTrack("TR_%s_%d" % (self.session.identity, self._count), cid, sp.field(fields, 3, 0),
                               sp.text(fields, 2), sp.field(fields, 8, 0), sp.field(fields, 4, 0), sp.field(fields, 5, 0))
        self.announced[cid] = track
        await self.session.ws.send(sp.track_published(cid, track.info()))

    async def on_offer(self, sdp, sdp_id):
        if self.pc is None:
            self.pc = RTCPeerConnection()
            self.pc.on("datachannel", self._on_datachannel)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        await self.session.ws.send(sp.answer(self.pc.localDescription.sdp, sdp_id))
        for candidate in self.early_candidates:
            await self.pc.addIceCandidate(candidate)
        self.early_candidates.clear()

        sending = sdp_rewrite.sending_tracks(sdp)
        added, removed = [], []
        for transceiver in self.pc.getTransceivers():
            track = self.announced.get(sending.get(transceiver.mid))
            if track is not None and track.media is None and transceiver.receiver.track is not None:
                track.media = transceiver.receiver.track
                added.append(track)
        for cid, track in list(self.announced.items()):
            if track.media is not None and cid not in sending.values():
                del self.announced[cid]  # the client took it down (its sender left the offer)
                removed.append(track)
        if added or removed:
            await self.room.tracks_changed(self.session, added, removed)

    async def on_trickle(self, init):
        candidate = candidate_from_sdp(init["candidate"].split(":", 1)[1])
        candidate.sdpMid, candidate.sdpMLineIndex = init.get("sdpMid"), init.get("sdpMLineIndex")
        # The client can trickle before its offer reaches us: keep those until the remote description is set.
        if self.pc is None or self.pc.remoteDescription is None:
            self.early_candidates.append(candidate)
        else:
            await self.pc.addIceCandidate(candidate)

    def _on_datachannel(self, channel):
        @channel.on("message")
        def on_message(message):
            if isinstance(message, (bytes, bytearray)):
                self.room.forward_data(self.session, channel.label, message)

    async def close(self):
        if self.pc is not None:
            await self.pc.close()
