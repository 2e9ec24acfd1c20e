// The tests run real engines against the real-time clock (a paced microphone, the avatar speaking in real time): run
// them one at a time so that one test's speech recognition does not starve the other's timing.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
