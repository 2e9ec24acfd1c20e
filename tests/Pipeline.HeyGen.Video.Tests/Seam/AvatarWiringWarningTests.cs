using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.HeyGen.Video.Tests.Seam;

/// <summary>
/// No silent traps (issue 17): a pipeline wired so that the avatar's media vanishes, or so that the avatar never gets
/// TTS audio, logs one warning a run that says what was lost and how to fix it; a correctly wired one logs none.
/// </summary>
public sealed class AvatarWiringWarningTests : IAsyncDisposable
{
    private const int TtsRate = 24_000;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ScriptedAvatarProvider _provider = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ConcurrentQueue<Frame> _atEnd = new();
    private readonly AvatarVideoService _service;
    private readonly PipelineTask _task;
    private readonly Task<PipelineFinishReason> _running;

    public AvatarWiringWarningTests()
    {
        _service = new AvatarVideoService(_provider);
        _task = new PipelineTask(_service, new PipelineTaskOptions { AudioOutSampleRate = TtsRate }, _logs.CreateFactory(), _clock);
        _task.FrameReachedEnd += (_, frame) => _atEnd.Enqueue(frame);
        _running = _task.RunAsync();
    }

    private CapturedLog[] Warnings => [.. _logs.Lines.Where(l => l.Level == LogLevel.Warning)];

    [Fact]
    public async Task Media_dropped_for_want_of_an_OutputTransportReadyFrame_is_reported_once_with_the_counts_and_the_fix()
    {
        await StartedAsync();
        await SpeakAsync("a", TimeSpan.FromSeconds(1));
        await SpeakAsync("b", TimeSpan.FromMilliseconds(400));
        Warnings.Should().BeEmpty("drops before a transport is ready are normal until the run ends without one");

        await EndAsync();

        long dropped = _service.VideoFramesDroppedBeforeReady;
        dropped.Should().BeGreaterThan(30, "1.4 s of avatar video at one frame per 40 ms");
        _service.VideoFramesPushed.Should().Be(0);
        CapturedLog warning = Warnings.Should().ContainSingle().Which;
        warning.Message.Should().Contain($"{dropped} video and 0 audio frames of the avatar were dropped")
            .And.Contain("put a transport output after the avatar service or send OutputTransportReadyFrame upstream")
            .And.StartWith(_service.Name);
    }

    [Fact]
    public async Task A_pipeline_whose_transport_became_ready_logs_no_wiring_warning()
    {
        await StartedAsync();
        await _task.QueueFrameAsync(new OutputTransportReadyFrame());
        await SpeakAsync("a", TimeSpan.FromSeconds(1));

        await EndAsync();

        _service.VideoFramesPushed.Should().BeGreaterThan(20);
        Warnings.Should().BeEmpty();
    }

    [Fact]
    public async Task Plain_OutputAudioRawFrames_where_TTS_audio_is_expected_are_reported_once_with_the_fix()
    {
        await StartedAsync();
        await _task.QueueFrameAsync(new OutputTransportReadyFrame());
        byte[] pcm = Speech.Make(TimeSpan.FromMilliseconds(20), TtsRate);
        for (int i = 0; i < 5; i++)
        {
            await _task.QueueFrameAsync(new OutputAudioRawFrame(pcm, TtsRate, 1));
        }

        await EndAsync();

        _atEnd.OfType<OutputAudioRawFrame>().Should().HaveCount(5, "they still pass on, as before");
        _provider.Calls.Should().BeEmpty("the avatar was given nothing to say");
        CapturedLog warning = Warnings.Should().ContainSingle("five plain frames, one warning").Which;
        warning.Message.Should().Contain("received a plain OutputAudioRawFrame (24000 Hz) where it expects TTS audio")
            .And.Contain("Make the TTS push TTSAudioRawFrame between TTSStartedFrame and TTSStoppedFrame");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_running.IsCompleted)
        {
            _task.Cancel();
        }

        await _running.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(AvatarHarness.Hang);
        await _service.DisposeAsync();
    }

    private async Task SpeakAsync(string id, TimeSpan duration)
    {
        int stops = _atEnd.OfType<BotStoppedSpeakingFrame>().Count();
        await _task.QueueFramesAsync([new TTSStartedFrame { ContextId = id }, .. Speech.TtsFrames(Speech.Make(duration, TtsRate), TtsRate, id), new TTSStoppedFrame { ContextId = id }]);
        await FakeClockPump.AdvanceUntilAsync(_clock, () => _atEnd.OfType<BotStoppedSpeakingFrame>().Count() > stops, TimeSpan.FromSeconds(30),
            $"the avatar speaking {id}", TimeSpan.FromMilliseconds(20));
    }

    private async Task EndAsync()
    {
        await _task.QueueFrameAsync(new EndFrame());
        await FakeClockPump.AdvanceUntilAsync(_clock, () => _running.IsCompleted, TimeSpan.FromSeconds(30), "the run ending", TimeSpan.FromMilliseconds(20));
        (await _running).Should().Be(PipelineFinishReason.Ended);
    }

    private Task StartedAsync() => FakeClockPump.WaitUntilAsync(() => _atEnd.Any(f => f is StartFrame), "the session started", AvatarHarness.Hang);
}
