using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.HeyGen.Realtime.Events;
using Pipeline.HeyGen.Realtime.Protocol;

namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// The HeyGen realtime websocket (<c>realtime_endpoint</c> of Interactive Avatar, <c>ws_url</c> of LiveAvatar LITE):
/// sends the avatar's speech audio and control events, and surfaces the service's events.
/// </summary>
/// <remarks>
/// <para>Parts, one concept each: <see cref="RealtimeConnection"/> (one socket's send and receive loops),
/// <see cref="RealtimeSupervisor"/> (reconnects with backoff), <see cref="RealtimeKeepAlive"/>, <see cref="RealtimeReadiness"/>,
/// <see cref="RealtimeOutbox"/> (the one send queue), <see cref="RealtimeInbox"/> (parsing, redaction), <see cref="RealtimeEventFeed"/> (events in) and
/// <see cref="UtteranceBook"/> (every utterance until done), <see cref="RealtimeClientState"/> (the lifecycle). This class composes them and is the public surface.</para>
/// <para><b>Connection loss.</b> On an unexpected close the client raises <see cref="Disconnected"/>, reconnects with
/// exponential backoff (<see cref="HeyGenRealtimeOptions.MaxReconnectAttempts"/>) and raises <see cref="Reconnected"/>;
/// when the attempts run out it raises <see cref="Faulted"/>, ends <see cref="ReadEventsAsync"/> with the error, and
/// every call throws.</para>
/// <para><b>Audio during a reconnect: reported, not re-sent.</b> The service acknowledges audio only per utterance,
/// so a drop loses every utterance <i>in flight</i> (audio sent, end not acknowledged by
/// <c>agent.audio_buffer_committed</c>/<c>agent.speak_ended</c>/<c>agent.speak_interrupted</c>, or sent less than
/// <see cref="HeyGenRealtimeOptions.EndAcknowledgementTimeout"/> ago): its completion faults with
/// <see cref="RealtimeFailure.UtteranceLost"/>, <see cref="AudioLost"/> is raised once, its queued messages are dropped
/// and more audio for it is refused. Other messages wait in the queue and go out after the reconnect (at least once).</para>
/// <para>Thread-safety: all members may be called concurrently; calls on one utterance are serialized.</para>
/// </remarks>
/// <example>
/// <code>
/// await using var avatar = new HeyGenRealtimeClient(new HeyGenRealtimeOptions { Product = HeyGenProduct.LiveAvatar }, logger, timeProvider);
/// await avatar.ConnectAsync(new Uri(session.WebSocketUrl), ct);
/// RealtimeUtterance utterance = avatar.BeginUtterance(utteranceId);
/// await utterance.AppendAsync(pcm24kMono, ct);            // as often as TTS audio arrives
/// await utterance.EndAsync(ct);
/// await utterance.Completion;                             // spoken (or interrupted); faults if lost
/// </code>
/// </example>
public sealed class HeyGenRealtimeClient : IAsyncDisposable, IRealtimeSupervisorHost
{
    /// <summary>Sample rate of the audio the service takes, in Hz (16-bit mono PCM).</summary>
    public const int SampleRate = 24_000;

    private readonly HeyGenRealtimeOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RealtimeOutbox _outbox;
    private readonly RealtimeEventFeed _events;
    private readonly UtteranceBook _utterances;
    private readonly RealtimeReadiness _readiness;
    private readonly RealtimeInbox _inbox;
    private readonly UtteranceSpeaker _speaker;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationToken _stopping;
    private readonly Lock _closeLock = new();
    private readonly RealtimeClientState _state = new();
    private Task? _closeTask;
    private RealtimeSupervisor? _supervisor;
    private Task? _supervision;
    private RealtimeKeepAlive? _keepAlive;

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
        _outbox = new RealtimeOutbox(options, _time, _state.ThrowIfUnusable);
        _readiness = new RealtimeReadiness(options, _time, _logger);
        _inbox = new RealtimeInbox(options, _logger);
        _speaker = new UtteranceSpeaker(_utterances, _outbox, _readiness, options, _state.ThrowIfUnusable, () => _state.IsTerminal);
        _events = new RealtimeEventFeed(_inbox, _readiness, _utterances, _state, e => Raise(EventReceived, e), options.EventBufferCapacity, _logger);
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
    public RealtimeConnectionState State => _state.Current;

    /// <summary>Whether the service has said <c>session.state_updated: connected</c>.</summary>
    public bool IsReady => _readiness.IsReady;

    /// <summary>Server messages that were not valid JSON events (ignored).</summary>
    public long MalformedMessageCount => _inbox.MalformedCount;

    /// <summary>Server events of types this client does not know (ignored).</summary>
    public long UnknownEventCount => _inbox.UnknownCount;

