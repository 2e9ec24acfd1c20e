using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.Core.Avatars;

/// <summary>
/// Puts an avatar after TTS in a pipeline, whatever the provider: it consumes the TTS audio, makes the avatar speak
/// it through an <see cref="IAvatarSession"/>, and pushes the avatar's media and speaking frames.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="StartFrame"/> opens the session; a failure is a fatal <see cref="ErrorFrame"/> naming the step. A
/// second <see cref="StartFrame"/> is refused: one service serves one pipeline run.</item>
/// <item><see cref="TTSAudioRawFrame"/>s are mixed to mono, resampled to the session's rate and consumed; each TTS
/// context is one utterance (<see cref="TTSStartedFrame"/>/<see cref="TTSStoppedFrame"/>, or
/// <see cref="AvatarVideoServiceOptions.EndOfUtteranceTimeout"/> of silence without them).</item>
/// <item><see cref="InterruptionFrame"/> (and <see cref="UserStartedSpeakingFrame"/> when interruptions are allowed)
/// interrupts the avatar and starts its listening pose; <see cref="UserStoppedSpeakingFrame"/> stops it.</item>
/// <item>The avatar's speaking events become <see cref="BotStartedSpeakingFrame"/>/<see cref="BotStoppedSpeakingFrame"/>,
/// pushed both ways; its media is pushed downstream once an <see cref="OutputTransportReadyFrame"/> was seen.</item>
/// <item><see cref="EndFrame"/> waits for the open utterances (up to <see cref="AvatarVideoServiceOptions.EndDrainTimeout"/>),
/// then closes the session; <see cref="CancelFrame"/> and disposal close at once. The session is closed once.</item>
/// </list>
/// </remarks>
public class AvatarVideoService : FrameProcessor
{
    private readonly IAvatarSessionFactory _factory;
    private readonly AvatarVideoServiceOptions _options;
    private readonly Lock _gate = new();
    private readonly List<IAvatarUtterance> _ended = []; // ended, not yet done: what an EndFrame waits for
    private readonly Queue<string> _interruptedIds = new();
    private readonly List<Task> _mediaPumps = [];
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private IAvatarSession? _session;
    private AvatarSpeechInput? _speech;
    private CancellationTokenSource? _mediaCts;
    private Task _eventReader = Task.CompletedTask;
    private Task? _closeTask;
    private (IAvatarUtterance Utterance, bool OpenedByTts)? _current;
    private ITimer? _utteranceTimer;
    private (string Id, long Sequence) _timeoutTarget;
    private long _audioSequence;
    private int _starts;
    private volatile bool _closing;
    private volatile bool _transportReady;
    private volatile bool _botSpeaking;
    private bool _listening;
    private int _ttfbArmed;
    private long _videoDroppedBeforeReady;
    private long _videoPushed;
    private long _audioPushed;
    private long _speechBytesSent;

    /// <summary>Creates the service.</summary>
    /// <param name="sessions">Opens the provider's session when the pipeline starts.</param>
    /// <param name="options">Settings; validated here. Null for the defaults.</param>
    /// <param name="name">Name for logs; defaults to the type name with an instance number.</param>
    public AvatarVideoService(IAvatarSessionFactory sessions, AvatarVideoServiceOptions? options = null, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        _options = options ?? new AvatarVideoServiceOptions();
        _options.Validate();
        _factory = sessions;
        _transportReady = !_options.WaitForOutputTransportReady;
    }

    /// <summary>The open session's id, once started.</summary>
    public string? SessionId => _session?.Id;

    /// <summary>Video frames dropped because no <see cref="OutputTransportReadyFrame"/> had been seen yet.</summary>
    public long VideoFramesDroppedBeforeReady => Interlocked.Read(ref _videoDroppedBeforeReady);

    /// <summary>Avatar video frames pushed downstream.</summary>
    public long VideoFramesPushed => Interlocked.Read(ref _videoPushed);

    /// <summary>Avatar audio frames pushed downstream.</summary>
    public long AudioFramesPushed => Interlocked.Read(ref _audioPushed);

    /// <summary>Bytes of speech (at the session's rate) handed to the avatar so far.</summary>
    public long SpeechBytesSent => Interlocked.Read(ref _speechBytesSent);

    /// <inheritdoc />
    public override Task SetupAsync(FrameProcessorSetup setup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _loggerFactory = setup.LoggerFactory;
        return base.SetupAsync(setup, cancellationToken);
    }

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case StartFrame start:
                if (Interlocked.Increment(ref _starts) > 1)
                {
                    await PushErrorAsync(
                        $"{Name} received a second StartFrame and refused it: an avatar service runs in one pipeline, once (it holds one " +
                        "billed session). Create a new service for each pipeline.", fatal: true).ConfigureAwait(false);
                    return;
                }

