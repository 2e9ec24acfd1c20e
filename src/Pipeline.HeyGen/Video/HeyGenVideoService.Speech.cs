using Microsoft.Extensions.Logging;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;
using Pipeline.HeyGen.Realtime;

namespace Pipeline.HeyGen.Video;

// TTS audio → agent.speak, utterance boundaries, interruptions and the listening pose.
//
// Utterance state is touched by the processing task (audio, TTS start/stop, EndFrame) and by the system task
// (interruptions, user speaking), so it lives under _gate; realtime sends happen outside the lock (the client
// serializes them). Each utterance has its own cancellation, cancelled by an interruption, so that no agent.speak of an
// interrupted utterance can be queued after its agent.interrupt.
public sealed partial class HeyGenVideoService
{
    private const int SpeechSampleRate = HeyGenRealtimeClient.SampleRate;

    private readonly Lock _gate = new();
    private readonly AgentSpeakChunker _chunker;
    private readonly Dictionary<string, bool> _pending = new(StringComparer.Ordinal); // sent utterances → speak_end sent
    private readonly Queue<string> _interruptedIds = new();
    private StreamingResampler? _resampler;
    private SpokenUtterance? _current;
    private TaskCompletionSource _drained = NewSignal(completed: true);
    private ITimer? _utteranceTimer;
    private long _audioSequence;
    private (string Id, long Sequence) _timeoutTarget;
    private long _speechBytesSent;
    private bool _listening;
    private string? _lostCurrentId; // the utterance being sent when the connection dropped (see OnUtteranceLost)