    /// <summary>Keep-alives done (websocket events queued, or REST calls completed).</summary>
    public long KeepAliveCount => _keepAlive?.Count ?? 0;

    /// <summary>Keep-alives that failed (logged as warnings).</summary>
    public long KeepAliveFailureCount => _keepAlive?.Failures ?? 0;

    bool IRealtimeConnectionHost.CloseRequested => _state.CloseRequested;

    bool IRealtimeConnectionHost.SessionEnding => _state.SessionEnding;

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
        if (!_state.TryBeginConnect())
            throw new InvalidOperationException("ConnectAsync may be called once (again only after it failed).");

        _inbox.AddEndpointSecrets(endpoint);
        ClientWebSocket socket;
        try
        {
            socket = await RealtimeSocket.OpenAsync(endpoint, _options, _time, _logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _state.ConnectFailed();
            throw;
        }

        RealtimeLog.Connected(_logger, RealtimeUrl.Redact(endpoint));
        _state.Connected();
        _supervisor = new RealtimeSupervisor(endpoint, _outbox.Reader, this, _options, _time, _logger, _stopping);
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
        try
        {
            return await _readiness.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _state.IsTerminal)
        {
            ThrowIfUnusable();
            throw;
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
            ? _outbox.SendControlAsync(RealtimeEventTypes.AgentSpeakEnd, utteranceId, cancellationToken).AsTask()
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
        await _outbox.SendControlAsync(RealtimeEventTypes.AgentInterrupt, utteranceId, cancellationToken).ConfigureAwait(false);
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
        await _outbox.SendControlAsync(RealtimeEventTypes.AgentInterrupt, target, cancellationToken).ConfigureAwait(false);
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
        _events.ReadAllAsync(cancellationToken);

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
        _outbox.Dispose();
        _lifetime.Dispose();
    }

    /// <summary>Wait before reconnect attempt <paramref name="attempt"/> (1-based): initial × 2^(attempt−1), capped.</summary>
    internal static TimeSpan BackoffDelay(int attempt, TimeSpan initial, TimeSpan max) => RealtimeSupervisor.BackoffDelay(attempt, initial, max);

    internal Utterance OpenUtterance(string utteranceId, TimeSpan? firstChunk) => _speaker.Open(utteranceId, firstChunk);

    internal Task SendAsync(Utterance utterance, ReadOnlyMemory<byte> pcm, bool flush, CancellationToken cancellationToken) =>
        _speaker.SendAsync(utterance, pcm, flush, cancellationToken);

    internal Task EndAsync(Utterance utterance, bool interruptIfLost, CancellationToken cancellationToken) =>
        _speaker.EndAsync(utterance, interruptIfLost, cancellationToken);

    private Task KeepAliveOnceAsync(CancellationToken cancellationToken) =>
        _options.Product == HeyGenProduct.InteractiveAvatar
            ? _options.RestKeepAlive!(cancellationToken)
            : _outbox.SendControlAsync(RealtimeEventTypes.SessionKeepAlive, null, cancellationToken).AsTask();

    private Task SendControlAsync(string type, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        return _outbox.SendControlAsync(type, null, cancellationToken).AsTask();
    }

    private void ThrowIfUnusable() => _state.ThrowIfUnusable();

    private async Task CloseCoreAsync()
    {
        _state.RequestClose();
        _keepAlive?.Dispose();
        if (_supervisor?.Current is { } connection) await connection.CloseAsync().ConfigureAwait(false);
        await _lifetime.CancelAsync().ConfigureAwait(false);
        if (_supervision is not null) await _supervision.ConfigureAwait(false);
        Shutdown(new ObjectDisposedException(nameof(HeyGenRealtimeClient), "The HeyGen realtime client is closed."), faulted: false);
    }

    /// <summary>Makes the client terminal: completes the queues (releasing queued buffers), the utterances and the readiness wait.</summary>
    private void Shutdown(Exception reason, bool faulted)
    {
        if (!_state.TryEnd(reason, faulted)) return;
        _keepAlive?.Dispose();
        _utterances.BreakAll(reason);
        _readiness.Cancel();
        _outbox.Complete(reason);
        _events.Complete(faulted ? reason : null);
        if (faulted && reason is HeyGenRealtimeException failure) Raise(Faulted, new RealtimeFaultedEventArgs(failure));
    }

    void IRealtimeSupervisorHost.OnConnectionLost(ConnectionEnd end, bool willReconnect)
    {
        _state.Reconnecting();
        _utterances.BreakInFlight(UtteranceSpeaker.Lost, utterance =>
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
        _state.Connected();
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

    void IRealtimeConnectionHost.OnMalformed(int length, string reason) => _inbox.OnMalformed(length, reason);

    void IRealtimeConnectionHost.OnMessage(ReadOnlyMemory<byte> utf8) => _events.OnMessage(utf8);

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
