using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Pipeline.AI.Tests.Fakes;

/// <summary>One transcription request a fake client received: the audio bytes as sent, and the options.</summary>
internal sealed record FakeTranscriptionCall(byte[] Audio, SpeechToTextOptions? Options, CancellationToken Token);

/// <summary>An in-process <see cref="ISpeechToTextClient"/> whose answers the test writes.</summary>
internal sealed class FakeSpeechToTextClient(
    string provider,
    Func<FakeTranscriptionCall, Task<SpeechToTextResponse>> respond,
    Func<FakeTranscriptionCall, IAsyncEnumerable<SpeechToTextResponseUpdate>>? respondStreaming = null) : ISpeechToTextClient
{
    private readonly ConcurrentQueue<FakeTranscriptionCall> _calls = new();

    private readonly TaskCompletionSource<FakeTranscriptionCall> _firstCall = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<FakeTranscriptionCall> Calls => [.. _calls];

    /// <summary>Completes with the first request.</summary>
    public Task<FakeTranscriptionCall> FirstCall => _firstCall.Task;

    public async Task<SpeechToTextResponse> GetTextAsync(Stream audioSpeechStream, SpeechToTextOptions? options = null, CancellationToken cancellationToken = default)
    {
        FakeTranscriptionCall call = await RecordAsync(audioSpeechStream, options, cancellationToken);
        return await respond(call);
    }

    public async IAsyncEnumerable<SpeechToTextResponseUpdate> GetStreamingTextAsync(
        Stream audioSpeechStream, SpeechToTextOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        FakeTranscriptionCall call = await RecordAsync(audioSpeechStream, options, cancellationToken);
        if (respondStreaming is null)
        {
            throw new NotSupportedException("This fake does not stream.");
        }

        await foreach (SpeechToTextResponseUpdate update in respondStreaming(call).WithCancellation(cancellationToken))
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(SpeechToTextClientMetadata) ? new SpeechToTextClientMetadata(provider) : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private async Task<FakeTranscriptionCall> RecordAsync(Stream audio, SpeechToTextOptions? options, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await audio.CopyToAsync(copy, cancellationToken);
        var call = new FakeTranscriptionCall(copy.ToArray(), options, cancellationToken);
        _calls.Enqueue(call);
        _firstCall.TrySetResult(call);
        return call;
    }
}
