using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Net.WebSockets;
using Pipeline.Core.Audio;
using Pipeline.HeyGen.Realtime.Events;
using Pipeline.HeyGen.Realtime.Protocol;

namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// The HeyGen realtime websocket (<c>realtime_endpoint</c> of Interactive Avatar, <c>ws_url</c> of LiveAvatar LITE):
/// sends the avatar's speech audio and control events, and surfaces the service's events.
/// </summary>
/// <remarks>
/// <para>One send loop writes queued messages in order (never interleaved); one receive loop parses server events. Both
/// are owned by the client and stop on <see cref="CloseAsync"/>/<see cref="DisposeAsync"/>.</para>
/// <para><b>Connection loss.</b> On an unexpected close (no close handshake, or a close status other than normal
/// closure, without the session having said <c>closing</c>/<c>closed</c>) the client raises
/// <see cref="Disconnected"/>, reconnects to the same URL with exponential backoff
/// (<see cref="HeyGenRealtimeOptions.MaxReconnectAttempts"/>) and raises <see cref="Reconnected"/>; when the attempts
/// run out it raises <see cref="Faulted"/>, ends <see cref="ReadEventsAsync"/> with the error, and every call throws.</para>
/// <para><b>Audio during a reconnect: reported, not re-sent.</b> A completed websocket send does not mean the service
/// read it, and the service acknowledges audio only per <c>event_id</c>, so the client cannot tell which chunks of an
/// utterance arrived. An utterance is <i>in flight</i> from its first chunk until the service acknowledges its end
/// (<c>agent.audio_buffer_committed</c>, <c>agent.speak_ended</c> or <c>agent.speak_interrupted</c>), or until
/// <see cref="HeyGenRealtimeOptions.EndAcknowledgementTimeout"/> after its <c>agent.speak_end</c> was sent, for services
/// that send no acknowledgement. A drop abandons every utterance in flight: its completion faults (see
/// <see cref="BeginUtterance"/>), <see cref="AudioLost"/> is raised once for it, its queued messages (chunks and <c>speak_end</c>) are dropped, further <see cref="SpeakAsync"/> calls for it
/// throw <see cref="HeyGenRealtimeException"/> with <see cref="RealtimeFailure.UtteranceLost"/>, and its
/// <see cref="SpeakEndAsync"/> is accepted and sends nothing. Audio of utterances started after the drop, and control
/// events, wait in the queue and go out after the reconnect; a control event whose send was cut off by the drop is
/// sent again (at least once).</para>
/// <para>Thread-safety: all members may be called concurrently, except that calls for one utterance
/// (<see cref="SpeakAsync"/> then <see cref="SpeakEndAsync"/>) must not overlap each other.</para>
/// </remarks>
/// <example>
/// <code>
/// await using var avatar = new HeyGenRealtimeClient(
///     new HeyGenRealtimeOptions { Product = HeyGenProduct.InteractiveAvatar, RestKeepAlive = ct => api.KeepAliveAsync(sessionId, ct) },
///     logger, timeProvider);
/// avatar.EventReceived += (_, e) => { if (e is AgentSpeakStartedEvent) { /* push BotStartedSpeaking */ } };
/// await avatar.ConnectAsync(new Uri(session.RealtimeEndpoint), ct);
/// RealtimeUtterance utterance = avatar.BeginUtterance(utteranceId);
/// await utterance.AppendAsync(pcm24kMono, ct);            // as often as TTS audio arrives
/// await utterance.EndAsync(ct);
/// await utterance.Completion;                             // spoken (or interrupted); faults if lost
/// await avatar.InterruptAsync(utteranceId, ct);            // when the user barges in
/// </code>
/// </example>
public sealed class HeyGenRealtimeClient : IAsyncDisposable, IRealtimeSupervisorHost
{
    /// <summary>Sample rate of the audio the service takes, in Hz (16-bit mono PCM).</summary>
    public const int SampleRate = 24_000;

