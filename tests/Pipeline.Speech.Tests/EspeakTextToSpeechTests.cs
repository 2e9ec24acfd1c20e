using Microsoft.Extensions.AI;
using Pipeline.LocalEngines;

namespace Pipeline.Speech.Tests;

public sealed class EspeakTextToSpeechTests
{
    private const string Sentence = "The weather today is sunny with a light breeze from the west.";
    private const int SentenceWords = 12;

    // espeak-ng speaks at 175 words per minute by default: 12 words take about 4.1 s of pure speech. The plausible
    // range allows half to double that (pauses, the sentence-final fall, short function words).
    private static readonly TimeSpan Expected = TimeSpan.FromMinutes(SentenceWords / 175.0);

    [Fact]
    public async Task A_sentence_becomes_one_WAV_whose_duration_is_plausible_for_its_words()
    {
        using ITextToSpeechClient tts = new EspeakTextToSpeechClient();

        TextToSpeechResponse response = await tts.GetAudioAsync(Sentence);

        DataContent audio = response.Contents.OfType<DataContent>().Should().ContainSingle().Subject;
        audio.MediaType.Should().Be("audio/wav");
        WavAudio wav = WavAudio.Parse(audio.Data.Span);
        wav.SampleRate.Should().Be(22_050);
        wav.Channels.Should().Be(1);
        wav.Duration.Should().BeGreaterThan(Expected / 2).And.BeLessThan(Expected * 2);
        response.ModelId.Should().Be("en-us");
    }

    [Fact]
    public async Task Streaming_yields_several_PCM_chunks_that_add_up_to_the_whole_utterance()
    {
        using ITextToSpeechClient tts = new EspeakTextToSpeechClient();
        TextToSpeechResponse whole = await tts.GetAudioAsync(Sentence, new TextToSpeechOptions { AudioFormat = "pcm" });

        var chunks = new List<DataContent>();
        await foreach (TextToSpeechResponseUpdate update in tts.GetStreamingAudioAsync(Sentence))
        {
            update.Kind.Should().Be(TextToSpeechResponseUpdateKind.AudioUpdating);
            chunks.AddRange(update.Contents.OfType<DataContent>());
        }

        chunks.Should().HaveCountGreaterThan(10, "audio streams in 100 ms chunks");
        chunks.Should().OnlyContain(c => c.MediaType == "audio/pcm;rate=22050;channels=1" && c.Data.Length % 2 == 0);
        byte[] streamed = chunks.SelectMany(c => c.Data.ToArray()).ToArray();
        byte[] pcm = whole.Contents.OfType<DataContent>().Single().Data.ToArray();
        streamed.Should().Equal(pcm, "espeak-ng is deterministic and streaming delivers every sample once");
    }

    [Fact]
    public async Task Double_speed_roughly_halves_the_duration()
    {
        using ITextToSpeechClient tts = new EspeakTextToSpeechClient();

        TimeSpan normal = await DurationAsync(tts, null);
        TimeSpan fast = await DurationAsync(tts, new TextToSpeechOptions { Speed = 2.0f });

        (fast / normal).Should().BeInRange(0.35, 0.7);
    }

    [Fact]
    public async Task A_voice_espeak_does_not_know_is_a_clear_error()
    {
        using ITextToSpeechClient tts = new EspeakTextToSpeechClient();

        Func<Task> act = () => tts.GetAudioAsync("Hello.", new TextToSpeechOptions { VoiceId = "no-such-voice" });

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*espeak-ng has no voice 'no-such-voice'*espeak-ng --voices*");
    }

    [Fact]
    public async Task A_cancelled_request_ends_at_once()
    {
        using ITextToSpeechClient tts = new EspeakTextToSpeechClient();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Func<Task> act = () => tts.GetAudioAsync(string.Concat(Enumerable.Repeat(Sentence + " ", 50)), cancellationToken: cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task A_stream_abandoned_after_its_first_chunk_ends_cleanly_and_the_client_stays_usable()
    {
        using ITextToSpeechClient tts = new EspeakTextToSpeechClient();
        string longText = string.Concat(Enumerable.Repeat(Sentence + " ", 20));

        int chunks = 0;
        await foreach (TextToSpeechResponseUpdate update in tts.GetStreamingAudioAsync(longText))
        {
            chunks++;
            break; // as a TTS processor does when the user interrupts
        }

        chunks.Should().Be(1);
        TextToSpeechResponse next = await tts.GetAudioAsync(Sentence);
        WavAudio.Parse(next.Contents.OfType<DataContent>().Single().Data.Span).Duration.Should().BeGreaterThan(Expected / 2);
    }

    [Fact]
    public void Metadata_names_the_engine_and_voice()
    {
        using ITextToSpeechClient tts = new EspeakTextToSpeechClient(new EspeakOptions { Voice = "en-gb" });

        TextToSpeechClientMetadata metadata = tts.GetService<TextToSpeechClientMetadata>()!;

        metadata.ProviderName.Should().Be("espeak-ng");
        metadata.DefaultModelId.Should().Be("en-gb");
    }

    private static async Task<TimeSpan> DurationAsync(ITextToSpeechClient tts, TextToSpeechOptions? options)
    {
        TextToSpeechResponse response = await tts.GetAudioAsync(Sentence, options);
        return WavAudio.Parse(response.Contents.OfType<DataContent>().Single().Data.Span).Duration;
    }
}
