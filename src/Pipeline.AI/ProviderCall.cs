using Microsoft.Extensions.AI;

namespace Pipeline.AI;

/// <summary>
/// Guards one call to an AI provider: a token that is cancelled by the caller (an interruption, a cancelled
/// pipeline) or when the provider has made no progress for the configured time, and error texts that name the
/// provider and the call.
/// </summary>
/// <remarks>
/// The timeout is an idle timeout: each piece of progress (a streamed token, an audio chunk) restarts it, so a long
/// answer that keeps streaming is never cut, while a provider that stalls is reported instead of hanging the
/// pipeline. The timer runs on the pipeline's <see cref="TimeProvider"/>.
/// </remarks>
internal sealed class ProviderCall : IDisposable
{
    private const int MaxQuotedMessageLength = 200;

    private readonly CancellationTokenSource _cts;
    private readonly ITimer? _timer;
    private readonly TimeSpan _timeout;
    private int _timedOut;

    public ProviderCall(string kind, string provider, string call, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Kind = kind;
        Provider = provider;
        Call = call;
        _timeout = timeout;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _timer = timeProvider.CreateTimer(static s => ((ProviderCall)s!).OnTimeout(), this, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>What kind of provider, e.g. "LLM".</summary>
    public string Kind { get; }

    /// <summary>The provider's name (from its metadata, or the client type).</summary>
    public string Provider { get; }

    /// <summary>The interface method called, e.g. "GetStreamingResponseAsync".</summary>
    public string Call { get; }

    /// <summary>Pass this to the provider.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>True once the idle timeout fired.</summary>
    public bool TimedOut => Volatile.Read(ref _timedOut) != 0;

    /// <summary>The provider made progress: restart the idle timeout.</summary>
    public void Progress() => _timer?.Change(_timeout, Timeout.InfiniteTimeSpan);

    /// <summary>The text of an <see cref="Pipeline.Core.Frames.ErrorFrame"/> for a timeout.</summary>
    public string TimeoutMessage() =>
        $"{Kind} provider '{Provider}' call {Call} timed out: no progress for {_timeout.TotalMilliseconds:F0} ms.";

    /// <summary>
    /// The text of an <see cref="Pipeline.Core.Frames.ErrorFrame"/> for a failure. The provider's own message is
    /// quoted with credentials redacted and capped (it may echo request content), never the request itself.
    /// </summary>
    public string FailureMessage(Exception exception)
    {
        string message = ProviderMessageRedactor.Redact(exception.Message);
        if (message.Length > MaxQuotedMessageLength)
        {
            message = string.Concat(message.AsSpan(0, MaxQuotedMessageLength), "…");
        }

        return $"{Kind} provider '{Provider}' call {Call} failed: {exception.GetType().Name}: {message}";
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _cts.Dispose();
    }

    /// <summary>The provider name a chat client reports, or its type name.</summary>
    public static string NameOf(IChatClient client) =>
        client.GetService<ChatClientMetadata>()?.ProviderName ?? client.GetType().Name;

    /// <summary>The provider name a speech-to-text client reports, or its type name.</summary>
    public static string NameOf(ISpeechToTextClient client) =>
        client.GetService<SpeechToTextClientMetadata>()?.ProviderName ?? client.GetType().Name;

    /// <summary>The provider name a text-to-speech client reports, or its type name.</summary>
    public static string NameOf(ITextToSpeechClient client) =>
        client.GetService<TextToSpeechClientMetadata>()?.ProviderName ?? client.GetType().Name;

    private void OnTimeout()
    {
        Interlocked.Exchange(ref _timedOut, 1);
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call finished as the timer fired.
        }
    }
}
