using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;

namespace Pipeline.AI.Tests;

/// <summary>
/// Runs processors in a real <see cref="PipelineTask"/> on a fake clock, lets a test send frames while it runs, and
/// records what comes out at the end and the errors that reach the task. Waits are on events (a frame arriving), with
/// a generous real-time guard that only turns a hang into a failure.
/// </summary>
internal sealed class PipelineRun : IAsyncDisposable
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(20);

    private readonly PipelineTask _task;
    private readonly Task<PipelineFinishReason> _run;
    private readonly FrameSink _sink = new();
    private readonly InOrderSource _source = new();
    private readonly ConcurrentQueue<ErrorFrame> _errors = new();

    private PipelineRun(FrameProcessor[] processors, PipelineTaskOptions? options, FakeTimeProvider clock, ILoggerFactory? loggerFactory)
    {
        Clock = clock;
        _task = new PipelineTask(new FramePipeline([_source, .. processors, _sink], "Test"), options, loggerFactory, clock);
        _task.ErrorReceived += (_, error) =>
        {
            _errors.Enqueue(error);
            _sink.Signal();
        };
        _run = _task.RunAsync();
    }

    public FakeTimeProvider Clock { get; }

    /// <summary>Frames that reached the end of the pipeline, in order (start and end frames left out).</summary>
    public IReadOnlyList<Frame> Frames => _sink.Frames.Where(f => f is not (StartFrame or EndFrame)).ToList();

    public IReadOnlyList<ErrorFrame> Errors => [.. _errors];

    public static PipelineRun Start(params FrameProcessor[] processors) => Start(null, null, processors);

    public static PipelineRun Start(PipelineTaskOptions? options, FakeTimeProvider? clock, params FrameProcessor[] processors) =>
        Start(options, clock, null, processors);

    public static PipelineRun Start(PipelineTaskOptions? options, FakeTimeProvider? clock, ILoggerFactory? loggerFactory, params FrameProcessor[] processors) =>
        new(processors, options, clock ?? new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)), loggerFactory);

    public ValueTask SendAsync(Frame frame) => _task.QueueFrameAsync(frame);

    /// <summary>
    /// Sends frames in exactly this order, as an input transport or a VAD would push them. (The task itself lets system
    /// frames overtake queued data frames, which would move a speaking frame ahead of the audio before it.)
    /// </summary>
    public ValueTask SendAsync(params Frame[] frames) => _task.QueueFrameAsync(new FrameSequence(frames));

    /// <summary>Waits until the condition over the output holds.</summary>
    public Task WaitUntilAsync(Func<PipelineRun, bool> condition, string what) => _sink.WaitUntilAsync(() => condition(this), what, s_hangGuard);

    public async Task<T> WaitForAsync<T>(string what, Func<T, bool>? match = null)
        where T : Frame
    {
        match ??= _ => true;
        await WaitUntilAsync(r => r.Frames.OfType<T>().Any(match), what);
        return Frames.OfType<T>().First(match);
    }

    public async Task<ErrorFrame> WaitForErrorAsync()
    {
        await WaitUntilAsync(r => !r._errors.IsEmpty, "an ErrorFrame reaches the task");
        return _errors.First();
    }

    /// <summary>Ends the run with an EndFrame and returns why it finished; asserts no task was left running.</summary>
    public async Task<PipelineFinishReason> EndAsync()
    {
        await _task.QueueFrameAsync(new EndFrame());
        PipelineFinishReason reason = await _run.WaitAsync(s_hangGuard);

        // PipelineTask stops its feeder by cancelling it and yields a bounded number of times for it to notice; on a
        // loaded machine the feeder can still be finishing when RunAsync returns (a Core issue, reported). The
        // processors' own tasks are all awaited by their disposal before RunAsync returns.
        for (int i = 0; i < 400 && _task.RunningTaskNames.SequenceEqual(["PipelineTask.feeder"]); i++)
        {
            await Task.Delay(5);
        }

        _task.RunningTaskCount.Should().Be(0, "no task may outlive the run ({0})", string.Join(", ", _task.RunningTaskNames));
        return reason;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            _task.Cancel();
            try
            {
                await _run.WaitAsync(s_hangGuard);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await _task.DisposeAsync();
    }

    /// <summary>Frames to push in order, expanded by <see cref="InOrderSource"/>.</summary>
    private sealed class FrameSequence(Frame[] frames) : DataFrame
    {
        public Frame[] Frames { get; } = frames;
    }

    /// <summary>The first processor: pushes the frames of a <see cref="FrameSequence"/> one by one, in order.</summary>
    private sealed class InOrderSource() : FrameProcessor("Source")
    {
        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is not FrameSequence sequence)
            {
                await PushFrameAsync(frame, direction, cancellationToken);
                return;
            }

            foreach (Frame inner in sequence.Frames)
            {
                await PushFrameAsync(inner, direction, cancellationToken);
            }
        }
    }

    /// <summary>The last processor: records what reaches it and wakes waiters.</summary>
    private sealed class FrameSink : FrameProcessor
    {
        private readonly ConcurrentQueue<Frame> _frames = new();
        private readonly Lock _lock = new();
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public FrameSink()
            : base("Sink")
        {
        }

        public IEnumerable<Frame> Frames => _frames;

        public void Signal()
        {
            lock (_lock)
            {
                _changed.TrySetResult();
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan guard)
        {
            using var hang = new CancellationTokenSource(guard);
            while (true)
            {
                Task changed;
                lock (_lock)
                {
                    changed = _changed.Task;
                }

                if (condition())
                {
                    return;
                }

                try
                {
                    await changed.WaitAsync(hang.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"Timed out waiting until {what}.");
                }
            }
        }

        protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (direction == FrameDirection.Downstream)
            {
                _frames.Enqueue(frame);
                Signal();
            }

            return PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
