using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Pipeline.AI.Stt;
using Pipeline.AI.Tests.Fakes;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;

namespace Pipeline.AI.Tests;

public sealed class SpeechToTextProcessorTests
{
    private static readonly TimeSpan s_frame = TimeSpan.FromMilliseconds(20);

    /// <summary>The frames of <paramref name="duration"/> of audio (a tone, or silence), 20 ms each.</summary>
    private static IEnumerable<Frame> Audio(TimeSpan duration, int rate, bool tone, int channels = 1)
    {
        for (TimeSpan t = TimeSpan.Zero; t < duration; t += s_frame)
        {
            byte[] mono = tone ? Pcm16.Sine(440, s_frame, rate) : Pcm16.Silence(s_frame, rate);
            byte[] pcm = mono;
            if (channels == 2)
            {
                pcm = new byte[mono.Length * 2];
                for (int i = 0; i < mono.Length; i += 2)
                {
                    mono.AsSpan(i, 2).CopyTo(pcm.AsSpan(i * 2));
                    mono.AsSpan(i, 2).CopyTo(pcm.AsSpan((i * 2) + 2));
                }
            }

            yield return new InputAudioRawFrame(pcm, rate, channels);
        }
    }

    private static Frame[] Utterance(int rate, int channels = 1) =>
    [
        .. Audio(TimeSpan.FromSeconds(1), rate, tone: false, channels),
        new UserStartedSpeakingFrame(),
        .. Audio(TimeSpan.FromSeconds(1), rate, tone: true, channels),
        new UserStoppedSpeakingFrame(),
        .. Audio(TimeSpan.FromMilliseconds(200), rate, tone: false, channels),
    ];

    [Fact]
    public async Task A_segmented_utterance_becomes_a_final_transcription_with_timestamps_and_the_language_is_passed()
    {
        var stt = new FakeSpeechToTextClient("fake-stt", _ => Task.FromResult(new SpeechToTextResponse("  Hello avatar.  ") { StartTime = TimeSpan.FromMilliseconds(250) }));
        var options = new SpeechToTextProcessorOptions { Language = "en-GB", PreRoll = TimeSpan.FromMilliseconds(300), UserId = "alice" };
        await using var run = PipelineRun.Start(new SpeechToTextProcessor(stt, options));

        await run.SendAsync(Utterance(16_000));
        TranscriptionFrame final = await run.WaitForAsync<TranscriptionFrame>("the utterance is transcribed");
        await run.EndAsync();

        final.Text.Should().Be("Hello avatar.");
        final.UserId.Should().Be("alice");
        final.Language.Should().Be("en-GB");
        final.Timestamp.Should().Be(run.Clock.GetUtcNow(), "the time of recognition, on the pipeline clock");
        final.PresentationTimestamp.Should().Be(TimeSpan.FromMilliseconds(700 + 250),
            "speech starts 300 ms (pre-roll) before the start frame at 1 s, plus the provider's start time");

        FakeTranscriptionCall call = stt.Calls.Should().ContainSingle().Subject;
        call.Options!.SpeechLanguage.Should().Be("en-GB");
        call.Options.SpeechSampleRate.Should().Be(16_000);
        (int rate, int channels, int dataBytes) = ReadWav(call.Audio);
        (rate, channels).Should().Be((16_000, 1));
        dataBytes.Should().Be(PcmFormat.BytesFor(TimeSpan.FromMilliseconds(1300), 16_000), "pre-roll plus exactly the speech");
        run.Frames.OfType<InputAudioRawFrame>().Should().HaveCount(110, "audio passes on");
    }

