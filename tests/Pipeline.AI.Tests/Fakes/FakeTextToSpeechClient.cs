using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Pipeline.Core.Audio;

namespace Pipeline.AI.Tests.Fakes;

/// <summary>One synthesis request a fake client received.</summary>
internal sealed class FakeSpeechCall(string text, TextToSpeechOptions? options, CancellationToken token)
{
    public string Text { get; } = text;

    public TextToSpeechOptions? Options { get; } = options;

    public CancellationToken Token { get; } = token;

    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>An in-process <see cref="ITextToSpeechClient"/> whose audio streams the test writes as async iterators.</summary>
internal sealed class FakeTextToSpeechClient(string provider, Func<FakeSpeechCall, IAsyncEnumerable<TextToSpeechResponseUpdate>> respond)
    : ITextToSpeechClient
{
    private readonly ConcurrentQueue<FakeSpeechCall> _calls = new();

    /// <summary>A client that answers every text with <paramref name="perCharacter"/> of a 440 Hz tone per character, as WAV at <paramref name="rate"/>, in 3 chunks (the header split).</summary>
    public FakeTextToSpeechClient(string provider, int rate, TimeSpan perCharacter)
        : this(provider, call => WavUpdates(Pcm16.Sine(440, perCharacter * call.Text.Length, rate), rate, pieces: 3))
    {
    }

    private readonly TaskCompletionSource<FakeSpeechCall> _firstCall = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<FakeSpeechCall> Calls => [.. _calls];

    /// <summary>Completes with the first request.</summary>
    public Task<FakeSpeechCall> FirstCall => _firstCall.Task;

    public IReadOnlyList<string> Texts => Calls.Select(c => c.Text).ToList();

    /// <summary>The WAV of <paramref name="pcm"/> cut into <paramref name="pieces"/> chunks (the first cut inside the header).</summary>
    public static async IAsyncEnumerable<TextToSpeechResponseUpdate> WavUpdates(byte[] pcm, int rate, int pieces, string mediaType = "audio/wav")
    {
        byte[] wav = WavFile.Write(pcm, rate);
        int[] cuts = [0, 20, .. Enumerable.Range(1, pieces - 1).Select(i => WavFile.CanonicalHeaderBytes + (pcm.Length * i / pieces / 2 * 2)), wav.Length];
        for (int i = 0; i + 1 < cuts.Length; i++)
        {
            await Task.Yield();
            yield return new TextToSpeechResponseUpdate([new DataContent(wav.AsMemory(cuts[i], cuts[i + 1] - cuts[i]), mediaType)])
            {
                Kind = TextToSpeechResponseUpdateKind.AudioUpdating,
            };
        }
    }

    public IAsyncEnumerable<TextToSpeechResponseUpdate> GetStreamingAudioAsync(
        string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = new FakeSpeechCall(text, options, cancellationToken);
        cancellationToken.Register(() => call.Cancelled.TrySetResult());
        _calls.Enqueue(call);
        _firstCall.TrySetResult(call);
        return respond(call);
    }

    public async Task<TextToSpeechResponse> GetAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<TextToSpeechResponseUpdate>();
        await foreach (TextToSpeechResponseUpdate update in GetStreamingAudioAsync(text, options, cancellationToken).WithCancellation(cancellationToken))
        {
            updates.Add(update);
        }

        return updates.ToTextToSpeechResponse();
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(TextToSpeechClientMetadata) ? new TextToSpeechClientMetadata(provider) : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
