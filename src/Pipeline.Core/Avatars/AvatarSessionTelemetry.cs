using System.Diagnostics;
using Pipeline.Core.Diagnostics;

namespace Pipeline.Core.Avatars;

/// <summary>
/// What an <see cref="AvatarVideoService"/> tells its meter and activity source about its one session: the
/// <c>avatar.session</c> activity spanning it, its start and close (counted, timed, with the close failures that may
/// leave a session billed), each utterance as a child activity ending with its outcome, the speak latency and the
/// interruptions. Tags carry ids and constants only: never tokens, keys or URLs.
/// </summary>
internal sealed class AvatarSessionTelemetry(CoreMetrics metrics, TimeProvider time, string processor)
{
    private Activity? _session;
    private Activity? _starting;
    private long _startedAt;
    private long _utteranceStartedAt;
    private Activity? _speakingUtterance;

    /// <summary>The session is being opened: starts <c>avatar.session</c> and its <c>avatar.session.start</c> child,
    /// which is current until <see cref="Opened"/> or <see cref="OpenFailed"/> so the provider's calls nest in it.</summary>
    public void Opening()
    {
        _startedAt = time.GetTimestamp();
        _session = CoreTelemetry.Source.StartActivity("avatar.session");
        _session?.SetTag(TelemetryTags.Processor, processor);
        _starting = CoreTelemetry.Source.StartActivity("avatar.session.start");
    }

    public void Opened(string sessionId)
    {
        metrics.SessionStartDuration.Record(time.GetElapsedTime(_startedAt).TotalSeconds);
        metrics.SessionsOpened.Add(1);
        metrics.SessionsOpen.Add(1);
        _session?.SetTag(TelemetryTags.SessionId, sessionId);
        _starting?.SetTag(TelemetryTags.SessionId, sessionId).SetStatus(ActivityStatusCode.Ok);
        _starting?.Stop();
    }

    public void OpenFailed(Exception exception)
    {
        string errorType = exception.GetType().Name;
        metrics.SessionStartDuration.Record(time.GetElapsedTime(_startedAt).TotalSeconds, new KeyValuePair<string, object?>(TelemetryTags.ErrorType, errorType));
        // The status description is the exception type, not its message: a provider's message is not ours to vouch for.
        _starting?.SetTag(TelemetryTags.ErrorType, errorType).SetStatus(ActivityStatusCode.Error, errorType);
        _starting?.Stop();
        _session?.SetTag(TelemetryTags.ErrorType, errorType).SetStatus(ActivityStatusCode.Error, errorType);
        _session?.Stop();
    }

    /// <summary>The open session is being closed: the returned <c>avatar.session.close</c> activity is ended by <see cref="Closed"/>.</summary>
    public Activity? Closing(string reason)
    {
        Activity? close = CoreTelemetry.Source.StartActivity("avatar.session.close", ActivityKind.Internal, _session?.Context ?? default);
        close?.SetTag(TelemetryTags.CloseReason, reason);
        return close;
    }

    /// <param name="close">From <see cref="Closing"/>.</param>
    /// <param name="errors">The errors the close reported (a session that may still be billed).</param>
    public void Closed(Activity? close, int errors)
    {
        metrics.SessionsClosed.Add(1);
        metrics.SessionsOpen.Add(-1);
        if (errors > 0)
        {
            metrics.SessionsCloseFailed.Add(1);
            close?.SetStatus(ActivityStatusCode.Error, "the session may still be open");
            _session?.SetStatus(ActivityStatusCode.Error, "the session may still be open");
        }
        else
        {
            close?.SetStatus(ActivityStatusCode.Ok);
            _session?.SetStatus(ActivityStatusCode.Ok);
        }

        close?.Stop();
        _session?.Stop();
    }

    /// <summary>An utterance began: its <c>avatar.utterance</c> activity (a child of the session, never made current:
    /// it ends on another task) and the start of its speak latency.</summary>
    public Activity? UtteranceBegun(string utteranceId)
    {
        Volatile.Write(ref _utteranceStartedAt, time.GetTimestamp());
        Activity? previous = Activity.Current;
        Activity? utterance = CoreTelemetry.Source.StartActivity("avatar.utterance", ActivityKind.Internal, _session?.Context ?? default);
        Activity.Current = previous;
        utterance?.SetTag(TelemetryTags.UtteranceId, utteranceId);
        Volatile.Write(ref _speakingUtterance, utterance);
        return utterance;
    }

    /// <summary>The avatar started speaking: the speak latency of the utterance that made it speak.</summary>
    public void SpeakingStarted()
    {
        long started = Interlocked.Exchange(ref _utteranceStartedAt, 0);
        if (started != 0)
        {
            metrics.SpeakLatency.Record(time.GetElapsedTime(started).TotalSeconds);
            Volatile.Read(ref _speakingUtterance)?.AddEvent(new ActivityEvent("avatar.speaking"));
        }
    }

    /// <summary>An utterance ended; <paramref name="outcome"/> is a constant (spoken, empty, interrupted, lost, unfinished).</summary>
    public void UtteranceEnded(Activity? utterance, string outcome, Exception? failure)
    {
        metrics.Utterances.Add(1, new KeyValuePair<string, object?>(TelemetryTags.Outcome, outcome));
        Interlocked.CompareExchange(ref _speakingUtterance, null, utterance);
        if (utterance is null)
        {
            return;
        }

        utterance.SetTag(TelemetryTags.Outcome, outcome);
        if (failure is not null)
        {
            utterance.SetTag(TelemetryTags.ErrorType, failure.GetType().Name).SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
        }
        else
        {
            utterance.SetStatus(ActivityStatusCode.Ok);
        }

        utterance.Stop();
    }

    /// <summary>Speech in progress was cut off.</summary>
    public void Interrupted()
    {
        Volatile.Write(ref _utteranceStartedAt, 0);
        metrics.Interruptions.Add(1);
    }
}