    private readonly HeyGenRealtimeOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RealtimeMessageWriter _writer = new();
    private readonly Channel<OutboundMessage> _outbound;
    private readonly Channel<RealtimeServerEvent> _events;
    private readonly UtteranceBook _utterances;
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationToken _stopping;
    private readonly Lock _closeLock = new();
    private Task? _closeTask;
    private int _state;
    private Uri? _endpoint;
    private RealtimeSupervisor? _supervisor;
    private Task? _supervision;
    private RealtimeKeepAlive? _keepAlive;
    private volatile Exception? _terminal;
    private volatile bool _sessionEnding;
    private volatile bool _closeRequested;
    private volatile bool _readinessAssumed;
    private long _malformedCount;
    private long _unknownCount;

    /// <summary>Creates a client; nothing happens until <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">Settings; validated here and not to be changed afterwards.</param>
    /// <param name="logger">Logger; the session token never reaches it.</param>
    /// <param name="timeProvider">Clock for pacing, keep-alive, timeouts and backoff; <see cref="TimeProvider.System"/> by default.</param>
    public HeyGenRealtimeClient(HeyGenRealtimeOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _stopping = _lifetime.Token;
        _utterances = new UtteranceBook(_time, options.EndAcknowledgementTimeout);
        _outbound = Channel.CreateBounded<OutboundMessage>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _events = Channel.CreateBounded<RealtimeServerEvent>(
            new BoundedChannelOptions(options.EventBufferCapacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest },
            dropped => RealtimeLog.EventDropped(_logger, dropped.Type));
    }

    /// <summary>Raised for every parsed server event, on the receive loop (keep handlers short; exceptions are logged).</summary>
    public event EventHandler<RealtimeServerEvent>? EventReceived;

    /// <summary>The websocket closed; see <see cref="RealtimeDisconnectedEventArgs.WillReconnect"/>.</summary>
    public event EventHandler<RealtimeDisconnectedEventArgs>? Disconnected;

    /// <summary>The websocket is open again after an unexpected close.</summary>
    public event EventHandler<RealtimeReconnectedEventArgs>? Reconnected;

    /// <summary>
    /// An utterance was in flight when the connection dropped; its remaining audio is not sent. For observers (logs,
    /// metrics): the utterance's own completion (<see cref="RealtimeUtterance.Completion"/>) faults too.
    /// </summary>
    public event EventHandler<RealtimeAudioLostEventArgs>? AudioLost;

    /// <summary>Reconnecting failed; the client is unusable.</summary>
    public event EventHandler<RealtimeFaultedEventArgs>? Faulted;

    /// <summary>Where the client is in its life.</summary>
    public RealtimeConnectionState State => (RealtimeConnectionState)Volatile.Read(ref _state);

    /// <summary>Whether the service has said <c>session.state_updated: connected</c>.</summary>
    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Server messages that were not valid JSON events (ignored).</summary>
    public long MalformedMessageCount => Interlocked.Read(ref _malformedCount);

    /// <summary>Server events of types this client does not know (ignored).</summary>
    public long UnknownEventCount => Interlocked.Read(ref _unknownCount);

    /// <summary>Keep-alives done (websocket events queued, or REST calls completed).</summary>
    public long KeepAliveCount => _keepAlive?.Count ?? 0;

    /// <summary>Keep-alives that failed (logged as warnings).</summary>
    public long KeepAliveFailureCount => _keepAlive?.Failures ?? 0;

    internal HeyGenRealtimeOptions Options => _options;

    internal TimeProvider Time => _time;

    bool IRealtimeConnectionHost.CloseRequested => _closeRequested;

    bool IRealtimeConnectionHost.SessionEnding => _sessionEnding;

