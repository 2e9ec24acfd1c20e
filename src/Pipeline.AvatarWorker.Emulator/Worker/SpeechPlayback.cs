using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorker.Emulator.Worker;

/// <summary>
/// The worker's side of the avatar-worker protocol between the room and the avatar: each <c>lk.audio_stream</c> from
/// the agent becomes one utterance of the <see cref="EmulatedAvatar"/> (which queues them and plays them in real
/// time), <c>lk.clear_buffer</c> interrupts it, and the avatar's playback events become the reports to the agent:
/// started when an utterance's first sample plays, finished when its last has played after the stream's trailer
/// (position = the stream's duration) or when it was cut (position = what had played).
/// </summary>
internal sealed partial class SpeechPlayback
{
    // Guards what the agent's streams and clears do to the avatar, so a chunk of a cleared stream can never start a
    // new utterance. The avatar's events run under the avatar's own lock and never take this one.
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, IncomingSpeech> _pending = new(StringComparer.Ordinal);
    private readonly EmulatedAvatar _avatar;
    private readonly WorkerSessionRecord _session;
    private readonly PlaybackReporter _reporter;
    private readonly AvatarWorkerFaults _faults;
    private readonly TimeProvider _time;
    private readonly Action _firstPlayback;
    private readonly Action _clearPublishedAudio;
    private readonly ILogger _logger;
    private bool _interruptReported;
    private int _played;

    public SpeechPlayback(
        EmulatedAvatar avatar, WorkerSessionRecord session, PlaybackReporter reporter, AvatarWorkerFaults faults, TimeProvider time,
        Action firstPlayback, Action clearPublishedAudio, ILogger logger)
    {
        _avatar = avatar;
        _session = session;
        _reporter = reporter;
        _faults = faults;
        _time = time;
        _firstPlayback = firstPlayback;
        _clearPublishedAudio = clearPublishedAudio;
        _logger = logger;
        _avatar.Played += OnPlayed;
    }

    /// <summary>Reads one <c>lk.audio_stream</c> to its end, recording every byte and playing what the agent sent.</summary>
    public async Task ReceiveAsync(ByteStreamReader reader, CancellationToken cancellationToken)
    {
        var record = new AudioStreamRecord(reader.Info.StreamId, reader.SenderIdentity, reader.Info.Attributes, _time.GetUtcNow());
        _session.AddStream(record);
        if (!string.Equals(reader.SenderIdentity, _session.AgentIdentity, StringComparison.Ordinal))
        {
            // Only the agent the worker publishes for may make it speak.
            record.Reject($"not from the agent '{_session.AgentIdentity}'");
            record.End(trailer: false, error: null);
            LogForeignStream(reader.Info.StreamId, reader.SenderIdentity, _session.AgentIdentity);
            return;
        }

        if (!AvatarWorkerProtocol.TryReadAudioFormat(reader.Info.Attributes, out int sampleRate, out int channels)
            || sampleRate is < Core.Audio.PcmFormat.MinSampleRate or > Core.Audio.PcmFormat.MaxSampleRate
            || channels > Core.Audio.PcmFormat.MaxChannels)
        {
            record.Reject("no usable PCM format in its attributes (sample_rate, num_channels)");
            record.End(trailer: false, error: null);
            LogNoFormat(reader.Info.StreamId, AvatarWorkerProtocol.SampleRateAttribute, AvatarWorkerProtocol.ChannelsAttribute);
            _reporter.Finished(reader.Info.StreamId, 0, interrupted: false);
            return;
        }

        using var speech = new IncomingSpeech(record, sampleRate, channels);
        _pending[speech.StreamId] = speech;
        bool trailer = false;
        string? error = null;
        try
        {
            await foreach (ReadOnlyMemory<byte> chunk in reader.ReadChunksAsync(cancellationToken).ConfigureAwait(false))
            {
                record.Received(chunk.Span);
                lock (_gate)
                {
                    if (!speech.Cleared && speech.Convert(chunk.Span) is { Length: > 0 } pcm)
                    {
                        speech.Placed = true;
                        _avatar.Speak(speech.StreamId, pcm);
                    }
                }
            }

            trailer = true;
        }
        catch (Exception e) when (e is LiveKitException or ObjectDisposedException or OperationCanceledException)
        {
            // Cut short (the agent interrupted the stream, or the worker is leaving): what arrived still plays.
            error = e.Message;
        }
        finally
        {
            EndOfStream(speech);
            record.End(trailer, error);
        }
    }

