using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Pipeline.LiveKit;

/// <summary>
/// A LiveKit room joined through the native engine. Subscribe to its events first, then <see cref="ConnectAsync"/>.
/// Events are raised in order from the room's own task, never from a native thread; an exception thrown by a
/// handler is logged and does not stop the room. Disposing leaves the room and releases every native handle it owns.
/// </summary>
public sealed partial class Room : IAsyncDisposable, IFfiEventSink
{
    private readonly object _gate = new();
    private readonly Dictionary<string, RemoteParticipant> _participants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RemoteTrack> _tracks = new(StringComparer.Ordinal);
    private readonly Channel<FfiEvent> _events = Channel.CreateUnbounded<FfiEvent>(new UnboundedChannelOptions { SingleReader = false });
    private readonly TaskCompletionSource _endOfEvents = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private readonly ByteStreamDispatcher _byteStreams;
    private FfiClient? _client;
    private FfiHandle? _roomHandle;
    private LocalParticipant? _localParticipant;
    private RoomConnectOptions _options = new();
    private string? _token;
    private Task _pump = Task.CompletedTask;
    private int _state; // 0 new, 1 connecting, 2 connected, 3 disposed

    // The room whose event handler is running in this flow (it follows awaits): leaving from a handler must not
    // wait for the task that is running the handler.
    private static readonly AsyncLocal<Room?> s_raising = new();

    /// <summary>Creates a room that is not connected yet.</summary>
    public Room(ILoggerFactory? loggerFactory = null)
    {
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<Room>();
        _byteStreams = new ByteStreamDispatcher(_logger);
    }

    /// <summary>A participant joined.</summary>
    public event EventHandler<ParticipantConnectedEventArgs>? ParticipantConnected;

    /// <summary>A participant left.</summary>
    public event EventHandler<ParticipantDisconnectedEventArgs>? ParticipantDisconnected;

    /// <summary>A participant published a track.</summary>
    public event EventHandler<TrackPublishedEventArgs>? TrackPublished;

    /// <summary>A participant unpublished a track.</summary>
    public event EventHandler<TrackUnpublishedEventArgs>? TrackUnpublished;

    /// <summary>A remote track was subscribed: open streams on it here.</summary>
    public event EventHandler<TrackSubscribedEventArgs>? TrackSubscribed;

    /// <summary>A remote track was unsubscribed: dispose its streams here (the track is released after the handlers).</summary>
    public event EventHandler<TrackUnsubscribedEventArgs>? TrackUnsubscribed;

    /// <summary>A participant's attributes changed (ours included); raised after its <c>Attributes</c> were updated.</summary>
    public event EventHandler<ParticipantAttributesChangedEventArgs>? ParticipantAttributesChanged;

    /// <summary>A participant sent a data message to us (or to everyone).</summary>
    public event EventHandler<DataReceivedEventArgs>? DataReceived;

    /// <summary>The connection state changed.</summary>
    public event EventHandler<ConnectionStateChangedEventArgs>? ConnectionStateChanged;

    /// <summary>The connection was lost and the engine is reconnecting.</summary>
    public event EventHandler? Reconnecting;

    /// <summary>The engine reconnected.</summary>
    public event EventHandler? Reconnected;

    /// <summary>The room disconnected (the server closed it, or <see cref="DisconnectAsync"/>).</summary>
    public event EventHandler<RoomDisconnectedEventArgs>? Disconnected;

    /// <summary>The room's name.</summary>
    public string Name { get; private set; } = "";

    /// <summary>The room's server id (may arrive shortly after connecting).</summary>
    public string Sid { get; private set; } = "";

    /// <summary>The connection state.</summary>
    public RoomConnectionState ConnectionState { get; private set; }

    /// <summary>A snapshot of the other participants.</summary>
    public IReadOnlyList<RemoteParticipant> RemoteParticipants
    {
        get
        {
            lock (_gate)
            {
                return [.. _participants.Values];
            }
        }
    }

