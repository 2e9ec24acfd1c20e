using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.HeyGen.Video.Tests.Seam;

/// <summary>
/// The frame switch's behaviours, driven through a provider that is not HeyGen (<see cref="ScriptedAvatarProvider"/>):
/// the proof that <see cref="AvatarVideoService"/> depends on the seam only. The HeyGen tests beside these pin the
/// same behaviours against the emulator.
/// </summary>
public sealed class AvatarSeamTests : IAsyncDisposable
{
    private const int TtsRate = 24_000;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ScriptedAvatarProvider _provider = new();
    private readonly ConcurrentQueue<Frame> _atEnd = new();
    private readonly ConcurrentQueue<ErrorFrame> _errors = new();
    private readonly AvatarVideoService _service;
    private readonly PipelineTask _task;
    private readonly Task<PipelineFinishReason> _running;

    public AvatarSeamTests()
    {
        _service = new AvatarVideoService(_provider);
        _task = new PipelineTask(_service, new PipelineTaskOptions { AudioOutSampleRate = TtsRate }, timeProvider: _clock);
        _task.FrameReachedEnd += (_, frame) => _atEnd.Enqueue(frame);
        _task.ErrorReceived += (_, error) => _errors.Enqueue(error);
        _running = _task.RunAsync();
    }

    private string[] Calls => [.. _provider.Calls];