                if (await OpenSessionAsync(start, cancellationToken).ConfigureAwait(false))
                {
                    await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                }

                return;
            case TTSAudioRawFrame audio when direction == FrameDirection.Downstream:
                await OnTtsAudioAsync(audio, cancellationToken).ConfigureAwait(false);
                return;
            case TTSStartedFrame started when _session is not null:
                lock (_gate)
                {
                    ForgetInterrupted(started.ContextId); // a fresh utterance may reuse an interrupted one's id
                }

                await BeginUtteranceAsync(started.ContextId, openedByTts: true, cancellationToken).ConfigureAwait(false);
                StartTtfbMetrics();
                break;
            case TTSStoppedFrame stopped:
                await EndUtteranceAsync(stopped.ContextId, cancellationToken).ConfigureAwait(false);
                break;
            case UtteranceTimeoutFrame timeout:
                if (IsCurrentTimeout(timeout))
                {
                    await EndUtteranceAsync(timeout.UtteranceId, cancellationToken).ConfigureAwait(false);
                }

                return;
            case InterruptionFrame:
                await InterruptAsync(cancellationToken).ConfigureAwait(false);
                break;
            case UserStartedSpeakingFrame:
                if (InterruptionsAllowed)
                {
                    await InterruptAsync(cancellationToken).ConfigureAwait(false);
                }

