using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Pipeline.AI.Tests.Fakes;
using Pipeline.AI.Tts;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Metrics;
using Pipeline.Core.Pipelines;

namespace Pipeline.AI.Tests;

public sealed class TextToSpeechProcessorTests
{
    [Fact]
    public async Task A_reply_is_one_utterance_with_one_context_id_and_start_and_stop_around_its_audio()
    {
        var speech = new FakeTextToSpeechClient("fake-tts", 16_000, TimeSpan.FromMilliseconds(10));
        await using var run = PipelineRun.Start(new TextToSpeechProcessor(speech));

        await run.SendAsync(new LLMFullResponseStartFrame(), new TextFrame("One."), new TextFrame("Two."), new LLMFullResponseEndFrame(), new TextFrame("Alone."));
        await run.WaitUntilAsync(r => r.Frames.OfType<TTSStoppedFrame>().Count() == 2, "both utterances end");
        await run.EndAsync();

        List<Frame> tts = run.Frames.Where(f => f is TTSStartedFrame or TTSStoppedFrame or TTSAudioRawFrame or TTSTextFrame).ToList();
        string reply = ((TTSStartedFrame)tts[0]).ContextId!;
        int stop = tts.FindIndex(f => f is TTSStoppedFrame);
        tts[1..stop].Should().OnlyContain(f => f is TTSAudioRawFrame && ((TTSAudioRawFrame)f).ContextId == reply
            || f is TTSTextFrame && ((TTSTextFrame)f).ContextId == reply);
        tts[1..stop].OfType<TTSTextFrame>().Select(f => f.Text).Should().Equal("One.", "Two.");
        tts[1].Should().BeOfType<TTSAudioRawFrame>("audio comes right after the start");
        ((TTSStoppedFrame)tts[stop]).ContextId.Should().Be(reply);

        var alone = (TTSStartedFrame)tts[stop + 1];
        alone.ContextId.Should().NotBe(reply, "text outside a reply is an utterance of its own");
        ((TTSStoppedFrame)tts[^1]).ContextId.Should().Be(alone.ContextId);
        run.Frames.OfType<LLMFullResponseEndFrame>().Should().ContainSingle();
    }

    [Theory]
    [InlineData(16_000, 24_000)]
    [InlineData(22_050, 16_000)]
    [InlineData(24_000, 24_000)]
    public async Task Audio_is_resampled_to_the_declared_rate_with_the_duration_kept(int providerRate, int declaredRate)
    {
        TimeSpan duration = TimeSpan.FromMilliseconds(500);
        var speech = new FakeTextToSpeechClient("fake-tts", _ => FakeTextToSpeechClient.WavUpdates(Pcm16.Sine(300, duration, providerRate), providerRate, pieces: 4));
        await using var run = PipelineRun.Start(new TextToSpeechProcessor(speech, new TextToSpeechProcessorOptions { SampleRate = declaredRate }));

        await run.SendAsync(new TextFrame("Hello."));
        await run.WaitForAsync<TTSStoppedFrame>("the utterance ends");
        await run.EndAsync();

        List<TTSAudioRawFrame> audio = run.Frames.OfType<TTSAudioRawFrame>().ToList();
        audio.Should().OnlyContain(f => f.SampleRate == declaredRate && f.Channels == 1);
        audio.Sum(f => f.Audio.Length).Should().Be(PcmFormat.BytesFor(duration, declaredRate), "the duration is kept exactly");
        int frameBytes = PcmFormat.BytesFor(TimeSpan.FromMilliseconds(20), declaredRate);
        audio[..^1].Should().OnlyContain(f => f.Audio.Length == frameBytes, "frames are 20 ms except the last");
    }

    [Fact]
    public async Task Without_a_declared_rate_the_pipeline_output_rate_is_used_and_raw_pcm_and_stereo_are_decoded()
    {
        byte[] mono = Pcm16.Sine(300, TimeSpan.FromMilliseconds(100), 16_000);
        byte[] stereo = new byte[mono.Length * 2];
        for (int i = 0; i < mono.Length; i += 2)
        {
            mono.AsSpan(i, 2).CopyTo(stereo.AsSpan(i * 2));
            mono.AsSpan(i, 2).CopyTo(stereo.AsSpan((i * 2) + 2));
        }

        var speech = new FakeTextToSpeechClient("fake-tts", _ => Single(new DataContent(stereo, "audio/pcm; rate=16000; channels=2")));
        await using var run = PipelineRun.Start(new PipelineTaskOptions { AudioOutSampleRate = 48_000 }, null, new TextToSpeechProcessor(speech));

        await run.SendAsync(new TextFrame("Hi."));
        await run.WaitForAsync<TTSStoppedFrame>("the utterance ends");
        await run.EndAsync();

        List<TTSAudioRawFrame> audio = run.Frames.OfType<TTSAudioRawFrame>().ToList();
        audio.Should().OnlyContain(f => f.SampleRate == 48_000 && f.Channels == 1);
        audio.Sum(f => f.Audio.Length).Should().Be(PcmFormat.BytesFor(TimeSpan.FromMilliseconds(100), 48_000));
    }