    /// <summary>Completes when the room's event stream has ended (after a disconnect from either side).</summary>
    public Task Completion => _endOfEvents.Task;

    /// <summary>Finds a participant by identity.</summary>
    public RemoteParticipant? GetParticipant(string identity)
    {
        lock (_gate)
        {
            return _participants.GetValueOrDefault(identity);
        }
    }

    /// <summary>Joins the room.</summary>
    /// <param name="url">The server URL (<c>wss://…</c> or <c>ws://…</c>).</param>
    /// <param name="token">The access token. Never logged; redacted from the engine's logs.</param>
    /// <param name="options">Join options.</param>
    /// <param name="cancellationToken">Abandons the join.</param>
    /// <exception cref="LiveKitException">The server refused or the join timed out (the message says which).</exception>
    public async Task ConnectAsync(Uri url, string token, RoomConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("A Room connects once; create a new Room to join again.");
        }

        _options = options ?? new RoomConnectOptions();
        _client = FfiClient.Instance;
        _token = token;
        _client.Logs.AddSecret(token);
        LogConnecting(url, _options.ConnectTimeout.TotalMilliseconds);
        var started = System.Diagnostics.Stopwatch.StartNew();

        using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        FfiEvent callback;
        try
        {
            FfiResponse response = _client.Request(new FfiRequest
            {
                Connect = new ConnectRequest
                {
                    Url = url.ToString(),
                    Token = token,
                    Options = new Protocol.RoomOptions
                    {
                        AutoSubscribe = _options.AutoSubscribe,
                        JoinRetries = (uint)Math.Max(0, _options.JoinRetries),
                        AdaptiveStream = false,
                        Dynacast = false,
                    },
                },
            });

            callback = await _client.WaitForCallbackAsync(response.Connect.AsyncId, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Forget();
            throw new LiveKitException($"Joining the room at {url} timed out after {_options.ConnectTimeout.TotalMilliseconds:0} ms.", new TimeoutException(e.Message, e));
        }
        catch
        {
            Forget();
            throw;
        }

        ConnectCallback connect = callback.Connect;
        if (connect.MessageCase != ConnectCallback.MessageOneofCase.Result)
        {
            Forget();
            throw new LiveKitException($"Could not join the room at {url}: {_client.Logs.Redact(connect.Error)}");
        }

        ConnectCallback.Types.Result result = connect.Result;
        _roomHandle = FfiHandle.Own(result.Room.Handle);
        _localParticipant = new LocalParticipant(result.LocalParticipant, _logger);
        Name = result.Room.Info.Name;
        Sid = result.Room.Info.Sid;
        LocalIdentity = result.LocalParticipant.Info.Identity;
        ConnectionState = RoomConnectionState.Connected;
        lock (_gate)
        {
            foreach (ConnectCallback.Types.ParticipantWithTracks present in result.Participants)
            {
                var participant = new RemoteParticipant(present.Participant);
                foreach (OwnedTrackPublication publication in present.Publications)
                {
                    participant.AddPublication(new TrackPublication(publication));
                }

                _participants[participant.Identity] = participant;
            }
        }

        Volatile.Write(ref _state, 2);
        _pump = Task.Run(PumpEventsAsync, CancellationToken.None);
        _client.Router.Register(_roomHandle.Id, this);
        LogConnected(Name, result.Participants.Count, started.ElapsedMilliseconds);
    }

    /// <summary>Our own identity in the room.</summary>
    public string LocalIdentity { get; private set; } = "";

    /// <summary>This process in the room (its identity and publications); <see langword="null"/> until connected.</summary>
    public LocalParticipant? LocalParticipant => _localParticipant;

