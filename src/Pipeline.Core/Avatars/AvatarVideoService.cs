using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Diagnostics;
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
/// <item><see cref="TTSTextFrame"/>s pass on once the avatar has spoken the audio before them (an interruption drops
/// the unspoken ones), so an assistant-context aggregator placed after this service records what the user heard.</item>
/// <item>The avatar's speaking events become <see cref="BotStartedSpeakingFrame"/>/<see cref="BotStoppedSpeakingFrame"/>,
/// pushed both ways; its media is pushed downstream once an <see cref="OutputTransportReadyFrame"/> was seen. A
/// direct-room session (<see cref="IAvatarSession.RoomAccess"/>) has no media here: nothing waits for that gate (speech
/// never did), and an <see cref="AvatarRoomReadyFrame"/> follows the <see cref="StartFrame"/> both ways.</item>
/// <item><see cref="EndFrame"/> waits for the open utterances (up to <see cref="AvatarVideoServiceOptions.EndDrainTimeout"/>),
/// then closes the session; <see cref="CancelFrame"/> and disposal close at once. The session is closed once.</item>
/// </list>
/// </remarks>
public class AvatarVideoService : FrameProcessor
{
    private readonly IAvatarSessionFactory _factory;
    private readonly AvatarVideoServiceOptions _options;
    private readonly UtteranceLedger _utterances = new();
    private readonly AvatarOutput _output;
    private readonly Lock _gate = new();
    private readonly SpokenTextRelease _spokenText;
    private readonly UtteranceDelivery _delivery;
    private readonly UtteranceEndTimer _endTimer;
    private readonly AvatarWiringWarnings _wiring = new();
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private AvatarSessionTelemetry _telemetry;
    private AvatarSessionLink? _link;
    private AvatarSpeechInput? _speech;
    private Task? _closeTask;
    private int _starts;
    private ListeningPose? _listening;
    private volatile bool _closing;

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
        _endTimer = new UtteranceEndTimer(
            _options.EndOfUtteranceTimeout, (id, sequence) => QueueToSelf("utterance-timeout", () => new UtteranceTimeoutFrame(id, sequence)));
        _telemetry = new AvatarSessionTelemetry(CoreMetrics.Default, TimeProvider, Name);
        _spokenText = new SpokenTextRelease(
            (text, ct) => PushFrameAsync(text, FrameDirection.Downstream, ct), () => TimeProvider, () => _closing,
            () => QueueToSelf("spoken-text", static () => new SpokenTextRelease.DueFrame()));
        _delivery = new UtteranceDelivery(_utterances, _spokenText, () => _telemetry, () => _closing, (message, ex) => PushErrorAsync(message, ex));
        _output = new AvatarOutput(
            PushFrameAsync, async () => await StopTtfbMetricsAsync().ConfigureAwait(false), !_options.WaitForOutputTransportReady,
            () =>
            {
                _spokenText.SpeakingStarted();
                _telemetry.SpeakingStarted();
            })
        {
            Dropped = () => Metrics.FrameDropped(nameof(AvatarVideoService), "output_not_ready"),
        };
    }

    /// <summary>The open session's id, once started.</summary>
    public string? SessionId => _link?.Session?.Id;

    /// <summary>
    /// In direct-room mode, once started: the room the avatar publishes into and how the user joins it (secret
    /// tokens: see <see cref="AvatarRoomAccess"/>); also pushed both ways as an <see cref="AvatarRoomReadyFrame"/>
    /// after the <see cref="StartFrame"/>. Null otherwise.
    /// </summary>
    public AvatarRoomAccess? RoomAccess => _link?.Session?.RoomAccess;

    /// <summary>Video frames dropped because no <see cref="OutputTransportReadyFrame"/> had been seen yet.</summary>
    public long VideoFramesDroppedBeforeReady => _output.VideoDroppedBeforeReady;

    /// <summary>Avatar video frames pushed downstream.</summary>
    public long VideoFramesPushed => _output.VideoPushed;

    /// <summary>Avatar audio frames pushed downstream.</summary>
    public long AudioFramesPushed => _output.AudioPushed;

    /// <summary>Bytes of speech (at the session's rate) handed to the avatar so far.</summary>
    public long SpeechBytesSent => _delivery.BytesSent;

    /// <inheritdoc />
    public override Task SetupAsync(FrameProcessorSetup setup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _loggerFactory = setup.LoggerFactory;
        Task setUp = base.SetupAsync(setup, cancellationToken);
        _telemetry = new AvatarSessionTelemetry(Metrics, TimeProvider, Name);
        return setUp;
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
                    if (RoomAccess is { } room)
                    {
                        // After the StartFrame, both ways: whoever hands the room to the user may sit on either side.
                        await PushFrameAsync(new AvatarRoomReadyFrame(room), FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
                        await PushFrameAsync(new AvatarRoomReadyFrame(room), FrameDirection.Upstream, cancellationToken).ConfigureAwait(false);
                    }
                }

                return;
            case TTSAudioRawFrame audio when direction == FrameDirection.Downstream:
                await OnTtsAudioAsync(audio, cancellationToken).ConfigureAwait(false);
                return;
            case TTSStartedFrame started when _link?.Session is not null:
                _utterances.Reopen(started.ContextId);
                await BeginUtteranceAsync(started.ContextId, openedByTts: true, cancellationToken).ConfigureAwait(false);
                StartTtfbMetrics();
                break;
            case TTSStoppedFrame stopped:
                await EndUtteranceAsync(stopped.ContextId, cancellationToken).ConfigureAwait(false);
                break;
            case UtteranceTimeoutFrame timeout:
                if (_utterances.IsCurrentTimeout(timeout.UtteranceId, timeout.Sequence))
                {
                    await EndUtteranceAsync(timeout.UtteranceId, cancellationToken).ConfigureAwait(false);
                }

                return;
            case TTSTextFrame text when direction == FrameDirection.Downstream && _spokenText.TryHold(text, _link?.Session, _utterances.Current):
                await _spokenText.ReleaseAsync(cancellationToken).ConfigureAwait(false);
                return;
            case SpokenTextRelease.DueFrame:
                await _spokenText.ReleaseAsync(cancellationToken).ConfigureAwait(false);
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
                _output.OnTransportReady();
                break;
            case OutputAudioRawFrame plain when direction == FrameDirection.Downstream && plain is not SpeechOutputAudioRawFrame:
                _wiring.PlainOutputAudio(plain, Logger, Name);
                break;
            case EndFrame:
                await DrainAsync(cancellationToken).ConfigureAwait(false);
                await _spokenText.ReleaseAsync(cancellationToken).ConfigureAwait(false);
                await CloseSessionAsync("end of pipeline").ConfigureAwait(false);
                break;
            case CancelFrame:
                _spokenText.DropAll();
                await CloseSessionAsync("pipeline cancelled").ConfigureAwait(false);
                break;
        }

        await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask CleanupAsync()
    {
        await CloseSessionAsync("service disposed").ConfigureAwait(false);
        _endTimer.Dispose();
        _spokenText.Dispose();
        _speech?.Dispose();
    }

    private async ValueTask<bool> OpenSessionAsync(StartFrame start, CancellationToken cancellationToken)
    {
        _telemetry.Opening();
        try
        {
            var context = new AvatarSessionContext(start.AudioOutSampleRate, _loggerFactory, TimeProvider) { MeterFactory = MeterFactory };
            IAvatarSession session = await _factory.OpenAsync(context, cancellationToken).ConfigureAwait(false);
            _telemetry.Opened(session.Id);
            _speech = new AvatarSpeechInput(session.SpeechSampleRate);
            if (session.Media.Count == 0)
            {
                // Direct-room mode: no media will pass, so the avatar starting to talk is the first thing seen of it.
                _output.MediaBypassesPipeline();
            }

            _link = new AvatarSessionLink(session, _output, StartBackgroundTask, e => PushErrorAsync(e.Message, e.Exception, e.Fatal), Logger, Name);
            _link.Start();

            Logger.LogInformation("{Processor}: avatar session {SessionId} opened", Name, session.Id);
            return true;
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            _telemetry.OpenFailed(ex);
            throw;
        }
        catch (Exception ex)
        {
            _telemetry.OpenFailed(ex);
            string why = ex is AvatarStartException ? ex.Message : $"failed to open the avatar session: {ex.Message}";
            await PushErrorAsync($"{Name}: the avatar could not start: {why}", ex, fatal: true).ConfigureAwait(false);
            return false;
        }
    }

    private async ValueTask OnTtsAudioAsync(TTSAudioRawFrame audio, CancellationToken cancellationToken)
    {
        if (_link?.Session is null || _speech is null || _utterances.IsInterrupted(audio.ContextId))
        {
            return; // no session (reported as fatal), or late audio of an interrupted utterance (dropped on purpose)
        }

        IAvatarUtterance? current = _utterances.Current;
        if (current is null || (audio.ContextId is { } id && !string.Equals(id, current.Id, StringComparison.Ordinal)))
        {
            current = await BeginUtteranceAsync(audio.ContextId, openedByTts: false, cancellationToken).ConfigureAwait(false);
            StartTtfbMetrics();
        }

        byte[] speech = _speech.Convert(audio);
        if (!_utterances.TryTouch(current, out long timeoutSequence))
        {
            return; // interrupted meanwhile
        }

        if (timeoutSequence != 0)
        {
            _endTimer.Arm(TimeProvider, current.Id, timeoutSequence);
        }

        await _delivery.SendAsync(current, speech, _link.Session.SpeechSampleRate, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<IAvatarUtterance> BeginUtteranceAsync(string? contextId, bool openedByTts, CancellationToken cancellationToken)
    {
        await EndUtteranceAsync(contextId: null, cancellationToken).ConfigureAwait(false);
        IAvatarUtterance utterance = _link!.Session.BeginUtterance(contextId ?? Guid.NewGuid().ToString("N"));
        _speech!.Reset();
        _spokenText.UtteranceBegun();
        _utterances.Begin(utterance, openedByTts);
        _ = StartBackgroundTask("avatar-utterance", _delivery.Watch(utterance));
        return utterance;
    }

    private async ValueTask EndUtteranceAsync(string? contextId, CancellationToken cancellationToken)
    {
        if (_utterances.TakeCurrent(contextId) is not { } utterance)
        {
            return;
        }

        _endTimer.Disarm();
        await _delivery.SendAsync(utterance, _speech!.Flush(), _link!.Session.SpeechSampleRate, cancellationToken).ConfigureAwait(false);
        try
        {
            await utterance.EndAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await PushErrorAsync($"Could not end avatar utterance {utterance.Id}: {ex.Message}", ex).ConfigureAwait(false);
        }
    }

    private async ValueTask InterruptAsync(CancellationToken cancellationToken)
    {
        if (_utterances.InterruptAll())
        {
            _telemetry.Interrupted();
        }

        _spokenText.DropAll();
        _speech?.Reset();
        _endTimer.Disarm();
        if (_link?.Session is { } session)
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

    private ValueTask SetListeningAsync(bool listening, CancellationToken cancellationToken) =>
        LazyInitializer.EnsureInitialized(ref _listening, () => new ListeningPose(Logger, Name)).SetAsync(_link?.Session, listening, cancellationToken);

    private async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        if (_link?.Session is null)
        {
            return;
        }

        await EndUtteranceAsync(contextId: null, cancellationToken).ConfigureAwait(false);
        string[]? spoken = await _utterances.DrainAsync(_options.EndDrainTimeout, TimeProvider, cancellationToken).ConfigureAwait(false);
        if (spoken is null)
        {
            Logger.LogWarning(
                "{Processor}: the avatar had not finished speaking {Timeout} ms after the end of the pipeline; closing anyway",
                Name, _options.EndDrainTimeout.TotalMilliseconds);
            return;
        }

        foreach (string id in spoken)
        {
            _spokenText.Spoken(id); // before the watcher may see it: the EndFrame must not overtake the texts
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
        if (_link is { } link)
        {
            Activity? span = _telemetry.Closing(reason);
            int errors = await link.CloseAsync(reason).ConfigureAwait(false);
            _telemetry.Closed(span, errors);
        }

        _wiring.TransportNeverReady(_output, Logger, Name);
    }

    // Timers and watchers run elsewhere: what they ask for is done on the processing task, in order with the frames.
    private void QueueToSelf(string task, Func<Frame> frame)
    {
        if (!_closing)
        {
            _ = StartBackgroundTask(task, ct => QueueFrameAsync(frame(), FrameDirection.Downstream, ct).AsTask());
        }
    }
}
