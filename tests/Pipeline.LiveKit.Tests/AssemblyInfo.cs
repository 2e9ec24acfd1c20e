// One engine per process, and handle accounting is process-wide: the LiveKit tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
