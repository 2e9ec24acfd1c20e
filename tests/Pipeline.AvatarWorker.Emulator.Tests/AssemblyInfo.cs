// One engine per process, and handle accounting is process-wide: the worker tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
