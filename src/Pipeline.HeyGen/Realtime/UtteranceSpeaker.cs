using Pipeline.HeyGen.Realtime.Protocol;

namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// Speaks utterances through the outbox: opens them in the book, sends their audio (waiting for readiness only when
/// <see cref="HeyGenRealtimeOptions.WaitForConnected"/> asks for it), and ends them. A lost utterance refuses more
/// audio with <see cref="RealtimeFailure.UtteranceLost"/>.
/// </summary>
internal sealed class UtteranceSpeaker(
    UtteranceBook utterances, RealtimeOutbox outbox, RealtimeReadiness readiness, HeyGenRealtimeOptions options,
    Action throwIfUnusable, Func<bool> isTerminal)
{
    public Utterance Open(string utteranceId, TimeSpan? firstChunk) =>
        utterances.Open(utteranceId, id => outbox.NewUtterance(id, firstChunk));

    /// <summary>Buffers audio into the utterance and sends every full chunk (all of it when <paramref name="flush"/>).</summary>
    public async Task SendAsync(Utterance utterance, ReadOnlyMemory<byte> pcm, bool flush, CancellationToken cancellationToken)
    {
        throwIfUnusable();
        if (utterance.IsBroken) throw Lost(utterance);
        if (utterance.IsInterrupted || (pcm.IsEmpty && !flush)) return;
        if (options.WaitForConnected && !readiness.IsSettled)
            await readiness.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await outbox.SpeakAsync(utterance, pcm, flush, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && utterance.IsDiscarded)
        {
            throwIfUnusable();
            if (utterance.IsBroken) throw Lost(utterance);
        }
    }

    /// <summary>
    /// Ends the utterance: sends what is buffered and <c>agent.speak_end</c>. An utterance without audio is done at
    /// once. A lost one sends nothing, or, with <paramref name="interruptIfLost"/>, <c>agent.interrupt</c> so that the
    /// avatar does not hold the part that arrived open and queue later speech behind it for ever.
    /// </summary>
    public async Task EndAsync(Utterance utterance, bool interruptIfLost, CancellationToken cancellationToken)
    {
        utterances.Close(utterance);
        if (utterance.IsBroken)
        {
            if (interruptIfLost && !isTerminal())
                await outbox.SendControlAsync(RealtimeEventTypes.AgentInterrupt, utterance.Id, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (utterance.IsInterrupted || utterance.Ended) return;
        await SendAsync(utterance, ReadOnlyMemory<byte>.Empty, flush: true, cancellationToken).ConfigureAwait(false);
        if (utterance.IsDiscarded) return;
        utterance.Ended = true;
        if (Interlocked.Read(ref utterance.BytesSubmitted) == 0)
        {
            utterance.Finish(); // nothing to speak
            return;
        }

        await outbox.SendControlAsync(RealtimeEventTypes.AgentSpeakEnd, utterance.Id, cancellationToken, utterance).ConfigureAwait(false);
    }

    public static HeyGenRealtimeException Lost(Utterance utterance) =>
        new(RealtimeFailure.UtteranceLost,
            $"The realtime connection dropped during utterance {utterance.Id}: {Interlocked.Read(ref utterance.BytesSubmitted)} bytes of its speech may not have reached the avatar, and the rest of it is not sent.");
}
