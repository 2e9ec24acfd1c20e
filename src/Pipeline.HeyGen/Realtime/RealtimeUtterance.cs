using Pipeline.Core.Audio;
using Pipeline.Core.Avatars;

namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// One utterance on a <see cref="HeyGenRealtimeClient"/>, from <see cref="HeyGenRealtimeClient.BeginUtterance"/>: it
/// takes the audio, cuts it into <c>agent.speak</c> messages (the only place audio is chunked), ends with
/// <c>agent.speak_end</c>, and says how it ended.
/// </summary>
/// <remarks>Calls on one utterance may come from different tasks; they are serialized.</remarks>
public sealed class RealtimeUtterance : IAvatarUtterance
{
    private readonly HeyGenRealtimeClient _client;
    private readonly Utterance _utterance;

    internal RealtimeUtterance(HeyGenRealtimeClient client, Utterance utterance)
    {
        _client = client;
        _utterance = utterance;
    }

    /// <inheritdoc />
    public string Id => _utterance.Id;

    /// <inheritdoc />
    public bool HasSpeech => BytesSubmitted > 0;

    /// <summary>PCM bytes queued for sending so far.</summary>
    public long BytesSubmitted => Interlocked.Read(ref _utterance.BytesSubmitted);

    /// <summary>
    /// Completes when the avatar has spoken the utterance (<c>agent.speak_ended</c>, or the avatar going quiet after
    /// its end), it was interrupted, or it ended without audio; faults with <see cref="RealtimeFailure.UtteranceLost"/>
    /// when the connection dropped before the service acknowledged it, or with the client's failure when it ended.
    /// </summary>
    public Task Completion => _utterance.Completion;

    /// <summary>
    /// Adds 16-bit little-endian mono PCM at 24 000 Hz (copied before return) and sends every full chunk, paced.
    /// Returns early, sending nothing more, once the utterance is interrupted.
    /// </summary>
    /// <exception cref="HeyGenRealtimeException"><see cref="RealtimeFailure.UtteranceLost"/> when the connection dropped
    /// during the utterance, or the client's terminal failure.</exception>
    public ValueTask AppendAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken)
    {
        CheckPcm(pcm);
        return pcm.IsEmpty ? default : new ValueTask(_client.SendAsync(_utterance, pcm, flush: false, cancellationToken));
    }

    /// <summary>
    /// Sends the buffered rest and <c>agent.speak_end</c>. For an utterance lost to a dropped connection it sends
    /// <c>agent.interrupt</c> instead, so the avatar does not hold the part that arrived open. Idempotent.
    /// </summary>
    public ValueTask EndAsync(CancellationToken cancellationToken) =>
        new(_client.EndAsync(_utterance, interruptIfLost: true, cancellationToken));

    internal static void CheckPcm(ReadOnlyMemory<byte> pcm)
    {
        if (pcm.Length % PcmFormat.BytesPerSample != 0)
            throw new ArgumentException("16-bit PCM must have an even number of bytes.", nameof(pcm));
    }
}
