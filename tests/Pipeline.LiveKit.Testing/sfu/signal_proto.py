"""The few LiveKit signal messages the loopback SFU speaks, encoded by hand in the protobuf wire format.

Field numbers are those of livekit/protocol@fcc48786 protobufs/livekit_rtc.proto and livekit_models.proto (the
revision the engine in @livekit/rtc-node-linux-x64-gnu@0.13.24 was built with; it speaks protocol=16). Only what a
subscribing and publishing client needs is here; unknown fields from the client are ignored.
"""

# --- wire format -------------------------------------------------------------------------------------------------
VARINT, LENGTH = 0, 2


def _varint(value):
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(number, wire_type):
    return _varint((number << 3) | wire_type)


def uint(number, value):
    return _key(number, VARINT) + _varint(int(value))


def boolean(number, value):
    return uint(number, 1 if value else 0)


def string(number, value):
    return message(number, value.encode("utf-8"))


def message(number, payload):
    return _key(number, LENGTH) + _varint(len(payload)) + payload


def parse(buffer):
    """Decodes one message into {field number: [values]}; varints as int, length-delimited as bytes."""
    fields, i = {}, 0
    while i < len(buffer):
        key, i = _read_varint(buffer, i)
        number, wire_type = key >> 3, key & 7
        if wire_type == VARINT:
            value, i = _read_varint(buffer, i)
        elif wire_type == LENGTH:
            length, i = _read_varint(buffer, i)
            value, i = bytes(buffer[i:i + length]), i + length
        elif wire_type == 1:
            value, i = bytes(buffer[i:i + 8]), i + 8
        elif wire_type == 5:
            value, i = bytes(buffer[i:i + 4]), i + 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        fields.setdefault(number, []).append(value)
    return fields


