// The LiveKit native engine is process-wide and WebRTC is load-sensitive on small machines: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