    [Fact]
    public async Task Audio_at_another_rate_and_in_stereo_is_sent_as_mono_WAV_at_the_configured_rate()
    {
        var stt = new FakeSpeechToTextClient("fake-stt", _ => Task.FromResult(new SpeechToTextResponse("ok")));
        await using var run = PipelineRun.Start(new SpeechToTextProcessor(stt, new SpeechToTextProcessorOptions { SampleRate = 16_000, PreRoll = TimeSpan.Zero }));

        await run.SendAsync(Utterance(48_000, channels: 2));
        await run.WaitForAsync<TranscriptionFrame>("the utterance is transcribed");
        await run.EndAsync();

        (int rate, int channels, int dataBytes) = ReadWav(stt.Calls.Single().Audio);
        (rate, channels).Should().Be((16_000, 1));
        dataBytes.Should().BeCloseTo(PcmFormat.BytesFor(TimeSpan.FromSeconds(1), 16_000), 2 * 64,
            "one second of speech, give or take the resampler's filter delay");
    }

    [Fact]
    public async Task A_streaming_client_yields_interim_then_final_transcriptions()
    {
        var stt = new FakeSpeechToTextClient("fake-stt", _ => throw new InvalidOperationException("not used"), _ => Streamed(
            new SpeechToTextResponseUpdate("hello") { Kind = SpeechToTextResponseUpdateKind.TextUpdating },
            new SpeechToTextResponseUpdate("hello there") { Kind = SpeechToTextResponseUpdateKind.TextUpdating },
            new SpeechToTextResponseUpdate("Hello there.") { Kind = SpeechToTextResponseUpdateKind.TextUpdated }));
        await using var run = PipelineRun.Start(new SpeechToTextProcessor(stt, new SpeechToTextProcessorOptions { Streaming = true }));

        await run.SendAsync(Utterance(16_000));
        await run.WaitForAsync<TranscriptionFrame>("the final transcription");
        await run.EndAsync();

        run.Frames.OfType<InterimTranscriptionFrame>().Select(f => f.Text).Should().Equal("hello", "hello there");
        run.Frames.OfType<TranscriptionFrame>().Should().ContainSingle().Which.Text.Should().Be("Hello there.");
        List<Frame> frames = [.. run.Frames];
        frames.FindIndex(f => f is TranscriptionFrame).Should().BeGreaterThan(frames.FindLastIndex(f => f is InterimTranscriptionFrame));
    }

    [Fact]
    public async Task A_failing_client_becomes_an_ErrorFrame_naming_the_provider_and_the_call()
    {
        var stt = new FakeSpeechToTextClient("fake-stt", _ => Task.FromException<SpeechToTextResponse>(new HttpRequestException("401 Unauthorized")));
        await using var run = PipelineRun.Start(new SpeechToTextProcessor(stt));

        await run.SendAsync(Utterance(16_000));
        ErrorFrame error = await run.WaitForErrorAsync();
        await run.EndAsync();

        error.Message.Should().StartWith("STT provider 'fake-stt' call GetTextAsync failed: HttpRequestException: 401 Unauthorized");
        run.Frames.OfType<TranscriptionFrame>().Should().BeEmpty();
    }

    [Fact]
    public async Task An_EndFrame_waits_for_the_pending_transcription()
    {
        var answer = new TaskCompletionSource<SpeechToTextResponse>();
        var stt = new FakeSpeechToTextClient("fake-stt", _ => answer.Task);
        await using var run = PipelineRun.Start(new SpeechToTextProcessor(stt));

        await run.SendAsync(Utterance(16_000));
        await stt.FirstCall.WaitAsync(TimeSpan.FromSeconds(20));
        Task<Core.Pipelines.PipelineFinishReason> ending = run.EndAsync();
        ending.IsCompleted.Should().BeFalse();
        answer.SetResult(new SpeechToTextResponse("Last words."));
        await ending;

        run.Frames.OfType<TranscriptionFrame>().Should().ContainSingle().Which.Text.Should().Be("Last words.");
    }

    private static (int Rate, int Channels, int DataBytes) ReadWav(byte[] wav)
    {
        wav.AsSpan(0, 4).SequenceEqual("RIFF"u8).Should().BeTrue();
        return (BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)), BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(22)),
            BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(40)));
    }

    private static async IAsyncEnumerable<SpeechToTextResponseUpdate> Streamed(params SpeechToTextResponseUpdate[] updates)
    {
        foreach (SpeechToTextResponseUpdate update in updates)
        {
            await Task.Yield();
            yield return update;
        }
    }
}
