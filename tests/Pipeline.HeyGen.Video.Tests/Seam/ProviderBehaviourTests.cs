using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.HeyGen.Video.Tests.Seam;

/// <summary>
/// One behaviour suite, two providers: HeyGen on the emulator and the <see cref="ScriptedAvatarProvider"/>. The same
/// frames drive both through the same <see cref="AvatarVideoService"/> and must give the same outcome.
/// </summary>
public sealed class ProviderBehaviourTests
{
    public static TheoryData<string> Providers => new() { "heygen", "scripted" };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Speech_is_spoken_and_the_avatar_reports_speaking_both_ways(string provider)
    {
        await using Driver d = await Driver.StartAsync(provider);
        await d.QueueAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "s" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(1), 24_000), 24_000, "s"), new TTSStoppedFrame { ContextId = "s" }]);

        await d.AdvanceUntilAsync(() => d.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), "the avatar finishing");
        d.AtEnd.OfType<BotStartedSpeakingFrame>().Should().ContainSingle();
        d.AtEnd.OfType<OutputImageRawFrame>().Should().NotBeEmpty();
        d.AtEnd.OfType<TTSAudioRawFrame>().Should().BeEmpty();
        d.Errors.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_interruption_stops_the_avatar(string provider)
    {
        await using Driver d = await Driver.StartAsync(provider);
        await d.QueueAsync([new TTSStartedFrame { ContextId = "long" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(4), 24_000), 24_000, "long"), new TTSStoppedFrame { ContextId = "long" }]);
        await d.AdvanceUntilAsync(() => d.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), "the avatar talking");

        await d.Task.QueueFrameAsync(new InterruptionFrame());

        await d.AdvanceUntilAsync(() => d.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), "the avatar stopping", TimeSpan.FromSeconds(1));
        d.Errors.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_EndFrame_lets_the_avatar_finish_then_closes_the_session_once(string provider)
    {
        await using Driver d = await Driver.StartAsync(provider);
        await d.QueueAsync([new TTSStartedFrame { ContextId = "e" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(1), 24_000), 24_000, "e"), new EndFrame()]);

        await d.AdvanceUntilAsync(() => d.Running.IsCompleted, "the run ending");
        (await d.Running).Should().Be(PipelineFinishReason.Ended);
        Frame[] atEnd = [.. d.AtEnd];
        Array.FindIndex(atEnd, f => f is BotStoppedSpeakingFrame).Should().BeInRange(0, Array.FindIndex(atEnd, f => f is EndFrame));
        (d.Opened(), d.Closed()).Should().Be((1, 1));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_second_StartFrame_is_refused_and_opens_no_second_session(string provider)
    {
        await using Driver d = await Driver.StartAsync(provider);
        await d.Task.QueueFrameAsync(new StartFrame());

        await d.AdvanceUntilAsync(() => d.Running.IsCompleted, "the run failing");
        (await d.Running.Invoking(r => r).Should().ThrowAsync<PipelineException>()).Which.Error.Message.Should().Contain("second StartFrame");
        (d.Opened(), d.Closed()).Should().Be((1, 1));
    }

    /// <summary>A running pipeline of one avatar service, whichever the provider.</summary>
    private sealed class Driver : IAsyncDisposable
    {
        private readonly ConcurrentQueue<Frame> _atEnd = new();
        private readonly ConcurrentQueue<ErrorFrame> _errors = new();
        private readonly FakeTimeProvider _clock;
        private readonly IAsyncDisposable? _owner;

        private Driver(PipelineTask task, FakeTimeProvider clock, Func<int> opened, Func<int> closed, IAsyncDisposable? owner)
        {
            Task = task;
            _clock = clock;
            Opened = opened;
            Closed = closed;
            _owner = owner;
            task.FrameReachedEnd += (_, f) => _atEnd.Enqueue(f);
            task.ErrorReceived += (_, e) => _errors.Enqueue(e);
            Running = task.RunAsync();
        }

        public PipelineTask Task { get; }

        public Task<PipelineFinishReason> Running { get; }

        public Func<int> Opened { get; }

        public Func<int> Closed { get; }

        public IReadOnlyList<Frame> AtEnd => [.. _atEnd];

        public IReadOnlyList<ErrorFrame> Errors => [.. _errors];

        public static async Task<Driver> StartAsync(string provider)
        {
            Driver driver;
            if (provider == "heygen")
            {
                AvatarHarness h = await AvatarHarness.CreateAsync(configure: o => o.WaitForOutputTransportReady = false);
                driver = new Driver(h.Task, h.Clock, () => h.Emulator.Sessions.OpenedCount, () => h.Emulator.Sessions.StoppedCount, h);
            }
            else
            {
                var clock = new FakeTimeProvider();
                var scripted = new ScriptedAvatarProvider();
                var task = new PipelineTask(new AvatarVideoService(scripted, new AvatarVideoServiceOptions { WaitForOutputTransportReady = false }),
                    new PipelineTaskOptions { AudioOutSampleRate = 24_000 }, timeProvider: clock);
                driver = new Driver(task, clock, () => scripted.Opened, () => scripted.Closed, null);
            }

            await FakeClockPump.WaitUntilAsync(() => driver._atEnd.Any(f => f is StartFrame), "the session started", AvatarHarness.Hang);
            return driver;
        }

        public ValueTask QueueAsync(params Frame[] frames) => Task.QueueFramesAsync(frames);

        public System.Threading.Tasks.Task AdvanceUntilAsync(Func<bool> condition, string what, TimeSpan? limit = null) =>
            FakeClockPump.AdvanceUntilAsync(_clock, condition, limit ?? TimeSpan.FromSeconds(60), what, TimeSpan.FromMilliseconds(20));

        public async ValueTask DisposeAsync()
        {
            if (!Running.IsCompleted)
            {
                Task.Cancel();
                await AdvanceUntilAsync(() => Running.IsCompleted, "the run ending");
            }

            await Task.DisposeAsync();
            if (_owner is not null)
            {
                await _owner.DisposeAsync();
            }
        }
    }
}
