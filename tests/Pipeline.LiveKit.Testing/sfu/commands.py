"""The loopback SFU's stdin commands, one a line, each answered on stdout once carried out: "DONE <command>", or
"UNKNOWN <command>" when it names a participant that is not in the room.

  join                      with --late: the avatar joins now
  leave                     the avatar leaves
  remove IDENTITY           as RoomService.RemoveParticipant: a LeaveRequest, then the connection closes
  drop IDENTITY             a network drop: the connections are cut without a LeaveRequest; no reconnecting
  attributes IDENTITY JSON  sets that client's attributes (a JSON object of strings); everyone is told

Returns when stdin closes.
"""
import asyncio
import json
import sys

import signal_proto as sp


async def run(room):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        command = line.strip()
        verb, _, rest = command.partition(" ")
        if verb in ("remove", "drop"):
            found = await (room.remove(rest.strip()) if verb == "remove" else room.drop(rest.strip()))
            print(("DONE " if found else "UNKNOWN ") + command, flush=True)
            continue
        if verb == "attributes":
            identity, _, attributes = rest.strip().partition(" ")
            found = await room.set_attributes(identity, json.loads(attributes or "{}"))
            print(("DONE " if found else "UNKNOWN ") + command, flush=True)
            continue
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