    [Fact]
    public async Task A_TTS_utterance_reaches_the_avatar_resampled_once_and_its_speech_comes_back_as_frames()
    {
        await StartedAsync();
        byte[] speech = Speech.Make(TimeSpan.FromSeconds(1), TtsRate);
        await _task.QueueFramesAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "a" }, .. Speech.TtsFrames(speech, TtsRate, "a"), new TTSStoppedFrame { ContextId = "a" }]);
        await AdvanceUntilAsync(() => _atEnd.OfType<BotStoppedSpeakingFrame>().Any(), "the avatar finishing");

        Calls.Should().Equal("begin a", "end a");
        _provider.Audio["a"].Length.Should().BeCloseTo(2 * ScriptedAvatarProvider.Rate, 2 * 100, "1 s of speech at the avatar's rate");
        _atEnd.OfType<BotStartedSpeakingFrame>().Should().ContainSingle();
        _atEnd.OfType<OutputImageRawFrame>().Should().HaveCountGreaterThan(20, "the avatar's video reaches the next processor");
        _atEnd.OfType<TTSAudioRawFrame>().Should().BeEmpty("TTS audio is consumed");
        _errors.Should().BeEmpty();
    }

    [Fact]
    public async Task An_utterance_without_TTS_stop_frames_ends_after_the_fallback_timeout()
    {
        await StartedAsync();
        await _task.QueueFramesAsync([.. Speech.TtsFrames(Speech.Make(TimeSpan.FromMilliseconds(300), TtsRate), TtsRate, "quiet")]);
        await FakeClockPump.WaitUntilAsync(() => Calls.Contains("begin quiet"), "the utterance beginning", AvatarHarness.Hang);
        Calls.Should().NotContain("end quiet");

        await AdvanceUntilAsync(() => Calls.Contains("end quiet"), "the 350 ms fallback");
    }

    [Fact]
    public async Task An_interruption_stops_the_avatar_drops_late_audio_and_a_fresh_TTS_start_may_reuse_the_id()
    {
        await StartedAsync();
        byte[] speech = Speech.Make(TimeSpan.FromSeconds(3), TtsRate);
        await _task.QueueFramesAsync([new TTSStartedFrame { ContextId = "x" }, .. Speech.TtsFrames(speech, TtsRate, "x"), new TTSStoppedFrame { ContextId = "x" }]);
        await AdvanceUntilAsync(() => _atEnd.OfType<BotStartedSpeakingFrame>().Any(), "the avatar talking");

        await _task.QueueFrameAsync(new InterruptionFrame());
        await FakeClockPump.WaitUntilAsync(() => Calls.Contains("listen"), "the listening pose", AvatarHarness.Hang);
        await _task.QueueFramesAsync([.. Speech.TtsFrames(Speech.Make(TimeSpan.FromMilliseconds(100), TtsRate), TtsRate, "x")]);
        await AdvanceUntilAsync(() => _atEnd.OfType<BotStoppedSpeakingFrame>().Any(), "the avatar stopping");
        Calls.Should().Equal("begin x", "end x", "interrupt", "listen");

        // Issue 12 item 11: the same context id, freshly started, is a new utterance and is spoken.
        await _task.QueueFramesAsync([new TTSStartedFrame { ContextId = "x" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromMilliseconds(200), TtsRate), TtsRate, "x"), new TTSStoppedFrame { ContextId = "x" }]);
        await AdvanceUntilAsync(() => _atEnd.OfType<BotStoppedSpeakingFrame>().Count() == 2, "the second x being spoken");
        Calls.Count(c => c == "begin x").Should().Be(2);
        _provider.Audio["x"].Length.Should().BeCloseTo(2 * ScriptedAvatarProvider.Rate / 5, 2 * 100);
        _errors.Should().BeEmpty();
    }

    [Fact]
    public async Task The_user_talking_turns_the_listening_pose_on_and_off()
    {
        await StartedAsync();
        await _task.QueueFramesAsync([new UserStartedSpeakingFrame(), new UserStoppedSpeakingFrame()]);
        await FakeClockPump.WaitUntilAsync(() => Calls.Contains("idle"), "listening off", AvatarHarness.Hang);

        Calls.Should().Equal("interrupt", "listen", "idle");
    }

    [Fact]
    public async Task An_EndFrame_waits_for_the_open_utterances_then_closes_the_session_once()
    {
        await StartedAsync();
        await _task.QueueFramesAsync([new TTSStartedFrame { ContextId = "e" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(1), TtsRate), TtsRate, "e"), new EndFrame()]);

        await AdvanceUntilAsync(() => _running.IsCompleted, "the run ending");
        (await _running).Should().Be(PipelineFinishReason.Ended);
        Frame[] atEnd = [.. _atEnd];
        Array.FindIndex(atEnd, f => f is BotStoppedSpeakingFrame).Should().BeGreaterThan(-1).And.BeLessThan(Array.FindIndex(atEnd, f => f is EndFrame));
        _provider.Closed.Should().Be(1);
        await _service.DisposeAsync();
        _provider.Closed.Should().Be(1, "closed exactly once");
    }

    [Fact]
    public async Task A_cancel_closes_the_session_once()
    {
        await StartedAsync();
        _task.Cancel();

        (await _running.WaitAsync(AvatarHarness.Hang)).Should().Be(PipelineFinishReason.Cancelled);
        await _service.DisposeAsync();
        _provider.Closed.Should().Be(1);
    }

    [Fact]
    public async Task A_second_StartFrame_is_refused_with_an_error_naming_the_processor_and_opens_nothing()
    {
        await StartedAsync();
        await _task.QueueFrameAsync(new StartFrame());

        var failure = await FluentActions.Awaiting(() => _running.WaitAsync(AvatarHarness.Hang)).Should().ThrowAsync<PipelineException>();
        failure.Which.Error.Message.Should().Contain(_service.Name).And.Contain("second StartFrame");
        _provider.Opened.Should().Be(1, "no second session");
        _provider.Closed.Should().Be(1);
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

    private Task StartedAsync() => FakeClockPump.WaitUntilAsync(() => _atEnd.Any(f => f is StartFrame), "the session started", AvatarHarness.Hang);

    private Task AdvanceUntilAsync(Func<bool> condition, string what) =>
        FakeClockPump.AdvanceUntilAsync(_clock, condition, TimeSpan.FromSeconds(30), what, TimeSpan.FromMilliseconds(20));
}