    /// <summary>
    /// Publishes a local track to the room. Completes when the server has accepted it (the other participants are
    /// told and can subscribe).
    /// </summary>
    /// <param name="track">The track (a <see cref="LocalVideoTrack"/> or <see cref="LocalAudioTrack"/>).</param>
    /// <param name="options">Source, codec and encoding; the default publishes video as a camera (VP8, no simulcast) and audio as a microphone.</param>
    /// <param name="cancellationToken">Stops waiting; a publication that completes anyway is taken down again.</param>
    /// <returns>The publication, to pass to <see cref="UnpublishTrackAsync"/>.</returns>
    /// <exception cref="InvalidOperationException">The room is not connected.</exception>
    /// <exception cref="ObjectDisposedException">The room was disposed (before or while publishing).</exception>
    /// <exception cref="LiveKitException">The engine or the server refused the track (the message says why).</exception>
    public Task<LocalTrackPublication> PublishTrackAsync(LocalTrack track, TrackPublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(track);
        options ??= new TrackPublishOptions();
        TrackPublishOptions.Validate(options, track.Kind);
        return Publisher($"publish the {track.Kind.ToString().ToLowerInvariant()} track '{track.Name}'").PublishTrackAsync(track, options, cancellationToken);
    }

    /// <summary>Unpublishes a track this room published; the other participants see it unpublished. A second call does nothing.</summary>
    /// <param name="publication">What <see cref="PublishTrackAsync"/> returned.</param>
    /// <param name="cancellationToken">Stops waiting (the publication is released and the engine finishes unpublishing).</param>
    /// <exception cref="ArgumentException">The publication belongs to another room.</exception>
    /// <exception cref="LiveKitException">The engine could not unpublish it.</exception>
    public Task UnpublishTrackAsync(LocalTrackPublication publication, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publication);
        if (publication.Owner != _localParticipant)
        {
            throw new ArgumentException($"{publication} was published by another room.", nameof(publication));
        }