    /// <summary>
    /// Opens the websocket to <paramref name="endpoint"/> (the session's <c>realtime_endpoint</c> or <c>ws_url</c>), then
    /// starts the connection's loops and the keep-alive. Does not wait for readiness (see <see cref="WaitUntilReadyAsync"/>).
    /// </summary>
    /// <exception cref="HeyGenRealtimeException">Refused, rejected (HTTP 401/403 as <see cref="RealtimeFailure.Unauthorized"/>),
    /// timed out after <see cref="HeyGenRealtimeOptions.ConnectTimeout"/>, or failed otherwise. The client may connect again.</exception>
    public async Task ConnectAsync(Uri endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != "ws" && endpoint.Scheme != "wss"))
            throw new ArgumentException("The realtime endpoint must be an absolute ws:// or wss:// URL.", nameof(endpoint));
        if (Interlocked.CompareExchange(ref _state, (int)RealtimeConnectionState.Connecting, (int)RealtimeConnectionState.NotConnected)
            != (int)RealtimeConnectionState.NotConnected)
        {
            throw new InvalidOperationException("ConnectAsync may be called once (again only after it failed).");
        }

        _endpoint = endpoint;
        ClientWebSocket socket;
        try
        {
            socket = await RealtimeSocket.OpenAsync(endpoint, _options, _time, _logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _state, (int)RealtimeConnectionState.NotConnected);
            throw;
        }

        RealtimeLog.Connected(_logger, RealtimeUrl.Redact(endpoint));
        Volatile.Write(ref _state, (int)RealtimeConnectionState.Connected);
        _supervisor = new RealtimeSupervisor(endpoint, _outbound.Reader, this, _options, _time, _logger, _stopping);
        _supervision = _supervisor.RunAsync(socket);
        if (_options.KeepAliveEnabled)
            _keepAlive = new RealtimeKeepAlive(KeepAliveOnceAsync, _options.EffectiveKeepAliveInterval, _time, _logger, _stopping);
    }

    /// <summary>
    /// Waits until the service says <c>session.state_updated: connected</c>, at most
    /// <see cref="HeyGenRealtimeOptions.ReadyTimeout"/>. Speech waits for it only with
    /// <see cref="HeyGenRealtimeOptions.WaitForConnected"/> (off by default: some services never send it).
    /// </summary>
    /// <returns>True when the service confirmed; false when the timeout passed and
    /// <see cref="ReadinessFallback.AssumeReady"/> let the client go on (LiveAvatar LITE may never send the event).</returns>
    /// <exception cref="HeyGenRealtimeException"><see cref="RealtimeFailure.NotReady"/> with <see cref="ReadinessFallback.Throw"/>.</exception>
    public async Task<bool> WaitUntilReadyAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        if (_ready.Task.IsCompletedSuccessfully) return true;
        if (_readinessAssumed) return false;
        try
        {
            return await _ready.Task.WaitAsync(_options.ReadyTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _terminal is not null)
        {
            ThrowIfUnusable();
            throw;
        }
        catch (TimeoutException ex)
        {
            if (_options.ReadinessFallback == ReadinessFallback.Throw)
            {
                throw new HeyGenRealtimeException(RealtimeFailure.NotReady,
                    $"HeyGen did not report the session connected within {_options.ReadyTimeout.TotalMilliseconds} ms.", null, ex);
            }

            if (!_readinessAssumed)
            {
                _readinessAssumed = true;
                RealtimeLog.ReadyAssumed(_logger, _options.ReadyTimeout.TotalMilliseconds);
            }

            return false;
        }
    }

    /// <summary>
    /// Starts an utterance whose audio is cut into <c>agent.speak</c> messages as it arrives: the first once
    /// <paramref name="firstChunk"/> is buffered, then <see cref="HeyGenRealtimeOptions.SpeakChunkDuration"/> each (both
    /// kept under <see cref="HeyGenRealtimeOptions.MaxMessageBytes"/>), paced after
    /// <see cref="HeyGenRealtimeOptions.UnpacedBurst"/>.
    /// </summary>
    /// <param name="utteranceId">The utterance's id, used as <c>event_id</c>; speak events from the service carry it back.</param>
    /// <param name="firstChunk">Audio buffered before the first message; null for <see cref="HeyGenRealtimeOptions.SpeakChunkDuration"/>.</param>
    public RealtimeUtterance BeginUtterance(string utteranceId, TimeSpan? firstChunk = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(utteranceId);
        ThrowIfUnusable();
        return new RealtimeUtterance(this, OpenUtterance(utteranceId, firstChunk));
    }

    /// <summary>
    /// Sends audio of one utterance as <c>agent.speak</c> messages carrying <paramref name="utteranceId"/> as
    /// <c>event_id</c>: split into chunks of at most <see cref="HeyGenRealtimeOptions.SpeakChunkDuration"/> and under
    /// <see cref="HeyGenRealtimeOptions.MaxMessageBytes"/>, paced after the first
    /// <see cref="HeyGenRealtimeOptions.UnpacedBurst"/> of the utterance. Returns when the last chunk is queued.
    /// Call it as often as audio arrives, then <see cref="SpeakEndAsync"/>.
    /// </summary>
    /// <param name="pcm24kMono">16-bit signed little-endian mono PCM at 24 000 Hz (even length). Copied before return.</param>
    /// <param name="utteranceId">The utterance's id, used as <c>event_id</c>; speak events from the service carry it back.</param>
    /// <param name="cancellationToken">Stops waiting; chunks already queued are still sent.</param>
    /// <remarks>Returns early without sending the rest if <see cref="InterruptAsync"/> interrupts the utterance meanwhile.</remarks>
    /// <exception cref="HeyGenRealtimeException"><see cref="RealtimeFailure.UtteranceLost"/> if the connection dropped
    /// during this utterance (see the class remarks), or the client's terminal failure.</exception>
    public Task SpeakAsync(ReadOnlyMemory<byte> pcm24kMono, string utteranceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(utteranceId);
        RealtimeUtterance.CheckPcm(pcm24kMono);
        ThrowIfUnusable();
        return SendAsync(OpenUtterance(utteranceId, null), pcm24kMono, flush: true, cancellationToken);
    }

    /// <summary>
    /// Sends <c>agent.speak_end</c> for the utterance, so the avatar finishes it. The id may be reused afterwards.
    /// </summary>
    /// <remarks>For an utterance lost to a dropped connection this forgets it and sends nothing. The utterance stays in
    /// flight (see the class remarks and <see cref="AudioLost"/>) until the service acknowledges its end.</remarks>
    public Task SpeakEndAsync(string utteranceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(utteranceId);
        ThrowIfUnusable();
        var utterance = _utterances.Close(utteranceId);
        return utterance is null
            ? EnqueueAsync(_writer.WriteControl(RealtimeEventTypes.AgentSpeakEnd, utteranceId), cancellationToken).AsTask()
            : EndAsync(utterance, interruptIfLost: false, cancellationToken);
    }

    /// <summary>
    /// Sends <c>agent.interrupt</c>: the avatar stops and drops its queued audio. Chunks of <paramref name="utteranceId"/>
    /// still queued here are dropped and a paced <see cref="SpeakAsync"/> for it returns.
    /// </summary>
    /// <param name="utteranceId">The utterance being spoken (its id becomes the <c>event_id</c>), or null for a fresh id.</param>
    /// <param name="cancellationToken">Stops waiting for queue space.</param>
    public async Task InterruptAsync(string? utteranceId, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        if (utteranceId is not null) _utterances.Interrupt(utteranceId);
        await EnqueueAsync(_writer.WriteControl(RealtimeEventTypes.AgentInterrupt, utteranceId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Interrupts every utterance not yet done, and sends <c>agent.interrupt</c> (for the latest one with audio) only
    /// when one had audio: an avatar that was given nothing is not told to stop.
    /// </summary>
    /// <returns>Whether <c>agent.interrupt</c> was sent.</returns>
    public async Task<bool> InterruptAllAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        var (target, speaking) = _utterances.InterruptAll();
        if (!speaking) return false;
        await EnqueueAsync(_writer.WriteControl(RealtimeEventTypes.AgentInterrupt, target), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Sends <c>agent.start_listening</c> (listening animation; the service honours it only while silent).</summary>
    public Task StartListeningAsync(CancellationToken cancellationToken = default) =>
        SendControlAsync(RealtimeEventTypes.AgentStartListening, cancellationToken);

    /// <summary>Sends <c>agent.stop_listening</c> (back to idle).</summary>
    public Task StopListeningAsync(CancellationToken cancellationToken = default) =>
        SendControlAsync(RealtimeEventTypes.AgentStopListening, cancellationToken);

    /// <summary>Sends <c>session.keep_alive</c> now (the client also does it on its own for LiveAvatar).</summary>
    public Task SendKeepAliveAsync(CancellationToken cancellationToken = default) =>
        SendControlAsync(RealtimeEventTypes.SessionKeepAlive, cancellationToken);

    /// <summary>
    /// The server events, in arrival order, for one reader. Ends when the client closes or the session ends; throws
    /// the <see cref="HeyGenRealtimeException"/> when reconnecting failed. Events beyond
    /// <see cref="HeyGenRealtimeOptions.EventBufferCapacity"/> unread are dropped oldest first.
    /// </summary>
    public IAsyncEnumerable<RealtimeServerEvent> ReadEventsAsync(CancellationToken cancellationToken = default) =>
        _events.Reader.ReadAllAsync(cancellationToken);

    /// <summary>
    /// Closes the websocket with a close handshake (bounded by <see cref="HeyGenRealtimeOptions.CloseTimeout"/>) and
    /// stops the loops and the keep-alive. Queued messages not yet sent are dropped. Idempotent.
    /// </summary>
    public Task CloseAsync(CancellationToken cancellationToken = default)
    {
        lock (_closeLock)
        {
            _closeTask ??= CloseCoreAsync();
        }

        return _closeTask.WaitAsync(cancellationToken);
    }

    /// <summary>Closes (see <see cref="CloseAsync"/>) and releases the client.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync(CancellationToken.None).ConfigureAwait(false);
        _writer.Dispose();
        _lifetime.Dispose();
    }

    /// <summary>Wait before reconnect attempt <paramref name="attempt"/> (1-based): initial × 2^(attempt−1), capped.</summary>
    internal static TimeSpan BackoffDelay(int attempt, TimeSpan initial, TimeSpan max) => RealtimeSupervisor.BackoffDelay(attempt, initial, max);

    internal Utterance OpenUtterance(string utteranceId, TimeSpan? firstChunk)
    {
        var maxChunk = Math.Min(
            PcmFormat.BytesFor(_options.SpeakChunkDuration, SampleRate),
            RealtimeMessageWriter.MaxAudioBytesPerMessage(_options.MaxMessageBytes, utteranceId.Length));
        if (maxChunk < PcmFormat.BytesPerSample)
            throw new ArgumentException("The utterance id is too long to fit a message.", nameof(utteranceId));
        var first = Math.Min(maxChunk, PcmFormat.BytesFor(firstChunk ?? _options.SpeakChunkDuration, SampleRate));
        return _utterances.Open(utteranceId, id => new Utterance(
            id,
            new UtterancePacer(_time, _options.UnpacedBurst, _options.PaceToRealTime),
            new AgentSpeakChunker(first, maxChunk)));
    }

    /// <summary>Buffers audio into the utterance and sends every full chunk (all of it when <paramref name="flush"/>).</summary>
    internal async Task SendAsync(Utterance utterance, ReadOnlyMemory<byte> pcm, bool flush, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        if (utterance.IsBroken) throw UtteranceLost(utterance);
        if (utterance.IsInterrupted || (pcm.IsEmpty && !flush)) return;
        if (_options.WaitForConnected && !_ready.Task.IsCompletedSuccessfully && !_readinessAssumed)
            await WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, utterance.DiscardedToken);
        await utterance.SendLock.WaitAsync(stop.Token).ConfigureAwait(false);
        try
        {
            utterance.Chunker.Append(pcm.Span);
            while (utterance.Chunker.TryTakeChunk(out var chunk) || (flush && (chunk = utterance.Chunker.TakeRemainder()).Length > 0))
            {
                var duration = PcmFormat.DurationOf(chunk.Length, SampleRate);
                var delay = utterance.Pacer.DelayBefore(duration);
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _time, stop.Token).ConfigureAwait(false);
                await EnqueueAsync(_writer.WriteSpeak(utterance.Id, chunk, utterance), stop.Token).ConfigureAwait(false);
                utterance.Pacer.OnSent(duration);
                Interlocked.Add(ref utterance.BytesSubmitted, chunk.Length);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && utterance.IsDiscarded)
        {
            ThrowIfUnusable();
            if (utterance.IsBroken) throw UtteranceLost(utterance);
        }
        finally
        {
            utterance.SendLock.Release();
        }
    }

    /// <summary>
    /// Ends the utterance: sends what is buffered and <c>agent.speak_end</c>. An utterance without audio is done at
    /// once. A lost one sends nothing, or, with <paramref name="interruptIfLost"/>, <c>agent.interrupt</c> so that the
    /// avatar does not hold the part that arrived open and queue later speech behind it for ever.
    /// </summary>
    internal async Task EndAsync(Utterance utterance, bool interruptIfLost, CancellationToken cancellationToken)
    {
        _utterances.Close(utterance);
        if (utterance.IsBroken)
        {
            if (interruptIfLost && _terminal is null)
                await EnqueueAsync(_writer.WriteControl(RealtimeEventTypes.AgentInterrupt, utterance.Id), cancellationToken).ConfigureAwait(false);
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

        await EnqueueAsync(_writer.WriteControl(RealtimeEventTypes.AgentSpeakEnd, utterance.Id, utterance), cancellationToken).ConfigureAwait(false);
    }

    private Task KeepAliveOnceAsync(CancellationToken cancellationToken) =>
        _options.Product == HeyGenProduct.InteractiveAvatar
            ? _options.RestKeepAlive!(cancellationToken)
            : EnqueueAsync(_writer.WriteControl(RealtimeEventTypes.SessionKeepAlive, null), cancellationToken).AsTask();

    private Task SendControlAsync(string type, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        return EnqueueAsync(_writer.WriteControl(type, null), cancellationToken).AsTask();
    }

    private async ValueTask EnqueueAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _outbound.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            message.Release();
            ThrowIfUnusable();
            throw;
        }
        catch
        {
            message.Release();
            throw;
        }
    }

    private static HeyGenRealtimeException UtteranceLost(Utterance utterance) =>
        new(RealtimeFailure.UtteranceLost,
            $"The realtime connection dropped during utterance {utterance.Id}: {Interlocked.Read(ref utterance.BytesSubmitted)} bytes of its speech may not have reached the avatar, and the rest of it is not sent.");

    private void ThrowIfUnusable()
    {
        switch (_terminal)
        {
            case HeyGenRealtimeException failure:
                throw new HeyGenRealtimeException(failure.Failure, failure.Message, failure.HttpStatusCode, failure.InnerException);
            case not null:
                throw new ObjectDisposedException(nameof(HeyGenRealtimeClient), "The HeyGen realtime client is closed.");
        }

        if (State is RealtimeConnectionState.NotConnected or RealtimeConnectionState.Connecting)
            throw new InvalidOperationException("Call ConnectAsync first.");
    }

    private async Task CloseCoreAsync()
    {
        _closeRequested = true;
        _keepAlive?.Dispose();
        if (_supervisor?.Current is { } connection) await connection.CloseAsync().ConfigureAwait(false);
        await _lifetime.CancelAsync().ConfigureAwait(false);
        if (_supervision is not null) await _supervision.ConfigureAwait(false);
        Shutdown(new ObjectDisposedException(nameof(HeyGenRealtimeClient), "The HeyGen realtime client is closed."), faulted: false);
    }

    /// <summary>Makes the client terminal: completes the queues (releasing queued buffers), the utterances and the readiness wait.</summary>
    private void Shutdown(Exception reason, bool faulted)
    {
        if (Interlocked.CompareExchange(ref _terminal, reason, null) is not null) return;
        Volatile.Write(ref _state, (int)(faulted ? RealtimeConnectionState.Faulted : RealtimeConnectionState.Closed));
        _keepAlive?.Dispose();
        _utterances.BreakAll(reason);
        _ready.TrySetCanceled();
        _outbound.Writer.TryComplete(reason);
        while (_outbound.Reader.TryRead(out var message)) message.Release();
        _events.Writer.TryComplete(faulted ? reason : null);
        if (faulted && reason is HeyGenRealtimeException failure) Raise(Faulted, new RealtimeFaultedEventArgs(failure));
    }

    void IRealtimeSupervisorHost.OnConnectionLost(ConnectionEnd end, bool willReconnect)
    {
        Volatile.Write(ref _state, (int)RealtimeConnectionState.Reconnecting);
        _utterances.BreakInFlight(UtteranceLost, utterance =>
        {
            var bytes = Interlocked.Read(ref utterance.BytesSubmitted);
            RealtimeLog.AudioLost(_logger, utterance.Id, bytes);
            Raise(AudioLost, new RealtimeAudioLostEventArgs(utterance.Id, bytes));
        });
        RealtimeLog.ConnectionLost(_logger, end.Reason, willReconnect, end.Error);
        Raise(Disconnected, new RealtimeDisconnectedEventArgs(end.Reason, end.CloseStatus, end.Error, willReconnect));
    }

    void IRealtimeSupervisorHost.OnReconnected(int attempts, TimeSpan downtime)
    {
        Volatile.Write(ref _state, (int)RealtimeConnectionState.Connected);
        RealtimeLog.Reconnected(_logger, attempts, downtime.TotalMilliseconds);
        Raise(Reconnected, new RealtimeReconnectedEventArgs(attempts, downtime));
    }

    void IRealtimeSupervisorHost.OnSessionEnded(ConnectionEnd end)
    {
        RealtimeLog.SessionEnded(_logger, end.Reason);
        Raise(Disconnected, new RealtimeDisconnectedEventArgs(end.Reason, end.CloseStatus, end.Error, willReconnect: false));
        Shutdown(new HeyGenRealtimeException(RealtimeFailure.SessionEnded, $"The HeyGen session ended ({end.Reason})."), faulted: false);
    }

    void IRealtimeSupervisorHost.OnFailed(HeyGenRealtimeException failure)
    {
        RealtimeLog.Faulted(_logger, failure);
        Shutdown(failure, faulted: true);
    }

    void IRealtimeConnectionHost.OnMalformed(int length, string reason) =>
        RealtimeLog.MalformedMessage(_logger, length, reason, Interlocked.Increment(ref _malformedCount));

    void IRealtimeConnectionHost.OnMessage(ReadOnlyMemory<byte> utf8)
    {
        switch (RealtimeServerEventParser.TryParse(utf8, out var serverEvent, out var detail))
        {
            case ParseOutcome.Malformed:
                RealtimeLog.MalformedMessage(_logger, utf8.Length, detail, Interlocked.Increment(ref _malformedCount));
                return;
            case ParseOutcome.UnknownType:
                Interlocked.Increment(ref _unknownCount);
                RealtimeLog.UnknownEvent(_logger, detail);
                return;
        }

        RealtimeLog.ServerEvent(_logger, serverEvent!.Type, serverEvent.EventId);
        switch (serverEvent)
        {
            case SessionStateUpdatedEvent { State: AvatarSessionState.Connected }:
                _ready.TrySetResult(true);
                break;
            case SessionStateUpdatedEvent { State: AvatarSessionState.Closing or AvatarSessionState.Closed }:
                _sessionEnding = true;
                break;
            case RealtimeErrorEvent error:
                // Services quote what they were given: their texts are redacted and capped before anyone sees them.
                serverEvent = error = error with { Message = RedactServerText(error.Message) };
                RealtimeLog.ServerError(_logger, error.ErrorType, error.Code, error.SourceEventId, error.Message);
                break;
            case RealtimeWarningEvent warning:
                serverEvent = warning = warning with { Message = RedactServerText(warning.Message) };
                RealtimeLog.ServerWarning(_logger, warning.Message);
                break;
        }

        _utterances.OnServerEvent(serverEvent);
        _events.Writer.TryWrite(serverEvent);
        Raise(EventReceived, serverEvent);
    }

    private string? RedactServerText(string? text)
    {
        if (text is null) return null;
        IEnumerable<string> urlValues = _endpoint is null
            ? []
            : _endpoint.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => pair.Split('=', 2))
                .Where(pair => pair.Length == 2 && RealtimeUrl.IsSecret(Uri.UnescapeDataString(pair[0])))
                .Select(pair => Uri.UnescapeDataString(pair[1]));
        return Api.Http.SecretRedactor.Redact(text, [.. _options.KnownSecrets, .. urlValues], 256);
    }

    private void Raise<TArgs>(EventHandler<TArgs>? handler, TArgs args)
    {
        if (handler is null) return;
        try
        {
            handler(this, args);
        }
        catch (Exception ex)
        {
            RealtimeLog.HandlerFailed(_logger, ex);
        }
    }
}