    private async ValueTask OnTtsAudioAsync(TTSAudioRawFrame audio, CancellationToken cancellationToken)
    {
        if (_realtime is null)
        {
            return; // the session did not start; that was reported as a fatal error
        }

        string? contextId = audio.ContextId;
        SpokenUtterance? current;
        lock (_gate)
        {
            if (contextId is not null && _interruptedIds.Contains(contextId))
            {
                return; // late audio of an interrupted utterance
            }

            current = _current;
        }

        if (current is null || (contextId is not null && !string.Equals(contextId, current.Id, StringComparison.Ordinal)))
        {
            current = await BeginUtteranceAsync(contextId, openedByTts: false, cancellationToken).ConfigureAwait(false);
            StartTtfbMetrics();
        }

        byte[] speech = ToSpeechRate(audio);
        List<byte[]> ready = [];
        lock (_gate)
        {
            if (_current != current)
            {
                return; // interrupted meanwhile
            }

            _chunker.Append(speech);
            while (_chunker.TryTakeChunk(out byte[] chunk))
            {
                ready.Add(chunk);
            }

            if (!current.OpenedByTts)
            {
                ArmUtteranceTimeout(current.Id);
            }
        }

        foreach (byte[] chunk in ready)
        {
            await SendSpeechAsync(current, chunk, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<SpokenUtterance> BeginUtteranceAsync(string? contextId, bool openedByTts, CancellationToken cancellationToken)
    {
        SpokenUtterance? previous;
        lock (_gate)
        {
            previous = _current;
        }

        if (previous is not null)
        {
            await EndUtteranceAsync(previous.Id, cancellationToken).ConfigureAwait(false);
        }

        var utterance = new SpokenUtterance(contextId ?? Guid.NewGuid().ToString("N"), openedByTts);
        lock (_gate)
        {
            _current = utterance;
            _chunker.Reset();
            _resampler?.Reset();
        }

        return utterance;
    }

    private async ValueTask EndUtteranceAsync(string? contextId, CancellationToken cancellationToken)
    {
        SpokenUtterance? utterance;
        List<byte[]> rest = [];
        lock (_gate)
        {
            utterance = _current;
            if (utterance is null || (contextId is not null && !string.Equals(contextId, utterance.Id, StringComparison.Ordinal)))
            {
                return;
            }

            _current = null;
            _utteranceTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            if (_resampler is not null)
            {
                byte[] tail = new byte[_resampler.MaxFlushBytes];
                int n = _resampler.Flush(tail);
                _chunker.Append(tail.AsSpan(0, n));
            }

            while (_chunker.TryTakeChunk(out byte[] chunk))
            {
                rest.Add(chunk);
            }

            byte[] remainder = _chunker.TakeRemainder();
            if (remainder.Length > 0)
            {
                rest.Add(remainder);
            }
        }

        foreach (byte[] chunk in rest)
        {
            await SendSpeechAsync(utterance, chunk, cancellationToken).ConfigureAwait(false);
        }

        bool lost;
        lock (_gate)
        {
            lost = string.Equals(_lostCurrentId, utterance.Id, StringComparison.Ordinal);
            if (lost)
            {
                _lostCurrentId = null;
            }
        }

        if (lost && !utterance.IsInterrupted && _realtime is { } reconnected)
        {
            // The realtime client sends no speak_end for a lost utterance, but the avatar holds what arrived of it
            // open, and later speech would queue behind it for ever: interrupt it instead (its loss was reported).
            try
            {
                await reconnected.InterruptAsync(utterance.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (HeyGenRealtimeException ex)
            {
                Logger.LogWarning(ex, "{Processor}: could not interrupt lost utterance {UtteranceId}", Name, utterance.Id);
            }
        }
        else if (utterance.SpeechSent && !utterance.IsInterrupted && _realtime is { } realtime)
        {
            try
            {
                await realtime.SpeakEndAsync(utterance.Id, cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_pending.ContainsKey(utterance.Id))
                    {
                        _pending[utterance.Id] = true;
                    }
                }
            }
            catch (HeyGenRealtimeException ex)
            {
                await PushErrorAsync($"Could not end avatar utterance {utterance.Id}: {ex.Message}", ex).ConfigureAwait(false);
            }
        }

        utterance.Dispose();
    }

    private async ValueTask SendSpeechAsync(SpokenUtterance utterance, byte[] chunk, CancellationToken cancellationToken)
    {
        HeyGenRealtimeClient? realtime = _realtime;
        if (realtime is null || chunk.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (utterance.IsInterrupted)
            {
                return;
            }

            utterance.SpeechSent = true;
            _pending.TryAdd(utterance.Id, false);
            if (_drained.Task.IsCompleted)
            {
                _drained = NewSignal(completed: false);
            }
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, utterance.Token);
        try
        {
            await realtime.SpeakAsync(chunk, utterance.Id, linked.Token).ConfigureAwait(false);
            Interlocked.Add(ref _speechBytesSent, chunk.Length);
        }
        catch (OperationCanceledException) when (utterance.IsInterrupted && !cancellationToken.IsCancellationRequested)
        {
            // Interrupted while pacing: the rest of this utterance is dropped on purpose.
        }
        catch (HeyGenRealtimeException ex)
        {
            await PushErrorAsync(
                $"Avatar speech of utterance {utterance.Id} was lost ({PcmFormat.DurationOf(chunk.Length, SpeechSampleRate).TotalMilliseconds:F0} ms): {ex.Message}",
                ex).ConfigureAwait(false);
        }
    }

    private async ValueTask InterruptAsync(CancellationToken cancellationToken)
    {
        string? target;
        bool speaking;
        lock (_gate)
        {
            SpokenUtterance? current = _current;
            speaking = current is { SpeechSent: true } || _pending.Count > 0;
            target = current is { SpeechSent: true } ? current.Id : _pending.Keys.LastOrDefault() ?? current?.Id;
            if (current is not null)
            {
                current.Interrupt();
                RememberInterrupted(current.Id);
                current.Dispose();
            }

            foreach (string id in _pending.Keys)
            {
                RememberInterrupted(id);
            }

            _current = null;
            _lostCurrentId = null;
            _pending.Clear();
            _drained.TrySetResult();
            _chunker.Reset();
            _resampler?.Reset();
            _utteranceTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        if (speaking && _realtime is { } realtime)
        {
            try
            {
                await realtime.InterruptAsync(target, cancellationToken).ConfigureAwait(false);
            }
            catch (HeyGenRealtimeException ex)
            {
                await PushErrorAsync($"Could not interrupt the avatar: {ex.Message}", ex).ConfigureAwait(false);
            }
        }

        await SendListeningAsync(listening: true, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask SendListeningAsync(bool listening, CancellationToken cancellationToken)
    {
        HeyGenRealtimeClient? realtime = _realtime;
        lock (_gate)
        {
            if (realtime is null || _listening == listening)
            {
                return;
            }

            _listening = listening;
        }

        try
        {
            if (listening)
            {
                await realtime.StartListeningAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await realtime.StopListeningAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HeyGenRealtimeException ex)
        {
            Logger.LogWarning(ex, "{Processor}: could not change the avatar's listening pose", Name);
        }
    }

    private async ValueTask DrainSpeechAsync(CancellationToken cancellationToken)
    {
        await EndUtteranceAsync(contextId: null, cancellationToken).ConfigureAwait(false);
        Task drained;
        lock (_gate)
        {
            drained = _drained.Task;
        }

        if (drained.IsCompleted || _options.EndDrainTimeout == TimeSpan.Zero || _realtime is null)
        {
            return;
        }

        try
        {
            await drained.WaitAsync(_options.EndDrainTimeout, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Logger.LogWarning(
                "{Processor}: the avatar had not finished speaking {Timeout} ms after the end of the pipeline; closing anyway",
                Name, _options.EndDrainTimeout.TotalMilliseconds);
        }
    }

    // Called when the realtime connection dropped while an utterance was in flight. The avatar will not confirm it, so
    // it no longer holds the end of the pipeline; if it is still being sent, EndUtteranceAsync interrupts it.
    private void OnUtteranceLost(string utteranceId)
    {
        lock (_gate)
        {
            if (string.Equals(_current?.Id, utteranceId, StringComparison.Ordinal))
            {
                _lostCurrentId = utteranceId;
            }

            _pending.Remove(utteranceId);
            if (_pending.Count == 0)
            {
                _drained.TrySetResult();
            }
        }
    }

    // Called for the avatar's speak_ended / speak_interrupted: that utterance no longer holds the end of the pipeline.
    private void OnUtteranceFinished(string? utteranceId, bool avatarIdle)
    {
        lock (_gate)
        {
            if (utteranceId is not null)
            {
                _pending.Remove(utteranceId);
            }

            if (avatarIdle)
            {
                foreach (string id in _pending.Where(p => p.Value).Select(p => p.Key).ToList())
                {
                    _pending.Remove(id);
                }
            }

            if (_pending.Count == 0)
            {
                _drained.TrySetResult();
            }
        }
    }

    private byte[] ToSpeechRate(AudioRawFrame audio)
    {
        ReadOnlySpan<byte> mono = audio.Audio.Span;
        byte[]? mixed = null;
        if (audio.Channels > 1)
        {
            mixed = new byte[audio.Audio.Length / audio.Channels];
            Pcm16.MixToMono(audio.Audio.Span, audio.Channels, mixed);
            mono = mixed;
        }

        if (audio.SampleRate == SpeechSampleRate)
        {
            return mixed ?? mono.ToArray();
        }

        lock (_gate)
        {
            if (_resampler is null || _resampler.InputRate != audio.SampleRate)
            {
                _resampler?.Dispose();
                _resampler = new StreamingResampler(audio.SampleRate, SpeechSampleRate);
            }

            byte[] output = new byte[_resampler.MaxOutputBytes(mono.Length)];
            int n = _resampler.Resample(mono, output);
            return n == output.Length ? output : output.AsSpan(0, n).ToArray();
        }
    }

    // For TTS without start/stop frames: the utterance ends after EndOfUtteranceTimeout without audio. The timer only
    // queues a frame, so the end is handled on the processing task, in order with the audio. Called under _gate.
    private void ArmUtteranceTimeout(string utteranceId)
    {
        long sequence = ++_audioSequence;
        _utteranceTimer ??= TimeProvider.CreateTimer(
            static state => ((HeyGenVideoService)state!).OnUtteranceTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timeoutTarget = (utteranceId, sequence);
        _utteranceTimer.Change(_options.EndOfUtteranceTimeout, Timeout.InfiniteTimeSpan);
    }

    private bool IsCurrentTimeout(UtteranceTimeoutFrame timeout)
    {
        lock (_gate)
        {
            return timeout.Sequence == _audioSequence && _current?.Id == timeout.UtteranceId;
        }
    }

    private void OnUtteranceTimeout()
    {
        (string id, long sequence) = _timeoutTarget;
        lock (_gate)
        {
            if (sequence != _audioSequence || _current?.Id != id)
            {
                return;
            }
        }

        _ = StartBackgroundTask("utterance-timeout", ct =>
            QueueFrameAsync(new UtteranceTimeoutFrame(id, sequence), FrameDirection.Downstream, ct).AsTask());
    }

    private void RememberInterrupted(string id)
    {
        _interruptedIds.Enqueue(id);
        while (_interruptedIds.Count > 64)
        {
            _interruptedIds.Dequeue();
        }
    }

    private void DisposeSpeechState()
    {
        lock (_gate)
        {
            _utteranceTimer?.Dispose();
            _resampler?.Dispose();
            _current?.Dispose();
            _current = null;
        }
    }

    private static TaskCompletionSource NewSignal(bool completed)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            signal.TrySetResult();
        }

        return signal;
    }

    /// <summary>Queued to itself when an utterance without TTS stop frames has gone quiet.</summary>
    private sealed class UtteranceTimeoutFrame(string utteranceId, long sequence) : ControlFrame
    {
        public string UtteranceId { get; } = utteranceId;

        public long Sequence { get; } = sequence;
    }

    /// <summary>One utterance being sent to the avatar.</summary>
    private sealed class SpokenUtterance : IDisposable
    {
        private readonly CancellationTokenSource _interrupt = new();

        public SpokenUtterance(string id, bool openedByTts)
        {
            Id = id;
            OpenedByTts = openedByTts;
            Token = _interrupt.Token;
        }

        public string Id { get; }

        public bool OpenedByTts { get; }

        public bool SpeechSent { get; set; }

        public bool IsInterrupted { get; private set; }

        /// <summary>Cancelled when the utterance is interrupted.</summary>
        public CancellationToken Token { get; }

        public void Interrupt()
        {
            IsInterrupted = true;
            _interrupt.Cancel();
        }

        public void Dispose() => _interrupt.Dispose();
    }
}