    /// <summary>Handles <c>lk.clear_buffer</c>: drops what is queued and the rest of the playing stream, then reports
    /// the cut utterance as finished and interrupted.</summary>
    /// <returns>The answer.</returns>
    /// <exception cref="LiveKitRpcException">The caller is not the agent.</exception>
    public string Clear(string callerIdentity)
    {
        if (!string.Equals(callerIdentity, _session.AgentIdentity, StringComparison.Ordinal))
        {
            _session.AddClear(new ClearBufferRecord(_time.GetUtcNow(), callerIdentity, Accepted: false, HadAudio: false));
            throw new LiveKitRpcException(RpcErrorCodes.ApplicationError, $"Only the agent '{_session.AgentIdentity}' may clear this avatar's buffer.");
        }

        bool hadAudio;
        lock (_gate)
        {
            List<IncomingSpeech> cut = [.. _pending.Values.Where(static s => !s.Finished)];
            foreach (IncomingSpeech speech in cut)
            {
                speech.Cleared = true;
                speech.Record.MarkCleared();
            }

            // The avatar reports the utterance it cut from inside Interrupt (OnPlayed, same thread).
            _interruptReported = false;
            _avatar.Interrupt();
            hadAudio = cut.Count > 0;
            if (hadAudio && !_interruptReported && !_faults.SilentClearBuffer)
            {
                // Only queued or not yet audible audio was dropped: still one report, at position 0.
                _reporter.Finished(cut[0].StreamId, 0, interrupted: true);
            }

            foreach (IncomingSpeech speech in cut)
            {
                speech.TryFinish();
                _pending.TryRemove(speech.StreamId, out _);
            }
        }

        _clearPublishedAudio();
        _session.AddClear(new ClearBufferRecord(_time.GetUtcNow(), callerIdentity, Accepted: true, hadAudio));
        return "ok";
    }

    private void EndOfStream(IncomingSpeech speech)
    {
        lock (_gate)
        {
            if (speech.Cleared)
            {
                return;
            }

            if (speech.Flush() is { Length: > 0 } tail)
            {
                speech.Placed = true;
                _avatar.Speak(speech.StreamId, tail);
            }

            if (!speech.Placed || !_avatar.SpeakEnd(speech.StreamId))
            {
                // Nothing of it was ever audible (an empty stream): it is finished at once.
                if (speech.TryFinish())
                {
                    _pending.TryRemove(speech.StreamId, out _);
                    _reporter.Finished(speech.StreamId, 0, interrupted: false);
                }
            }
        }
    }

    // Runs under the avatar's lock: quick, and never takes _gate.
    private void OnPlayed(AvatarPlaybackEvent playbackEvent)
    {
        switch (playbackEvent)
        {
            case SpeakStarted started when _pending.TryGetValue(started.EventId, out IncomingSpeech? speech):
                speech.MarkStarted(started.MediaTime);
                speech.Record.MarkPlaybackStarted(started.MediaTime);
                if (!_faults.NeverSendPlaybackStarted)
                {
                    _reporter.Started(speech.StreamId);
                }

                if (Interlocked.Exchange(ref _played, 1) == 0)
                {
                    _firstPlayback();
                }

                break;

            case SpeakEnded ended when _pending.TryRemove(ended.EventId, out IncomingSpeech? speech) && speech.TryFinish():
                _reporter.Finished(speech.StreamId, speech.SecondsReceived, interrupted: false);
                break;

            case SpeakInterrupted cut when _pending.TryGetValue(cut.EventId, out IncomingSpeech? speech) && speech.TryFinish():
                _interruptReported = true;
                if (!_faults.SilentClearBuffer)
                {
                    double played = speech.StartedAt is { } start ? (cut.MediaTime - start).TotalSeconds : 0;
                    _reporter.Finished(speech.StreamId, Math.Clamp(played, 0, speech.SecondsReceived), interrupted: true);
                }

                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Avatar worker ignored audio stream {StreamId} from {Sender}: it only plays streams from agent {Agent}")]
    private partial void LogForeignStream(string streamId, string sender, string agent);

    [LoggerMessage(Level = LogLevel.Error, Message = "Avatar worker refused audio stream {StreamId}: its attributes must give the PCM format as '{RateAttribute}' and '{ChannelsAttribute}' (positive integers)")]
    private partial void LogNoFormat(string streamId, string rateAttribute, string channelsAttribute);
}
