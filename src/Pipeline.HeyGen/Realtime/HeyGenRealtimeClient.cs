using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
/// that send no acknowledgement. A drop abandons every utterance in flight: <see cref="AudioLost"/> is raised once
/// for it, its queued messages (chunks and <c>speak_end</c>) are dropped, further <see cref="SpeakAsync"/> calls for it
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
/// await avatar.WaitUntilReadyAsync(ct);
/// await avatar.SpeakAsync(pcm24kMono, utteranceId, ct);   // as often as TTS audio arrives
/// await avatar.SpeakEndAsync(utteranceId, ct);
/// await avatar.InterruptAsync(utteranceId, ct);            // when the user barges in
/// </code>
/// </example>
public sealed partial class HeyGenRealtimeClient : IAsyncDisposable
{
    /// <summary>Sample rate of the audio the service takes, in Hz (16-bit mono PCM).</summary>
    public const int SampleRate = 24_000;

    private readonly HeyGenRealtimeOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RealtimeMessageWriter _writer = new();
    private readonly Channel<OutboundMessage> _outbound;
    private readonly Channel<RealtimeServerEvent> _events;
    // Utterances open for SpeakAsync, by id (until SpeakEndAsync or InterruptAsync).
    private readonly ConcurrentDictionary<string, Utterance> _utterances = new(StringComparer.Ordinal);

    // Utterances with audio handed over whose speak_end has not been sent yet: the ones a dropped connection breaks.
    private readonly ConcurrentDictionary<Utterance, byte> _inFlight = new();
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationToken _stopping;
    private readonly Lock _closeLock = new();
    private Task? _closeTask;
    private volatile bool _readinessAssumed;
    private long _malformedCount;
    private long _unknownCount;
    private long _keepAliveCount;
    private long _keepAliveFailureCount;

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

    /// <summary>An utterance was in flight when the connection dropped; its remaining audio is not sent.</summary>
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
    public long KeepAliveCount => Interlocked.Read(ref _keepAliveCount);

    /// <summary>Keep-alives that failed (logged as warnings).</summary>
    public long KeepAliveFailureCount => Interlocked.Read(ref _keepAliveFailureCount);

    /// <summary>
    /// Waits until the service says <c>session.state_updated: connected</c>, at most
    /// <see cref="HeyGenRealtimeOptions.ReadyTimeout"/>. <see cref="SpeakAsync"/> does this itself before its first send.
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
    public async Task SpeakAsync(ReadOnlyMemory<byte> pcm24kMono, string utteranceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(utteranceId);
        if (pcm24kMono.Length % PcmFormat.BytesPerSample != 0)
            throw new ArgumentException("16-bit PCM must have an even number of bytes.", nameof(pcm24kMono));
        ThrowIfUnusable();
        if (pcm24kMono.IsEmpty) return;
        var maxChunk = Math.Min(
            PcmFormat.BytesFor(_options.SpeakChunkDuration, SampleRate),
            RealtimeMessageWriter.MaxAudioBytesPerMessage(_options.MaxMessageBytes, utteranceId.Length));
        if (maxChunk < PcmFormat.BytesPerSample)
            throw new ArgumentException("The utterance id is too long to fit a message.", nameof(utteranceId));

        if (!_ready.Task.IsCompletedSuccessfully && !_readinessAssumed)
            await WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);

        var utterance = _utterances.GetOrAdd(utteranceId, static (id, self) =>
            new Utterance(id, new UtterancePacer(self._time, self._options.UnpacedBurst, self._options.PaceToRealTime)), this);
        if (utterance.IsBroken) throw UtteranceLost(utterance);
        if (utterance.IsInterrupted) return;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, utterance.DiscardedToken);
        try
        {
            for (var offset = 0; offset < pcm24kMono.Length;)
            {
                var size = Math.Min(maxChunk, pcm24kMono.Length - offset);
                var duration = PcmFormat.DurationOf(size, SampleRate);
                var delay = utterance.Pacer.DelayBefore(duration);
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _time, stop.Token).ConfigureAwait(false);
                var message = _writer.WriteSpeak(utteranceId, pcm24kMono.Span.Slice(offset, size), utterance);
                await EnqueueAsync(message, stop.Token).ConfigureAwait(false);
                _inFlight.TryAdd(utterance, 0);
                utterance.Pacer.OnSent(duration);
                Interlocked.Add(ref utterance.BytesSubmitted, size);
                offset += size;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && utterance.IsDiscarded)
        {
            ThrowIfUnusable();
            if (utterance.IsBroken) throw UtteranceLost(utterance);
        }
    }

    /// <summary>
    /// Sends <c>agent.speak_end</c> for the utterance, so the avatar finishes it. The id may be reused afterwards.
    /// </summary>
    /// <remarks>For an utterance lost to a dropped connection this forgets it and sends nothing. The utterance stays in
    /// flight (see the class remarks and <see cref="AudioLost"/>) until the service acknowledges its end.</remarks>
    public async Task SpeakEndAsync(string utteranceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(utteranceId);
        ThrowIfUnusable();
        _utterances.TryRemove(utteranceId, out var utterance);
        if (utterance is { IsBroken: true }) return;
        await EnqueueAsync(_writer.WriteControl(RealtimeEventTypes.AgentSpeakEnd, utteranceId, utterance), cancellationToken).ConfigureAwait(false);
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
        if (utteranceId is not null && _utterances.TryRemove(utteranceId, out var utterance))
        {
            utterance.Interrupt();
            _inFlight.TryRemove(utterance, out _);
        }

        await EnqueueAsync(_writer.WriteControl(RealtimeEventTypes.AgentInterrupt, utteranceId), cancellationToken).ConfigureAwait(false);
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
            $"The connection dropped while utterance '{utterance.Id}' was being sent; the rest of it is not sent (see AudioLost).");

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
