using System.Diagnostics;

namespace Pipeline.Core.Avatars;

/// <summary>
/// Owns what happens to each utterance once it is open: hands its speech to the avatar (counting the bytes sent; a
/// failed hand-over becomes an error naming the milliseconds lost, never silence) and watches its completion to the
/// outcome (spoken, empty, interrupted, lost, unfinished) that its telemetry span records and that releases its spoken text.
/// </summary>
internal sealed class UtteranceDelivery
{
    private readonly UtteranceLedger _utterances;
    private readonly SpokenTextRelease _spokenText;
    private readonly Func<AvatarSessionTelemetry> _telemetry;
    private readonly Func<bool> _closing;
    private readonly Func<string, Exception, ValueTask> _error;
    private long _bytesSent;

    /// <param name="utterances">The service's utterances (which were interrupted; which are done).</param>
    /// <param name="spokenText">Told of the audio sent and of each utterance spoken.</param>
    /// <param name="telemetry">The service's telemetry (replaced at setup).</param>
    /// <param name="closing">Whether the service is closing: then failures are the close's doing, not errors.</param>
    /// <param name="error">Reports a non-fatal error upstream.</param>
    public UtteranceDelivery(
        UtteranceLedger utterances, SpokenTextRelease spokenText, Func<AvatarSessionTelemetry> telemetry, Func<bool> closing,
        Func<string, Exception, ValueTask> error)
    {
        _utterances = utterances;
        _spokenText = spokenText;
        _telemetry = telemetry;
        _closing = closing;
        _error = error;
    }

    /// <summary>Bytes of speech (at the session's rate) handed to the avatar so far.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Appends <paramref name="speech"/> (16-bit mono at <paramref name="sampleRate"/> Hz) to the utterance.</summary>
    public async ValueTask SendAsync(IAvatarUtterance utterance, byte[] speech, int sampleRate, CancellationToken cancellationToken)
    {
        if (speech.Length == 0)
        {
            return;
        }

        try
        {
            await utterance.AppendAsync(speech, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _bytesSent, speech.Length);
            _spokenText.AudioSent(utterance.Id, speech.Length);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !_closing())
        {
            double ms = speech.Length * 500.0 / sampleRate;
            await _error($"Avatar speech of utterance {utterance.Id} was lost ({ms:F0} ms): {ex.Message}", ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts the utterance's telemetry span now and returns its watch (to run as the service's background task): it
    /// waits for the utterance to end, records the outcome on the span and releases the utterance's text if it was spoken.
    /// </summary>
    public Func<CancellationToken, Task> Watch(IAvatarUtterance utterance)
    {
        Activity? span = _telemetry().UtteranceBegun(utterance.Id);
        return ct => WatchAsync(utterance, span, ct);
    }

    // One owner per utterance: its completion says how it ended; a loss becomes an error, never silence.
    private async Task WatchAsync(IAvatarUtterance utterance, Activity? span, CancellationToken cancellationToken)
    {
        Exception? lost = null;
        try
        {
            await utterance.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !_closing())
        {
            lost = ex;
            await _error(ex.Message, ex).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Closing: the session's end ends its utterances.
        }
        finally
        {
            _telemetry().UtteranceEnded(span, OutcomeOf(utterance, lost), lost);
            if (!_utterances.IsInterrupted(utterance.Id) && utterance.Completion.IsCompletedSuccessfully)
            {
                _spokenText.Spoken(utterance.Id);
                _spokenText.QueueRelease();
            }

            _utterances.Done(utterance);
        }
    }

    private string OutcomeOf(IAvatarUtterance utterance, Exception? lost) =>
        _utterances.IsInterrupted(utterance.Id) ? "interrupted"
        : lost is not null || utterance.Completion.IsFaulted ? "lost"
        : !utterance.Completion.IsCompletedSuccessfully ? "unfinished"
        : utterance.HasSpeech ? "spoken" : "empty";
}
