"""The data one client of the loopback SFU receives from the others: the subscriber data channels the server opens
("_reliable", "_lossy"), and the packets relayed to it, delivered in the order received after a network hop's
latency, and held until their channel is open (a client may send before the other's channel is up).
"""
import asyncio
import collections


class DataRelay:
    def __init__(self, pc, latency_ms):
        self.pc, self.latency = pc, latency_ms / 1000
        self.channels = {}        # label -> our subscriber data channel
        self.early = {}           # label -> packets waiting for the channel to open
        self.in_flight = collections.deque()  # (due time, label, packet)
        self.drain = None

    def open_channels(self):
        """Real servers offer these on the subscriber connection; data from other clients arrives on them."""
        for label, options in (("_reliable", {}), ("_lossy", {"ordered": False, "maxRetransmits": 0})):
            channel = self.pc.createDataChannel(label, **options)
            self.channels[label] = channel
            channel.on("open", lambda label=label: self._flush(label))

    def send(self, label, packet):
        label = label if label in self.channels else "_reliable"
        if self.latency <= 0:
            self._deliver(label, packet)
            return
        loop = asyncio.get_running_loop()
        self.in_flight.append((loop.time() + self.latency, label, packet))
        if self.drain is None or self.drain.done():
            self.drain = asyncio.ensure_future(self._drain())

    async def _drain(self):
        # One queue per receiver and one delay for all: what arrives first leaves first.
        loop = asyncio.get_running_loop()
        while self.in_flight:
            due, label, packet = self.in_flight[0]
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            self.in_flight.popleft()
            self._deliver(label, packet)

    def _deliver(self, label, packet):
        self.early.setdefault(label, []).append(packet)
        self._flush(label)

    def _flush(self, label):
        channel = self.channels.get(label)
        if channel is not None and channel.readyState == "open":
            for packet in self.early.pop(label, []):
                channel.send(packet)

    def close(self):
        if self.drain is not None:
            self.drain.cancel()
        self.in_flight.clear()
