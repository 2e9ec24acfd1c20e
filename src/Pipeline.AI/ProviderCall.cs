using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Pipeline.AI.Diagnostics;

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
/// <para>Each call is one activity (current while it runs, so the provider's own activities nest in it), timed in
/// <c>pipeline.ai.request.duration</c> and, at its first progress, <c>pipeline.ai.ttfb</c>.</para>
/// </remarks>
internal sealed class ProviderCall : IDisposable
{
    private const int MaxQuotedMessageLength = 200;

    private readonly CancellationTokenSource _cts;
    private readonly ITimer? _timer;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly AIMetrics _metrics;
    private readonly Activity? _activity;
    private readonly long _startedAt;
    private bool _progressed;
    private string? _errorType;
    private int _timedOut;

    public ProviderCall(
        string kind, string provider, string call, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken,
        IMeterFactory? meterFactory = null)
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

        _time = timeProvider;
        _metrics = AIMetrics.For(meterFactory);
        _startedAt = timeProvider.GetTimestamp();
        _activity = AITelemetry.Source.StartActivity($"{kind} {call}", ActivityKind.Client);
        if (_activity is { IsAllDataRequested: true })
        {
            _activity.SetTag("pipeline.ai.kind", kind);
            _activity.SetTag("pipeline.ai.provider", provider);
            _activity.SetTag("pipeline.ai.call", call);
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
    public void Progress()
    {
        _timer?.Change(_timeout, Timeout.InfiniteTimeSpan);
        if (!_progressed)
        {
            _progressed = true;
            _metrics.Ttfb.Record(_time.GetElapsedTime(_startedAt).TotalSeconds, Tags());
            _activity?.AddEvent(new ActivityEvent("first_result"));
        }
    }

    /// <summary>The call failed with <paramref name="exception"/> (recorded as its outcome).</summary>
    public void Failed(Exception exception) => _errorType = exception.GetType().Name;

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
        string outcome = _errorType is not null ? "error" : TimedOut ? "timeout" : _cts.IsCancellationRequested ? "cancelled" : "ok";
        TagList tags = Tags();
        tags.Add("pipeline.outcome", outcome);
        if (_errorType is not null)
        {
            tags.Add("error.type", _errorType);
        }

        _metrics.RequestDuration.Record(_time.GetElapsedTime(_startedAt).TotalSeconds, tags);
        if (_activity is not null)
        {
            _activity.SetTag("pipeline.outcome", outcome);
            if (_errorType is not null || TimedOut)
            {
                _activity.SetTag("error.type", _errorType ?? "timeout").SetStatus(ActivityStatusCode.Error, _errorType ?? "timeout");
            }
            else if (outcome == "ok")
            {
                _activity.SetStatus(ActivityStatusCode.Ok);
            }

            _activity.Dispose();
        }

        _cts.Dispose();
    }

    private TagList Tags() => new() { { "pipeline.ai.kind", Kind }, { "pipeline.ai.provider", Provider } };

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
