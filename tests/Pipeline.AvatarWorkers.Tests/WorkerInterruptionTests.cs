using System.Diagnostics;
using Pipeline.Core.Avatars;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>Interruptions over real WebRTC: the worker is cleared, gets nothing more of the interrupted speech, and a
/// worker that never confirms cannot leave the avatar deaf.</summary>
public sealed class WorkerInterruptionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_interruption_clears_the_worker_and_sends_no_more_of_that_utterance()
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join);
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);
        await using IAvatarSession session = await h.OpenAsync(timeout.Token);
        TestWorker worker = await h.Dispatcher.Worker;
        byte[] long_ = WorkerHarness.Speech(TimeSpan.FromSeconds(5), seed: 4);

        IAvatarUtterance a = session.BeginUtterance("a");
        Task appending = a.AppendAsync(long_, timeout.Token).AsTask(); // paced: still sending when interrupted
        await worker.Changed.WaitUntilAsync(() => worker.Streams.Count == 1 && worker.Streams[0].Length >= 9_600, Bound, "the worker to receive some speech");
        await session.InterruptAsync(timeout.Token);
        int sentBeforeInterrupt = h.Chunks.Sum(c => c.Bytes);
        await appending.WaitAsync(Bound); // the rest of the audio is dropped, without an error
        await a.AppendAsync(long_.AsMemory(0, 4_800), timeout.Token); // ignored after the interruption
        await a.EndAsync(timeout.Token);
        await a.Completion.WaitAsync(Bound);

        await worker.Changed.WaitUntilAsync(() => worker.Clears.Count == 1 && worker.Streams[0].EndedNormally is not null, Bound, "lk.clear_buffer and the stream's end");
        ReceivedStream stream = worker.Streams.Should().ContainSingle().Subject;
        stream.Length.Should().BeLessThanOrEqualTo(sentBeforeInterrupt).And.BeLessThan(long_.Length);
        stream.Bytes.Should().Equal(long_.AsSpan(0, stream.Length).ToArray(), "what arrived is the start of the utterance, intact");

        // The next utterance plays in full.
        byte[] next = WorkerHarness.Speech(TimeSpan.FromMilliseconds(400), seed: 5);
        IAvatarUtterance b = session.BeginUtterance("b");
        await b.AppendAsync(next, timeout.Token);
        await b.EndAsync(timeout.Token);
        await b.Completion.WaitAsync(Bound);
        worker.Streams.Should().HaveCount(2);
        worker.Streams[1].Bytes.Should().Equal(next);
        worker.Clears.Should().ContainSingle();
        h.Chunks.Sum(c => c.Bytes).Should().Be(sentBeforeInterrupt + next.Length, "nothing more of the interrupted utterance left after the interruption");
    }

    [Fact]
    public async Task A_worker_that_never_confirms_interruptions_cannot_leave_the_avatar_deaf()
    {
        var clearBufferTimeout = TimeSpan.FromMilliseconds(500);
        var mute = new WorkerBehaviour { ConfirmClear = false, ReportFinished = false }; // answers the clear RPC, never reports playback finished
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join, mute, clearBufferTimeout: clearBufferTimeout);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using IAvatarSession session = await h.OpenAsync(timeout.Token);
        TestWorker worker = await h.Dispatcher.Worker;

        IAvatarUtterance a = session.BeginUtterance("a");
        Task appending = a.AppendAsync(WorkerHarness.Speech(TimeSpan.FromSeconds(3), seed: 6), timeout.Token).AsTask();
        await worker.Changed.WaitUntilAsync(() => worker.Streams.Count == 1 && worker.Streams[0].Length > 0, Bound, "speech at the worker");
        long interruptedAt = Stopwatch.GetTimestamp();
        await session.InterruptAsync(timeout.Token);
        await appending.WaitAsync(Bound);
        await a.Completion.WaitAsync(Bound); // the bounded wait gave up on the confirmation
        Stopwatch.GetElapsedTime(interruptedAt).Should().BeGreaterThanOrEqualTo(clearBufferTimeout - TimeSpan.FromMilliseconds(20), "it waited for the confirmation first");
        await h.Changed.WaitUntilAsync(() => h.Events.OfType<AvatarWarning>().Any(), Bound, "a warning about the missing confirmation");

        // 100 rapid interruptions, each of speech on its way: none is serialised behind another, all end.
        var interrupted = new List<IAvatarUtterance>();
        for (int i = 0; i < 100; i++)
        {
            IAvatarUtterance u = session.BeginUtterance($"rapid-{i}");
            await u.AppendAsync(WorkerHarness.Speech(TimeSpan.FromMilliseconds(20), seed: 100 + i), timeout.Token);
            await session.InterruptAsync(timeout.Token);
            interrupted.Add(u);
        }

        await Task.WhenAll(interrupted.Select(u => u.Completion)).WaitAsync(Bound);

        mute.ReportFinished = true; // from now on it reports what it played
        byte[] last = WorkerHarness.Speech(TimeSpan.FromMilliseconds(400), seed: 7);
        IAvatarUtterance c = session.BeginUtterance("c");
        await c.AppendAsync(last, timeout.Token);
        await c.EndAsync(timeout.Token);
        await c.Completion.WaitAsync(Bound); // played and reported: the avatar is not deaf
        worker.Streams[^1].Bytes.Should().Equal(last);
        worker.Streams[^1].EndedNormally.Should().BeTrue();
        h.Events.OfType<AvatarError>().Should().BeEmpty();
    }
}
