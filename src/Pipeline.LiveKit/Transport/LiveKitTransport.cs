using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Frames;

namespace Pipeline.LiveKit;

/// <summary>
/// A LiveKit room as a pipeline transport: <see cref="Input"/> brings a participant's microphone into the pipeline,
/// <see cref="Output"/> publishes the pipeline's video and audio, and both share one <see cref="Room"/>.
/// </summary>
/// <remarks>
/// <para>
/// The room is joined once, by whichever comes first: <see cref="ConnectAsync"/>, or the <see cref="StartFrame"/>
/// reaching the input or the output. It is left exactly once: when every side created with <see cref="Input"/> or
/// <see cref="Output"/> is done (its <see cref="EndFrame"/> or <see cref="CancelFrame"/> passed, or the pipeline
/// disposed it), or when the transport is disposed, whichever comes first. Create both sides before the room is
/// joined: a side created later could miss the tracks and participants already there.
/// </para>
/// <para>
/// The participant listened to is <see cref="LiveKitTransportOptions.ParticipantIdentity"/>, or else the first
/// person (not an agent) in the room. Everyone joining and leaving is raised as <see cref="ParticipantJoined"/> and
/// <see cref="ParticipantLeft"/> (from the room's event task) and pushed by the input as
/// <see cref="ParticipantJoinedFrame"/>/<see cref="ParticipantLeftFrame"/>.
/// </para>
/// </remarks>
public sealed partial class LiveKitTransport : IAsyncDisposable, IOutputTransportLink
{
    private readonly LiveKitTransportOptions _options;
    private readonly ILogger _logger;
    private readonly UserParticipantSelector _selector;
    private readonly Func<Room, OutputMediaFormat, LiveKitTransportOptions, CancellationToken, Task<RoomOutputMedia>> _publish;
    private readonly object _gate = new();
    private LiveKitInputTransport? _input;
    private LiveKitOutputTransport? _output;
    private Task? _connecting;
    private RoomOutputMedia? _published;
    private int _openSides;
    private int _disconnects;
    private bool _disposed;

    /// <summary>Creates a transport; nothing connects until <see cref="ConnectAsync"/> or the pipeline starts.</summary>
    /// <param name="options">URL, token, whom to listen to, what to publish.</param>
    /// <param name="loggerFactory">Logging for the transport and its room.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range (the message names it).</exception>
    public LiveKitTransport(LiveKitTransportOptions options, ILoggerFactory? loggerFactory = null)
        : this(options, loggerFactory, RoomOutputMedia.PublishAsync)
    {
    }

