using Microsoft.Extensions.Time.Testing;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>The pacer's arithmetic on a fake clock: a lead's worth goes at once, then real time, one clock across utterances.</summary>
public sealed class SpeechPacerTests
{
    private static readonly TimeSpan Chunk = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void The_lead_goes_at_once_then_one_chunk_per_chunk_of_time()
    {
        var time = new FakeTimeProvider();
        var pacer = new SpeechPacer(time, TimeSpan.FromMilliseconds(300));

        for (int i = 0; i < 3; i++)
        {
            pacer.DelayBefore(Chunk).Should().Be(TimeSpan.Zero, $"chunk {i} is within the lead");
            pacer.Sent(Chunk);
        }

        pacer.DelayBefore(Chunk).Should().Be(Chunk, "the fourth would put 400 ms ahead");
        time.Advance(Chunk);
        pacer.DelayBefore(Chunk).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void A_stalled_producer_lets_the_worker_run_dry_and_an_interruption_empties_it()
    {
        var time = new FakeTimeProvider();
        var pacer = new SpeechPacer(time, TimeSpan.FromMilliseconds(300));
        pacer.Sent(TimeSpan.FromMilliseconds(300));
        time.Advance(TimeSpan.FromSeconds(5)); // nothing sent meanwhile: the worker played everything
        pacer.DelayBefore(TimeSpan.FromMilliseconds(300)).Should().Be(TimeSpan.Zero, "no credit is earned by silence beyond the lead");
        pacer.Sent(TimeSpan.FromMilliseconds(300));
        pacer.DelayBefore(Chunk).Should().Be(Chunk);

        pacer.Reset();
        pacer.DelayBefore(TimeSpan.FromMilliseconds(300)).Should().Be(TimeSpan.Zero, "the worker dropped what it held");
    }
}