def _read_varint(buffer, i):
    shift = result = 0
    while True:
        byte = buffer[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i
        shift += 7


# --- livekit_models.proto ----------------------------------------------------------------------------------------
TRACK_AUDIO, TRACK_VIDEO = 0, 1                      # TrackType
SOURCE_CAMERA, SOURCE_MICROPHONE = 1, 2              # TrackSource
STATE_ACTIVE, STATE_DISCONNECTED = 2, 3              # ParticipantInfo.State
KIND_STANDARD, KIND_AGENT = 0, 4                     # ParticipantInfo.Kind
REASON_CLIENT_INITIATED, REASON_PARTICIPANT_REMOVED = 1, 4  # DisconnectReason
REASON_SIGNAL_CLOSE = 9


def room(sid, name):
    return string(1, sid) + string(2, name)


def track_info(sid, kind, name, source, mime_type, width=0, height=0):
    out = string(1, sid) + uint(2, kind) + string(3, name)
    if width:
        out += uint(5, width) + uint(6, height)
    return out + uint(9, source) + string(11, mime_type)


# ParticipantInfo { sid=1; identity=2; state=3; tracks=4 []; name=9; is_publisher=13; kind=14;
#                   attributes=15 map<string,string>; disconnect_reason=16 }
def participant_info(sid, identity, state, tracks=(), disconnect_reason=0, name=None, kind=KIND_STANDARD,
                     attributes=None):
    out = string(1, sid) + string(2, identity) + uint(3, state)
    for track in tracks:
        out += message(4, track)
    out += string(9, identity if name is None else name) + boolean(13, bool(tracks))
    if kind:
        out += uint(14, kind)
    for key, value in (attributes or {}).items():
        out += message(15, string(1, key) + string(2, value))  # a map entry: key=1, value=2
    if disconnect_reason:
        out += uint(16, disconnect_reason)
    return out


def server_info(version):
    return uint(1, 0) + string(2, version) + uint(3, 16)


# --- livekit_rtc.proto -------------------------------------------------------------------------------------------
# SignalResponse cases
JOIN, ANSWER, OFFER, TRICKLE, UPDATE, TRACK_PUBLISHED, LEAVE, PONG, PONG_RESP = 1, 2, 3, 4, 5, 6, 8, 18, 20
# SignalRequest cases
REQ_OFFER, REQ_ANSWER, REQ_TRICKLE, REQ_ADD_TRACK, REQ_LEAVE, REQ_PING, REQ_PING_REQ = 1, 2, 3, 4, 8, 14, 16
TARGET_PUBLISHER, TARGET_SUBSCRIBER = 0, 1


def join_response(room_bytes, participant, others, ping_interval=5, ping_timeout=15):
    out = message(1, room_bytes) + message(2, participant)
    for other in others:
        out += message(3, other)
    # ping_interval must be > 0: the client builds a tokio interval from it.
    out += string(4, "1.9.0") + boolean(6, True) + uint(10, ping_timeout) + uint(11, ping_interval)
    return message(JOIN, out + message(12, server_info("1.9.0")))


def session_description(kind, sdp, sdp_id=0):
    return string(1, kind) + string(2, sdp) + uint(3, sdp_id)


def offer(sdp, sdp_id=1):
    return message(OFFER, session_description("offer", sdp, sdp_id))


def answer(sdp, sdp_id=0):
    """The answer to the client's publisher offer."""
    return message(ANSWER, session_description("answer", sdp, sdp_id))


def field(fields, number, default=None):
    """The last value of a parsed field (protobuf: the last occurrence of a scalar wins)."""
    values = fields.get(number)
    return values[-1] if values else default


def text(fields, number, default=""):
    value = field(fields, number)
    return value.decode("utf-8") if value is not None else default


# AddTrackRequest { cid=1; name=2; type=3; width=4; height=5; muted=6; source=8 } -> TrackPublishedResponse
def track_published(cid, track):
    return message(TRACK_PUBLISHED, string(1, cid) + message(2, track))


# DataPacket { kind=1; user=2 UserPacket; participant_identity=4; destination_identities=5 []; sequence=16;
#              participant_sid=17 }, UserPacket { participant_sid=1; payload=2; topic=4; participant_identity=5;
#              destination_identities=6 [] }
DATA_USER, DATA_PARTICIPANT_IDENTITY, DATA_DESTINATIONS, DATA_PARTICIPANT_SID = 2, 4, 5, 17
USER_PARTICIPANT_SID, USER_PARTICIPANT_IDENTITY, USER_DESTINATIONS = 1, 5, 6


def data_destinations(packet):
    """The identities a client's data packet is addressed to (empty: everyone). RPC and data-stream packets carry them
    only in the packet's own destination_identities (5); user packets may also name them inside (6)."""
    fields = parse(packet)
    names = [v.decode("utf-8") for v in fields.get(DATA_DESTINATIONS, [])]
    for user in fields.get(DATA_USER, []):
        names += [v.decode("utf-8") for v in parse(user).get(USER_DESTINATIONS, [])]
    return set(names)


def stamp_sender(packet, sid, identity):
    """Names the sender, as the server does: appended fields override scalars, and an appended user message is
    merged into the packet's own (protobuf merge semantics), so the payload is not re-encoded."""
    user = string(USER_PARTICIPANT_SID, sid) + string(USER_PARTICIPANT_IDENTITY, identity)
    stamp = string(DATA_PARTICIPANT_IDENTITY, identity) + string(DATA_PARTICIPANT_SID, sid)
    if DATA_USER in parse(packet):
        stamp += message(DATA_USER, user)
    return bytes(packet) + stamp


def participant_update(participants):
    return message(UPDATE, b"".join(message(1, p) for p in participants))


# LeaveRequest { can_reconnect=1; reason=2 DisconnectReason; action=3 (DISCONNECT 0, RESUME 1, RECONNECT 2) }
def leave(reason):
    """The server ends the session: the client disconnects and does not try to reconnect."""
    return message(LEAVE, uint(2, reason))


def pong(last_ping_timestamp, timestamp):
    return message(PONG_RESP, uint(1, last_ping_timestamp) + uint(2, timestamp))


def legacy_pong(timestamp):
    return uint(PONG, timestamp)