        // After the room closed there is nothing left to unpublish: its publications went with it.
        return publication.Owner.IsClosed ? Task.CompletedTask : publication.Owner.UnpublishTrackAsync(publication, cancellationToken);
    }

    /// <summary>Sends a data message to the other participants (or to some of them).</summary>
    /// <param name="data">The payload (copied before this returns its task; up to about 15 KiB for reliable delivery).</param>
    /// <param name="topic">A topic receivers can filter on, or <see langword="null"/>.</param>
    /// <param name="reliable">Ordered and retransmitted (default) or lossy (latest-wins data such as cursor positions).</param>
    /// <param name="destinationIdentities">Only these participants; <see langword="null"/> or empty for everyone.</param>
    /// <param name="cancellationToken">Stops waiting for the engine's acknowledgement.</param>
    /// <exception cref="InvalidOperationException">The room is not connected.</exception>
    /// <exception cref="LiveKitException">The engine could not send it.</exception>
    public Task PublishDataAsync(
        ReadOnlyMemory<byte> data, string? topic = null, bool reliable = true, IReadOnlyCollection<string>? destinationIdentities = null, CancellationToken cancellationToken = default)
    {
        if (data.IsEmpty)
        {
            throw new ArgumentException("A data message needs at least one byte.", nameof(data));
        }

        return Publisher("send a data message").PublishDataAsync(data, topic, reliable, destinationIdentities, cancellationToken);
    }

    /// <summary>
    /// Handles incoming byte streams on <paramref name="topic"/> (may be called before connecting). Each stream runs
    /// <paramref name="handler"/> on the thread pool; read it there (<see cref="ByteStreamReader.ReadChunksAsync"/>):
    /// the reader is released when the handler's task ends. Streams on topics without a handler are dropped.
    /// </summary>
    /// <param name="topic">The topic, for example <c>lk.audio_stream</c>.</param>
    /// <param name="handler">Reads one stream; an exception it throws is logged.</param>
    /// <exception cref="InvalidOperationException">A handler for the topic is already registered.</exception>
    public void RegisterByteStreamHandler(string topic, Func<ByteStreamReader, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        _byteStreams.Register(topic, handler);
    }

    /// <summary>Stops handling new byte streams on <paramref name="topic"/> (running handlers carry on). Unknown topics are ignored.</summary>
    /// <param name="topic">The topic.</param>
    public void UnregisterByteStreamHandler(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        _byteStreams.Unregister(topic);
    }

    private LocalParticipant Publisher(string action)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _state) == 3, this);
        if (Volatile.Read(ref _state) != 2 || _localParticipant is not { } local)
        {
            throw new InvalidOperationException($"Cannot {action}: the room is not connected. Call ConnectAsync first.");
        }

        if (ConnectionState == RoomConnectionState.Disconnected)
        {
            throw new InvalidOperationException($"Cannot {action}: the room has disconnected. Join again with a new Room.");
        }

        return local;
    }

    /// <summary>Leaves the room and waits (bounded by <see cref="RoomConnectOptions.DisconnectTimeout"/>) for its events to end.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        if (_roomHandle is not { IsClosed: false } roomHandle || _client is null || Volatile.Read(ref _state) != 2)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_options.DisconnectTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            FfiResponse response = _client.Request(new FfiRequest { Disconnect = new DisconnectRequest { RoomHandle = roomHandle.Id } });
            await _client.WaitForCallbackAsync(response.Disconnect.AsyncId, linked.Token).ConfigureAwait(false);
            if (s_raising.Value != this)
            {
                await _endOfEvents.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogSlowDisconnect(_options.DisconnectTimeout.TotalMilliseconds);
        }
        catch (LiveKitException e)
        {
            LogDisconnectFailed(e.Message);
        }
    }

    /// <summary>Leaves the room (if connected) and releases every handle it owns.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) == 3)
        {
            return;
        }

        // Pending publishes stop waiting first; their late callbacks are released by the client.
        _localParticipant?.Close();
        _byteStreams.Close();
        await DisconnectAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _state, 3) == 3)
        {
            return;
        }

        if (_roomHandle is not null && _client is not null)
        {
            _client.Router.Unregister(_roomHandle.Id);
        }

        _events.Writer.TryComplete();
        if (s_raising.Value != this)
        {
            await _pump.ConfigureAwait(false);
        }
        while (_events.Reader.TryRead(out FfiEvent? unhandled))
        {
            FfiEventHandles.Release(unhandled);
        }

        lock (_gate)
        {
            foreach (RemoteTrack track in _tracks.Values)
            {
                track.Release();
            }

            foreach (RemoteParticipant participant in _participants.Values)
            {
                participant.Release();
            }

            _tracks.Clear();
            _participants.Clear();
        }

        _roomHandle?.Dispose();
        ConnectionState = RoomConnectionState.Disconnected;
        _endOfEvents.TrySetResult();
        Forget();
    }

    void IFfiEventSink.Post(FfiEvent ffiEvent)
    {
        if (!_events.Writer.TryWrite(ffiEvent))
        {
            FfiEventHandles.Release(ffiEvent);
        }
    }

    private void Forget()
    {
        if (_token is not null)
        {
            _client?.Logs.ForgetSecret(_token);
            _token = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Joining LiveKit room at {Url} (timeout {TimeoutMs} ms)")]
    private partial void LogConnecting(Uri url, double timeoutMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined LiveKit room {Room} with {Participants} other participant(s) in {ElapsedMs} ms")]
    private partial void LogConnected(string room, int participants, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leaving the room took longer than {TimeoutMs} ms; releasing its handles anyway")]
    private partial void LogSlowDisconnect(double timeoutMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leaving the room failed: {Reason}")]
    private partial void LogDisconnectFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to track {TrackSid} of {Identity} failed: {Error}")]
    private partial void LogSubscriptionFailed(string trackSid, string identity, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A room event handler for {EventType} threw; the room carries on")]
    private partial void LogHandlerFailed(Exception error, string eventType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling the room event {EventCase} failed")]
    private partial void LogEventFailed(Exception error, string eventCase);
}