    [Fact]
    public async Task An_interruption_stops_the_stream_and_the_next_text_is_a_new_utterance()
    {
        var never = new TaskCompletionSource();
        int calls = 0;
        var speech = new FakeTextToSpeechClient("fake-tts", call => Interlocked.Increment(ref calls) == 1
            ? Endless(16_000, never.Task, call.Token)
            : FakeTextToSpeechClient.WavUpdates(Pcm16.Sine(300, TimeSpan.FromMilliseconds(40), 16_000), 16_000, pieces: 2));
        await using var run = PipelineRun.Start(new TextToSpeechProcessor(speech, new TextToSpeechProcessorOptions { SampleRate = 16_000 }));

        await run.SendAsync(new LLMFullResponseStartFrame(), new TextFrame("A long sentence."));
        TTSAudioRawFrame first = await run.WaitForAsync<TTSAudioRawFrame>("audio flows");
        await run.SendAsync(new InterruptionFrame());
        await speech.Calls[0].Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        int audioAtInterruption = run.Frames.OfType<TTSAudioRawFrame>().Count();

        await run.SendAsync(new TextFrame("Next."));
        TTSStoppedFrame stopped = await run.WaitForAsync<TTSStoppedFrame>("the next utterance ends");
        await run.EndAsync();

        stopped.ContextId.Should().NotBe(first.ContextId);
        run.Frames.OfType<TTSAudioRawFrame>().Count(f => f.ContextId == first.ContextId).Should().Be(audioAtInterruption,
            "no audio of the interrupted utterance follows the interruption");
        run.Frames.OfType<TTSTextFrame>().Select(f => f.Text).Should().Equal(["Next."], "the interrupted text was never fully spoken");
    }

    [Fact]
    public async Task Time_to_first_audio_is_reported_as_a_TTFB_metric()
    {
        var firstAudio = new TaskCompletionSource();
        var speech = new FakeTextToSpeechClient("fake-tts", call => AfterGate(firstAudio.Task, call.Token));
        var tts = new TextToSpeechProcessor(speech, new TextToSpeechProcessorOptions { SampleRate = 16_000 }, name: "tts");
        await using var run = PipelineRun.Start(new PipelineTaskOptions { EnableMetrics = true }, null, tts);

        await run.SendAsync(new TextFrame("Hello."));
        await speech.FirstCall.WaitAsync(TimeSpan.FromSeconds(20));
        run.Clock.Advance(TimeSpan.FromMilliseconds(180));
        firstAudio.SetResult();
        await run.WaitForAsync<TTSStoppedFrame>("the utterance ends");
        await run.EndAsync();

        TtfbMetricsData ttfb = run.Frames.OfType<MetricsFrame>().SelectMany(m => m.Data).OfType<TtfbMetricsData>().Should().ContainSingle().Subject;
        ttfb.Processor.Should().Be("tts");
        ttfb.Value.Should().Be(TimeSpan.FromMilliseconds(180));
    }

    [Fact]
    public async Task A_non_WAV_media_type_is_refused_with_an_error_naming_the_type()
    {
        var speech = new FakeTextToSpeechClient("fake-tts", _ => Single(new DataContent(new byte[] { 0xFF, 0xFB, 0x90, 0x00 }, "audio/mpeg")));
        await using var run = PipelineRun.Start(new TextToSpeechProcessor(speech));

        await run.SendAsync(new TextFrame("Hello."));
        ErrorFrame error = await run.WaitForErrorAsync();
        await run.WaitForAsync<TTSStoppedFrame>("the utterance is closed");
        await run.EndAsync();

        error.Message.Should().Contain("TTS provider 'fake-tts' call GetStreamingAudioAsync failed")
            .And.Contain("'audio/mpeg'").And.Contain("audio/wav").And.Contain("AudioFormat");
        run.Frames.OfType<TTSAudioRawFrame>().Should().BeEmpty();
        run.Frames.OfType<TTSTextFrame>().Should().BeEmpty("nothing was spoken");
    }

    [Fact]
    public async Task A_stalled_provider_times_out_into_an_ErrorFrame()
    {
        var speech = new FakeTextToSpeechClient("slow-tts", call => AfterGate(Task.Delay(Timeout.Infinite, call.Token), call.Token));
        await using var run = PipelineRun.Start(new TextToSpeechProcessor(speech, new TextToSpeechProcessorOptions { SynthesisTimeout = TimeSpan.FromSeconds(2) }));

        await run.SendAsync(new TextFrame("Hello."));
        await speech.FirstCall.WaitAsync(TimeSpan.FromSeconds(20));
        run.Clock.Advance(TimeSpan.FromSeconds(2));
        ErrorFrame error = await run.WaitForErrorAsync();
        await run.EndAsync();

        error.Message.Should().Be("TTS provider 'slow-tts' call GetStreamingAudioAsync timed out: no progress for 2000 ms.");
        speech.Calls[0].Cancelled.Task.IsCompleted.Should().BeTrue();
    }

    private static async IAsyncEnumerable<TextToSpeechResponseUpdate> Single(DataContent content)
    {
        await Task.Yield();
        yield return new TextToSpeechResponseUpdate([content]);
    }

    private static async IAsyncEnumerable<TextToSpeechResponseUpdate> AfterGate(Task gate, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        await foreach (TextToSpeechResponseUpdate update in FakeTextToSpeechClient.WavUpdates(Pcm16.Sine(300, TimeSpan.FromMilliseconds(60), 16_000), 16_000, pieces: 2))
        {
            yield return update;
        }
    }

    // A streaming provider that sends its header and one chunk, then keeps the stream open until cancelled.
    private static async IAsyncEnumerable<TextToSpeechResponseUpdate> Endless(int rate, Task never, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        byte[] header = Pipeline.Core.Audio.WavFile.Write([], rate);
        header[40] = header[41] = header[42] = header[43] = 0xFF; // unknown data length, as streaming WAV encoders write
        yield return new TextToSpeechResponseUpdate([new DataContent(header, "audio/wav")]);
        yield return new TextToSpeechResponseUpdate([new DataContent(Pcm16.Sine(300, TimeSpan.FromMilliseconds(100), rate), "audio/wav")]);
        await never.WaitAsync(cancellationToken);
    }
}
