using System.Collections.Concurrent;
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
        var provider = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Debug));
        var observer = new DebugLogObserver(factory.CreateLogger<DebugLogObserver>());
        var run = new PipelineHarness(new FramePipeline(new RecordingProcessor("a"), new RecordingProcessor("b")), new PipelineTaskOptions { Observers = [observer] });
        await run.QueueAsync(new TextFrame("hello"), new OutputAudioRawFrame(new byte[640], 16_000, 1), new EndFrame());

        await run.Start().Finished;

        provider.Lines.Should().Contain(l => l.Contains("a → b") && l.Contains("TextFrame"));
        provider.Lines.Should().NotContain(l => l.Contains("OutputAudioRawFrame"), "media frames are filtered out by default");
    }

    [Fact]
    public async Task A_StopFrame_reaching_the_end_finishes_the_run_as_stopped()
    {
        var run = new PipelineHarness(new RecordingProcessor());
        await run.QueueAsync(new TextFrame("x"), new StopFrame());

        (await run.Start().Finished).Should().Be(PipelineFinishReason.Stopped);
        run.Task.RunningTaskCount.Should().Be(0);
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => _lines.ToList();

        public ILogger CreateLogger(string categoryName) => new ListLogger(_lines);

        public void Dispose()
        {
        }

        private sealed class ListLogger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