    internal LiveKitTransport(
        LiveKitTransportOptions options,
        ILoggerFactory? loggerFactory,
        Func<Room, OutputMediaFormat, LiveKitTransportOptions, CancellationToken, Task<RoomOutputMedia>> publish)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<LiveKitTransport>();
        _publish = publish;
        _selector = new UserParticipantSelector(options.ParticipantIdentity, pickAnotherAfterLeave: !options.EndWhenParticipantLeaves);
        Room = new Room(loggerFactory);
        Room.ParticipantConnected += OnParticipantConnected;
        Room.ParticipantDisconnected += OnParticipantDisconnected;
        Room.TrackSubscribed += OnTrackSubscribed;
        Room.TrackUnsubscribed += OnTrackUnsubscribed;
        Room.Disconnected += OnDisconnected;
    }

    /// <summary>A participant joined the room, or was already there when it was joined (raised on the room's event task or the joining task).</summary>
    public event EventHandler<LiveKitParticipantEventArgs>? ParticipantJoined;

    /// <summary>A participant left the room (raised on the room's event task).</summary>
    public event EventHandler<LiveKitParticipantEventArgs>? ParticipantLeft;

    /// <summary>The room both sides share (for data messages, participants, or anything else the room offers).</summary>
    public Room Room { get; }

    /// <summary>The identity of the participant listened to, once chosen.</summary>
    public string? UserIdentity => _selector.User;

    /// <summary>How many times the room was left (0 or 1; for diagnostics and tests).</summary>
    internal int DisconnectCount => Volatile.Read(ref _disconnects);

    /// <summary>The input processor (the same instance on every call): put it first in the pipeline.</summary>
    /// <exception cref="InvalidOperationException">The room is already joined, or the transport disposed.</exception>
    public LiveKitInputTransport Input()
    {
        lock (_gate)
        {
            if (_input is null)
            {
                ThrowIfLate(nameof(Input));
                _input = new LiveKitInputTransport(this, _options);
                _openSides++;
            }

            return _input;
        }
    }

    /// <summary>The output processor (the same instance on every call): put it last in the pipeline.</summary>
    /// <exception cref="InvalidOperationException">The room is already joined, or the transport disposed.</exception>
    public LiveKitOutputTransport Output()
    {
        lock (_gate)
        {
            if (_output is null)
            {
                ThrowIfLate(nameof(Output));
                _output = new LiveKitOutputTransport(this, _options, "LiveKitOutputTransport");
                _openSides++;
            }

            return _output;
        }
    }

    /// <summary>
    /// Joins the room now (otherwise the pipeline's start does). Every call returns the same join; the first caller's
    /// token can abandon it.
    /// </summary>
    /// <exception cref="LiveKitException">The server refused or the join timed out (the message says which; never the token).</exception>
    public Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connecting ??= ConnectOnceAsync(cancellationToken);
        }
    }

    /// <summary>Leaves the room (if it has not been left yet) and releases everything the transport holds.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        await DisconnectOnceAsync("transport disposed").ConfigureAwait(false);
    }

    async Task<IOutputMediaSink> IOutputTransportLink.OpenOutputAsync(OutputMediaFormat format, CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        RoomOutputMedia published = await _publish(Room, format, _options, cancellationToken).ConfigureAwait(false);
        bool late;
        lock (_gate)
        {
            late = _disposed || _disconnects > 0;
            if (!late)
            {
                _published = published;
            }
        }

        if (late)
        {
            published.Dispose();
            throw new ObjectDisposedException(nameof(LiveKitTransport), "The transport left the room while the output was publishing.");
        }

        return published;
    }

    ValueTask IOutputTransportLink.ReleaseOutputAsync() => ReleaseSideAsync();

    /// <summary>One side is done with the room; the last one leaves it.</summary>
    internal ValueTask ReleaseSideAsync()
    {
        lock (_gate)
        {
            if (--_openSides > 0)
            {
                return default;
            }
        }

        return DisconnectOnceAsync("both sides done");
    }

    private async Task ConnectOnceAsync(CancellationToken cancellationToken)
    {
        await Room.ConnectAsync(_options.Url!, _options.Token!, _options.Room, cancellationToken).ConfigureAwait(false);
        // The room raises no join event for participants already there: choose among them now (a track subscription
        // may have chosen first) and report them as joined, so a pipeline sees everyone the same way.
        foreach (RemoteParticipant participant in Room.RemoteParticipants)
        {
            bool isUser = _selector.Select(participant.Identity, participant.Kind);
            ParticipantJoined?.Invoke(this, new LiveKitParticipantEventArgs(participant.Identity, isUser));
            _input?.OnParticipantJoined(participant.Identity, isUser);
        }

        LogJoined(Room.Name, UserIdentity ?? "(nobody yet)");
    }

    private async ValueTask DisconnectOnceAsync(string why)
    {
        RoomOutputMedia? published;
        lock (_gate)
        {
            if (_disconnects > 0)
            {
                return;
            }

            _disconnects = 1;
            published = _published;
            _published = null;
        }

        if (_connecting is not null)
        {
            LogLeaving(Room.Name, why);
        }

        // Leaving releases the room's handles (and with them its publications); the local tracks and sources are ours.
        await Room.DisposeAsync().ConfigureAwait(false);
        published?.Dispose();
    }

    private void ThrowIfLate(string side)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_connecting is not null)
        {
            throw new InvalidOperationException(
                $"LiveKitTransport.{side}() was called after the room was joined: create Input() and Output() before connecting (or starting the pipeline), so neither misses what is already in the room.");
        }
    }

    private void OnParticipantConnected(object? sender, ParticipantConnectedEventArgs e)
    {
        bool isUser = _selector.Select(e.Participant.Identity, e.Participant.Kind);
        ParticipantJoined?.Invoke(this, new LiveKitParticipantEventArgs(e.Participant.Identity, isUser));
        _input?.OnParticipantJoined(e.Participant.Identity, isUser);
    }

    private void OnParticipantDisconnected(object? sender, ParticipantDisconnectedEventArgs e)
    {
        bool wasUser = _selector.Leave(e.Identity);
        ParticipantLeft?.Invoke(this, new LiveKitParticipantEventArgs(e.Identity, wasUser, e.Reason));
        _input?.OnParticipantLeft(e.Identity, wasUser, e.Reason);
    }

    private void OnTrackSubscribed(object? sender, TrackSubscribedEventArgs e)
    {
        if (e.Track.Kind != TrackKind.Audio || e.Publication?.Source is TrackSource.Camera or TrackSource.ScreenShare or TrackSource.ScreenShareAudio)
        {
            return;
        }

        RemoteParticipant? participant = Room.GetParticipant(e.Track.ParticipantIdentity);
        if (participant is not null && _selector.Select(participant.Identity, participant.Kind))
        {
            _input?.OnMicrophone(e.Track);
        }
    }

    private void OnTrackUnsubscribed(object? sender, TrackUnsubscribedEventArgs e) => _input?.OnTrackGone(e.TrackSid);

    private void OnDisconnected(object? sender, RoomDisconnectedEventArgs e)
    {
        if (Volatile.Read(ref _disconnects) == 0)
        {
            LogClosedByServer(Room.Name, e.Reason);
            _input?.OnRoomClosed(e.Reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "LiveKit transport joined room {Room}; listening to {User}")]
    private partial void LogJoined(string room, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "LiveKit transport leaving room {Room}: {Why}")]
    private partial void LogLeaving(string room, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LiveKit room {Room} disconnected by the server ({Reason})")]
    private partial void LogClosedByServer(string room, DisconnectReason reason);
}
