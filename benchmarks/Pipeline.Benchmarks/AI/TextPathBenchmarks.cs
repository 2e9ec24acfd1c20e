using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Pipeline.AI.Audio;
using Pipeline.AI.Llm;
using Pipeline.AI.Tts;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.Benchmarks.AI;

/// <summary>
/// The library's own share of the text path: one operation = one user turn answered by a reply of
/// <see cref="Sentences"/> sentences streamed as 8 tokens each, through <see cref="LLMProcessor"/> →
/// <see cref="SentenceAggregator"/> → <see cref="TextToSpeechProcessor"/>, until the reply's
/// <see cref="TTSStoppedFrame"/> leaves the pipeline. The chat and speech clients are in-process fakes that answer at
/// once from prepared data (100 ms of WAV per sentence at <see cref="ProviderRate"/>, pipeline output 24 kHz), so
/// the time is the processors' (frames, function invocation wrapper, sentence splitting, WAV decoding, resampling
/// when the rates differ, 20 ms framing), not a provider's.
/// </summary>
[MemoryDiagnoser]
public class TextPathBenchmarks
{
    private PipelineTask _task = null!;
    private Task _running = null!;
    private LLMProcessor _llm = null!;
    private TaskCompletionSource _replySpoken = null!;

    [Params(3)]
    public int Sentences { get; set; }

    [Params(24_000, 16_000)]
    public int ProviderRate { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string[] tokens = Enumerable.Range(0, Sentences)
            .SelectMany(s => new[] { "This", " is", " sentence", " number", $" {s}", " of", " the", " reply. " })
            .ToArray();
        byte[] wav = WavFile.Write(Pcm16.Sine(220, TimeSpan.FromMilliseconds(100), ProviderRate), ProviderRate);
        _llm = new LLMProcessor(new InstantChatClient(tokens));
        var pipeline = new FramePipeline([_llm, new SentenceAggregator(), new TextToSpeechProcessor(new InstantSpeechClient(wav))], "bench");
        _task = new PipelineTask(pipeline, new PipelineTaskOptions { AudioOutSampleRate = 24_000 });
        _task.FrameReachedEnd += (_, frame) =>
        {
            if (frame is TTSStoppedFrame)
            {
                _replySpoken.TrySetResult();
            }
        };
        _running = _task.RunAsync();
    }

    [Benchmark]
    public async Task UserTurnToSpokenReply()
    {
        _llm.Context.Clear();
        _replySpoken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _task.QueueFrameAsync(new TranscriptionFrame("Tell me something.", "user", DateTimeOffset.UnixEpoch));
        await _replySpoken.Task;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _task.QueueFrameAsync(new EndFrame()).AsTask().GetAwaiter().GetResult();
        _running.GetAwaiter().GetResult();
    }

    /// <summary>Streams a prepared reply synchronously: no provider time in the measurement.</summary>
    private sealed class InstantChatClient(string[] tokens) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

#pragma warning disable CS1998 // synchronous on purpose
        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
#pragma warning restore CS1998
        {
            foreach (string token in tokens)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, token);
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }

    /// <summary>Answers every text with the same prepared WAV, header and data in two chunks, synchronously.</summary>
    private sealed class InstantSpeechClient(byte[] wav) : ITextToSpeechClient
    {
        public Task<TextToSpeechResponse> GetAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

#pragma warning disable CS1998 // synchronous on purpose
        public async IAsyncEnumerable<TextToSpeechResponseUpdate> GetStreamingAudioAsync(
            string text, TextToSpeechOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
#pragma warning restore CS1998
        {
            yield return new TextToSpeechResponseUpdate([new DataContent(wav.AsMemory(0, WavFile.CanonicalHeaderBytes), "audio/wav")]);
            yield return new TextToSpeechResponseUpdate([new DataContent(wav.AsMemory(WavFile.CanonicalHeaderBytes), "audio/wav")]);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
