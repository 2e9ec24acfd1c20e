using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Pipeline.LocalEngines;

namespace Pipeline.Benchmarks.Speech;

/// <summary>
/// Whole-request cost of the local engines, process start included: espeak-ng synthesising one sentence
/// (2.57 s of audio at 175 wpm) and pocketsphinx recognising it (real-time factor = mean / audio duration, printed by
/// <see cref="Setup"/>). Needs <c>bash build/prereqs/30-local-speech-engines.sh</c>. Each operation takes seconds:
/// run with <c>--inProcess --warmupCount 1 --iterationCount 5 --invocationCount 1 --unrollFactor 1</c>.
/// </summary>
[MemoryDiagnoser]
public class LocalEngineBenchmarks
{
    private const string Sentence = "Please call me back when you have a free moment.";

    private EspeakTextToSpeechClient _tts = null!;
    private PocketsphinxSpeechToTextClient _stt = null!;
    private byte[] _wav = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tts = new EspeakTextToSpeechClient();
        _stt = new PocketsphinxSpeechToTextClient();
        TextToSpeechResponse response = _tts.GetAudioAsync(Sentence).GetAwaiter().GetResult();
        _wav = response.Contents.OfType<DataContent>().Single().Data.ToArray();
        Console.WriteLine($"// audio duration of the sentence: {WavAudio.Parse(_wav).Duration.TotalMilliseconds:0} ms");
    }

    [Benchmark(Description = "espeak-ng: one sentence to a WAV")]
    public async Task<int> TextToSpeech()
    {
        TextToSpeechResponse response = await _tts.GetAudioAsync(Sentence);
        return response.Contents.Count;
    }

    [Benchmark(Description = "espeak-ng: first streamed chunk")]
    public async Task<int> TextToSpeechFirstChunk()
    {
        await foreach (TextToSpeechResponseUpdate update in _tts.GetStreamingAudioAsync(Sentence))
        {
            return update.Contents.Count;
        }

        return 0;
    }

    [Benchmark(Description = "pocketsphinx: one sentence WAV to text")]
    public async Task<int> SpeechToText()
    {
        SpeechToTextResponse response = await _stt.GetTextAsync(new MemoryStream(_wav));
        return response.Text.Length;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tts.Dispose();
        _stt.Dispose();
    }
}
