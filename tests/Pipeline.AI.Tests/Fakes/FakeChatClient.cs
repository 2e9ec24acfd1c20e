using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Pipeline.AI.Tests.Fakes;

/// <summary>One request a fake client received: what was sent, and whether its token was cancelled.</summary>
internal sealed class FakeChatCall(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken token)
{
    public IReadOnlyList<ChatMessage> Messages { get; } = messages;

    public ChatOptions? Options { get; } = options;

    public CancellationToken Token { get; } = token;

    /// <summary>Completes when the caller cancels the request's token.</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>An in-process <see cref="IChatClient"/> whose answers the test writes as async iterators.</summary>
internal sealed class FakeChatClient(string provider, Func<FakeChatCall, IAsyncEnumerable<ChatResponseUpdate>> respond) : IChatClient
{
    private readonly ConcurrentQueue<FakeChatCall> _calls = new();
    private TaskCompletionSource<FakeChatCall> _nextCall = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<FakeChatCall> Calls => [.. _calls];

    /// <summary>Completes with the next request (or the first one if none was awaited yet).</summary>
    public Task<FakeChatCall> NextCall => _nextCall.Task;

    public static async IAsyncEnumerable<ChatResponseUpdate> Pieces(params string[] pieces)
    {
        foreach (string piece in pieces)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece);
        }
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = new FakeChatCall([.. messages], options, cancellationToken);
        cancellationToken.Register(() => call.Cancelled.TrySetResult());
        _calls.Enqueue(call);
        Interlocked.Exchange(ref _nextCall, new TaskCompletionSource<FakeChatCall>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(call);
        return respond(call);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in GetStreamingResponseAsync(messages, options, cancellationToken).WithCancellation(cancellationToken))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata(provider) : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}

/// <summary>Helpers for writing fake answers.</summary>
internal static class FakeAnswers
{
    /// <summary>Streams <paramref name="before"/>, then waits (honouring the token) until <paramref name="gate"/> opens, then streams <paramref name="after"/>.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> PiecesWithGate(
        string[] before, Task gate, string[] after, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string piece in before)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece);
        }

        await gate.WaitAsync(cancellationToken);
        foreach (string piece in after)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece);
        }
    }
}
