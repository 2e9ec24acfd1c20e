using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Guarantees;

/// <summary>Issue 12, item 10: a forgotten EndFrame cannot keep a pipeline (and a billed session) open forever.</summary>
public sealed class IdleTimeoutTests
{
    [Fact]
    public async Task By_default_a_pipeline_without_bot_or_user_activity_is_cancelled_after_300_s_and_says_so()
    {
        var clock = new FakeTimeProvider();
        using var logs = new CapturingLoggerProvider();
        using ILoggerFactory factory = logs.CreateFactory();
        await using var h = new PipelineHarness(new FramePipeline(new RecordingProcessor()), clock: clock, loggerFactory: factory);
        await h.Start().WhenAtEnd<StartFrame>();

        clock.Advance(TimeSpan.FromSeconds(299));
        await h.QueueAsync(new InputAudioRawFrame(new byte[320], 16_000, 1));
        await h.WhenAtEnd<InputAudioRawFrame>();
        h.Running!.IsCompleted.Should().BeFalse("299 s is inside the default idle timeout");
        clock.Advance(TimeSpan.FromSeconds(2));

        (await h.Finished).Should().Be(PipelineFinishReason.IdleTimeout, "microphone audio is not user activity");
        logs.Lines.Should().Contain(l => l.Level == LogLevel.Warning && l.Message.Contains("idle") && l.Message.Contains("300"));
    }

    [Fact]
    public async Task Bot_speech_anywhere_in_the_pipeline_counts_as_activity()
    {
        var clock = new FakeTimeProvider();
        var consumer = new SpeakingConsumer();
        await using var h = new PipelineHarness(new FramePipeline(new SpeakingSource(), consumer), clock: clock);
        await h.Start().WhenAtEnd<StartFrame>();

        for (int minute = 0; minute < 10; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(4));
            int seen = consumer.Consumed;
            await h.QueueAsync(new NumberFrame(minute));
            await h.WaitUntilAsync(() => consumer.Consumed > seen, "the bot speaking frame reaching the consumer");
        }

        h.Running!.IsCompleted.Should().BeFalse("the bot spoke every 4 minutes, though its speaking frames never reached the end");
        await h.QueueAsync(new EndFrame());
        (await h.Finished).Should().Be(PipelineFinishReason.Ended);
    }

    [Fact]
    public async Task The_idle_timeout_can_be_turned_off()
    {
        var clock = new FakeTimeProvider();
        await using var h = new PipelineHarness(new RecordingProcessor(), new PipelineTaskOptions { IdleTimeout = null }, clock);
        await h.Start().WhenAtEnd<StartFrame>();

        clock.Advance(TimeSpan.FromHours(3));
        await h.QueueAsync(new TextFrame("still here"));
        await h.WhenAtEnd<TextFrame>();

        h.Running!.IsCompleted.Should().BeFalse();
        await h.QueueAsync(new EndFrame());
        (await h.Finished).Should().Be(PipelineFinishReason.Ended);
    }

    [Fact]
    public void The_default_idle_timeout_is_300_s()
    {
        new PipelineTaskOptions().IdleTimeout.Should().Be(TimeSpan.FromSeconds(300));
    }

    /// <summary>Turns each number frame (not activity itself) into a bot started/stopped speaking pair.</summary>
    private sealed class SpeakingSource : FrameProcessor
    {
        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is NumberFrame)
            {
                await PushFrameAsync(new BotStartedSpeakingFrame(), direction, cancellationToken);
                await PushFrameAsync(new BotStoppedSpeakingFrame(), direction, cancellationToken);
                return;
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }

    /// <summary>Consumes speaking frames, so they never reach the end of the pipeline.</summary>
    private sealed class SpeakingConsumer : FrameProcessor
    {
        private int _consumed;

        public int Consumed => Volatile.Read(ref _consumed);

        protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is BotStoppedSpeakingFrame)
            {
                Interlocked.Increment(ref _consumed);
                return default;
            }

            return frame is BotStartedSpeakingFrame ? default : PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
