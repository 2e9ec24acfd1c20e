using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Observers;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Pipelines;

public sealed class ObserverAndStopTests
{
    [Fact]
    public async Task The_debug_log_observer_logs_each_hop_of_non_media_frames()
    {
        using var provider = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Debug));
        var observer = new DebugLogObserver(factory.CreateLogger<DebugLogObserver>());
        var run = new PipelineHarness(new FramePipeline(new RecordingProcessor("a"), new RecordingProcessor("b")), new PipelineTaskOptions { Observers = [observer] });
        await run.QueueAsync(new TextFrame("hello"), new OutputAudioRawFrame(new byte[640], 16_000, 1), new EndFrame());

        await run.Start().Finished;

        provider.Lines.Should().Contain(l => l.Message.Contains("a → b") && l.Message.Contains("TextFrame"));
        provider.Lines.Should().NotContain(l => l.Message.Contains("OutputAudioRawFrame"), "media frames are filtered out by default");
    }

    [Fact]
    public async Task A_StopFrame_reaching_the_end_finishes_the_run_as_stopped()
    {
        var run = new PipelineHarness(new RecordingProcessor());
        await run.QueueAsync(new TextFrame("x"), new StopFrame());

        (await run.Start().Finished).Should().Be(PipelineFinishReason.Stopped);
        run.Task.RunningTaskCount.Should().Be(0);
    }
}
