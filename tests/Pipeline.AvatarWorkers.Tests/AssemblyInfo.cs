// One LiveKit engine per process, and the loopback SFU's WebRTC is load-sensitive: these tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
