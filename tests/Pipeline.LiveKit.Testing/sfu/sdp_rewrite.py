"""SDP edits the loopback SFU needs between aiortc and the LiveKit engine (libwebrtc)."""


def sections(sdp):
    """Splits an SDP into its session part and its media sections, each a list of lines."""
    head, media = [], []
    for line in sdp.splitlines():
        if line.startswith("m="):
            media.append([line])
        elif media:
            media[-1].append(line)
        else:
            head.append(line)
    return head, media


def _attribute(section, name):
    prefix = "a=%s:" % name
    return next((line[len(prefix):] for line in section if line.startswith(prefix)), None)


def rewrite_offer(sdp, owners):
    """Names each owned m-section's stream "<participant sid>|<track sid>" (that is how the client maps a track to
    its participant; owners: {mid: (participant sid, track sid)}) and drops header extensions (aiortc reuses
    extension ids across audio and video, which libwebrtc rejects within one BUNDLE group)."""
    head, media = sections(sdp)
    out = list(head)
    for section in media:
        owner = owners.get(_attribute(section, "mid"))
        for line in section:
            if line.startswith("a=extmap:"):
                continue
            if owner and line.startswith("a=msid:"):
                line = "a=msid:%s|%s %s" % (owner[0], owner[1], owner[1])
            elif owner and line.startswith("a=ssrc:") and " msid:" in line:
                line = "%s msid:%s|%s %s" % (line.split(" ")[0], owner[0], owner[1], owner[1])
            out.append(line)
    return "\r\n".join(out) + "\r\n"


def sending_tracks(sdp):
    """The media a client's publisher offer sends: {mid: track id} for every audio/video m-section that is sendonly
    or sendrecv; the track id (the msid's second part) is the cid the client gave in its AddTrackRequest."""
    _, media = sections(sdp)
    sending = {}
    for section in media:
        kind = section[0][2:].split(" ")[0]
        directions = {line[2:] for line in section if line in ("a=sendonly", "a=sendrecv", "a=recvonly", "a=inactive")}
        msid = _attribute(section, "msid")
        port = section[0].split(" ")[1] if " " in section[0] else "0"
        if kind in ("audio", "video") and msid and port != "0" and directions & {"sendonly", "sendrecv"}:
            parts = msid.split(" ")
            sending[_attribute(section, "mid")] = parts[1] if len(parts) > 1 else parts[0]
    return sending