                await SetListeningAsync(listening: true, cancellationToken).ConfigureAwait(false);
                break;
            case UserStoppedSpeakingFrame:
                await SetListeningAsync(listening: false, cancellationToken).ConfigureAwait(false);
                break;
            case OutputTransportReadyFrame:
                _transportReady = true;
                break;
            case EndFrame:
                await DrainAsync(cancellationToken).ConfigureAwait(false);
                await CloseSessionAsync("end of pipeline").ConfigureAwait(false);
                break;
            case CancelFrame:
                await CloseSessionAsync("pipeline cancelled").ConfigureAwait(false);
                break;
        }

        await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask CleanupAsync()
    {
        await CloseSessionAsync("service disposed").ConfigureAwait(false);
        lock (_gate)
        {
            _utteranceTimer?.Dispose();
            _speech?.Dispose();
        }
    }

    private async ValueTask<bool> OpenSessionAsync(StartFrame start, CancellationToken cancellationToken)
    {
        try
        {
            var context = new AvatarSessionContext(start.AudioOutSampleRate, _loggerFactory, TimeProvider);
            IAvatarSession session = await _factory.OpenAsync(context, cancellationToken).ConfigureAwait(false);
            _speech = new AvatarSpeechInput(session.SpeechSampleRate);
            _mediaCts = new CancellationTokenSource();
            _session = session;
            _eventReader = StartBackgroundTask("avatar-events", ct => ReadEventsAsync(session, ct));
            foreach (IAsyncEnumerable<Frame> media in session.Media)
            {
                _mediaPumps.Add(StartBackgroundTask("avatar-media", ct => PumpMediaAsync(media, ct)));
            }

            Logger.LogInformation("{Processor}: avatar session {SessionId} opened", Name, session.Id);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            string why = ex is AvatarStartException ? ex.Message : $"failed to open the avatar session: {ex.Message}";
            await PushErrorAsync($"{Name}: the avatar could not start: {why}", ex, fatal: true).ConfigureAwait(false);
            return false;
        }
    }

    private async ValueTask OnTtsAudioAsync(TTSAudioRawFrame audio, CancellationToken cancellationToken)
    {
        if (_session is null || _speech is null)
        {
            return; // the session did not start; that was reported as a fatal error
        }

        string? contextId = audio.ContextId;
        IAvatarUtterance? current;
        lock (_gate)
        {
            if (contextId is not null && _interruptedIds.Contains(contextId))
            {
                return; // late audio of an interrupted utterance: dropped on purpose
            }

            current = _current?.Utterance;
        }

        if (current is null || (contextId is not null && !string.Equals(contextId, current.Id, StringComparison.Ordinal)))
        {
            current = await BeginUtteranceAsync(contextId, openedByTts: false, cancellationToken).ConfigureAwait(false);
            StartTtfbMetrics();
        }

        byte[] speech = _speech.Convert(audio);
        lock (_gate)
        {
            if (_current?.Utterance != current)
            {
                return; // interrupted meanwhile
            }

            if (!_current.Value.OpenedByTts)
            {
                ArmUtteranceTimeout(current.Id);
            }
        }

        await SendAsync(current, speech, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<IAvatarUtterance> BeginUtteranceAsync(string? contextId, bool openedByTts, CancellationToken cancellationToken)
    {
        if (_current is { } previous)
        {
            await EndUtteranceAsync(previous.Utterance.Id, cancellationToken).ConfigureAwait(false);
        }

        IAvatarUtterance utterance = _session!.BeginUtterance(contextId ?? Guid.NewGuid().ToString("N"));
        lock (_gate)
        {
            _current = (utterance, openedByTts);
            _speech!.Reset();
        }

        _ = StartBackgroundTask("avatar-utterance", ct => WatchAsync(utterance, ct));
        return utterance;
    }

    private async ValueTask EndUtteranceAsync(string? contextId, CancellationToken cancellationToken)
    {
        IAvatarUtterance utterance;
        byte[] tail;
        lock (_gate)
        {
            if (_current is not { } current || (contextId is not null && !string.Equals(contextId, current.Utterance.Id, StringComparison.Ordinal)))
            {
                return;
            }

            utterance = current.Utterance;
            _current = null;
            _utteranceTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            tail = _speech!.Flush();
            _ended.Add(utterance);
        }

        await SendAsync(utterance, tail, cancellationToken).ConfigureAwait(false);
        try
        {
            await utterance.EndAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await PushErrorAsync($"Could not end avatar utterance {utterance.Id}: {ex.Message}", ex).ConfigureAwait(false);
        }
    }

    private async ValueTask SendAsync(IAvatarUtterance utterance, byte[] speech, CancellationToken cancellationToken)
    {
        if (speech.Length == 0)
        {
            return;
        }

        try
        {
            await utterance.AppendAsync(speech, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _speechBytesSent, speech.Length);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !_closing)
        {
            double ms = speech.Length * 500.0 / _session!.SpeechSampleRate;
            await PushErrorAsync($"Avatar speech of utterance {utterance.Id} was lost ({ms:F0} ms): {ex.Message}", ex).ConfigureAwait(false);
        }
    }

    // One owner per utterance: its completion says how it ended; a loss becomes an error, never silence.
    private async Task WatchAsync(IAvatarUtterance utterance, CancellationToken cancellationToken)
    {
        try
        {
            await utterance.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !_closing)
        {
            await PushErrorAsync(ex.Message, ex).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Closing: the session's end ends its utterances.
        }
        finally
        {
            lock (_gate)
            {
                _ended.Remove(utterance);
            }
        }
    }

    private async ValueTask InterruptAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_current is { } current)
            {
                RememberInterrupted(current.Utterance.Id);
            }

            foreach (IAvatarUtterance ended in _ended)
            {
                RememberInterrupted(ended.Id);
            }

            _current = null;
            _speech?.Reset();
            _utteranceTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        if (_session is { } session)
        {
            try
            {
                await session.InterruptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await PushErrorAsync($"Could not interrupt the avatar: {ex.Message}", ex).ConfigureAwait(false);
            }
        }

        await SetListeningAsync(listening: true, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask SetListeningAsync(bool listening, CancellationToken cancellationToken)
    {
        IAvatarSession? session = _session;
        lock (_gate)
        {
            if (session is not { SupportsListening: true } || _listening == listening)
            {
                return;
            }

            _listening = listening;
        }

        try
        {
            await session.SetListeningAsync(listening, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogWarning(ex, "{Processor}: could not change the avatar's listening pose", Name);
        }
    }

    private async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        if (_session is null)
        {
            return;
        }

        await EndUtteranceAsync(contextId: null, cancellationToken).ConfigureAwait(false);
        Task[] open;
        lock (_gate)
        {
            open = [.. _ended.Select(u => u.Completion)];
        }

        if (open.Length == 0 || _options.EndDrainTimeout == TimeSpan.Zero)
        {
            return;
        }

        // Waiting for the open utterances is the drain: a lost one faults (already reported) and ends the wait for it.
        Task all = Task.WhenAll(open).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await all.WaitAsync(_options.EndDrainTimeout, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Logger.LogWarning(
                "{Processor}: the avatar had not finished speaking {Timeout} ms after the end of the pipeline; closing anyway",
                Name, _options.EndDrainTimeout.TotalMilliseconds);
        }
    }

    private Task CloseSessionAsync(string reason)
    {
        lock (_gate)
        {
            return _closeTask ??= CloseCoreAsync(reason);
        }
    }

    private async Task CloseCoreAsync(string reason)
    {
        _closing = true;
        if (_mediaCts is { } cts)
        {
            await cts.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(_mediaPumps).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.LogDebug(ex, "{Processor}: a session task ended with an error while closing", Name);
        }

        if (_session is { } session)
        {
            foreach (AvatarError error in await session.CloseAsync(reason).ConfigureAwait(false))
            {
                await PushErrorAsync(error.Message, error.Exception, error.Fatal).ConfigureAwait(false);
            }

            // The session ended its events when it closed: the reader delivers the last ones (the avatar going quiet)
            // before the end of the pipeline travels on.
            await _eventReader.ConfigureAwait(false);
            await session.DisposeAsync().ConfigureAwait(false);
            Logger.LogInformation("{Processor}: avatar session {SessionId} closed ({Reason})", Name, session.Id, reason);
        }

        _mediaCts?.Dispose();
    }

    private async Task ReadEventsAsync(IAvatarSession session, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (AvatarEvent avatarEvent in session.ReadEventsAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (avatarEvent)
                {
                    case AvatarStartedSpeaking:
                        Interlocked.Exchange(ref _ttfbArmed, 1);
                        await SetBotSpeakingAsync(true).ConfigureAwait(false);
                        break;
                    case AvatarStoppedSpeaking:
                        await SetBotSpeakingAsync(false).ConfigureAwait(false);
                        break;
                    case AvatarWarning warning:
                        Logger.LogWarning("{Processor}: avatar warning: {Message}", Name, warning.Message);
                        break;
                    case AvatarError error when !(_closing && error.Fatal):
                        await PushErrorAsync(error.Message, error.Exception, error.Fatal).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The processor stopped.
        }
    }

    private async Task PumpMediaAsync(IAsyncEnumerable<Frame> media, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _mediaCts!.Token);
        try
        {
            await foreach (Frame frame in media.WithCancellation(linked.Token).ConfigureAwait(false))
            {
                bool video = frame is ImageRawFrame;
                if (!_transportReady)
                {
                    if (video)
                    {
                        Interlocked.Increment(ref _videoDroppedBeforeReady);
                    }

                    continue;
                }

                if (Interlocked.Exchange(ref _ttfbArmed, 0) == 1)
                {
                    await StopTtfbMetricsAsync().ConfigureAwait(false);
                }

                await PushFrameAsync(frame, FrameDirection.Downstream, linked.Token).ConfigureAwait(false);
                Interlocked.Increment(ref video ? ref _videoPushed : ref _audioPushed);
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The session is closing or the processor stopped.
        }
        catch (Exception ex) when (!_closing)
        {
            await PushErrorAsync($"The avatar's media stream failed: {ex.Message}", ex).ConfigureAwait(false);
        }
    }

    private async ValueTask SetBotSpeakingAsync(bool speaking)
    {
        if (_botSpeaking == speaking)
        {
            return;
        }

        _botSpeaking = speaking;
        await PushFrameAsync(speaking ? new BotStartedSpeakingFrame() : new BotStoppedSpeakingFrame(), FrameDirection.Downstream).ConfigureAwait(false);
        await PushFrameAsync(speaking ? new BotStartedSpeakingFrame() : new BotStoppedSpeakingFrame(), FrameDirection.Upstream).ConfigureAwait(false);
    }

    // For TTS without start/stop frames: the utterance ends after EndOfUtteranceTimeout without audio. The timer only
    // queues a frame, so the end is handled on the processing task, in order with the audio. Called under _gate.
    private void ArmUtteranceTimeout(string utteranceId)
    {
        long sequence = ++_audioSequence;
        _utteranceTimer ??= TimeProvider.CreateTimer(
            static state => ((AvatarVideoService)state!).OnUtteranceTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timeoutTarget = (utteranceId, sequence);
        _utteranceTimer.Change(_options.EndOfUtteranceTimeout, Timeout.InfiniteTimeSpan);
    }

    private bool IsCurrentTimeout(UtteranceTimeoutFrame timeout)
    {
        lock (_gate)
        {
            return timeout.Sequence == _audioSequence && _current?.Utterance.Id == timeout.UtteranceId;
        }
    }

    private void OnUtteranceTimeout()
    {
        (string id, long sequence) = _timeoutTarget;
        if (_closing)
        {
            return;
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

    private void ForgetInterrupted(string? id)
    {
        if (id is null || !_interruptedIds.Contains(id))
        {
            return;
        }

        string[] keep = [.. _interruptedIds.Where(i => !string.Equals(i, id, StringComparison.Ordinal))];
        _interruptedIds.Clear();
        foreach (string other in keep)
        {
            _interruptedIds.Enqueue(other);
        }
    }

    /// <summary>Queued to itself when an utterance without TTS stop frames has gone quiet.</summary>
    private sealed class UtteranceTimeoutFrame(string utteranceId, long sequence) : ControlFrame
    {
        public string UtteranceId { get; } = utteranceId;

        public long Sequence { get; } = sequence;
    }
}
