using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Diagnostics;
using Pipeline.HeyGen.Realtime;
using Pipeline.HeyGen.Realtime.Events;

namespace Pipeline.HeyGen.Video;

/// <summary>
/// A HeyGen avatar session (Interactive Avatar or LiveAvatar) behind the provider-neutral <see cref="IAvatarSession"/>:
/// the REST session, the realtime websocket and the media room, opened in that order and closed exactly once, in
/// reverse, whatever failed. In direct-room mode there is no media room to join: the avatar publishes into the user's
/// room, described by <see cref="RoomAccess"/>.
/// </summary>
internal sealed class HeyGenAvatarSession : IAvatarSession
{
    private readonly BaseAvatarApi _api;
    private readonly HeyGenVideoServiceOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HeyGenMetrics _metrics;
    private readonly Channel<AvatarEvent> _events = Channel.CreateUnbounded<AvatarEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _closeLock = new();
    private StandardSessionResponse? _info;
    private HeyGenRealtimeClient? _realtime;
    private IAvatarMediaSession? _media;
    private Task _eventPump = Task.CompletedTask;
    private Task<IReadOnlyList<AvatarError>>? _closeTask;
    private volatile bool _closing;
    private ITimer? _mediaWatch;
    private int _mediaSeen;

    private HeyGenAvatarSession(BaseAvatarApi api, HeyGenVideoServiceOptions options, AvatarSessionContext context)
    {
        _api = api;
        _options = options;
        _logger = context.LoggerFactory.CreateLogger<HeyGenAvatarSession>();
        _time = context.TimeProvider;
        _metrics = HeyGenMetrics.For(context.MeterFactory);
    }

    public string Id => _info?.SessionId ?? "(not opened)";

    public int SpeechSampleRate => HeyGenRealtimeClient.SampleRate;

    public bool SupportsListening => true;

    public IReadOnlyList<IAsyncEnumerable<Frame>> Media { get; private set; } = [];

    public AvatarRoomAccess? RoomAccess { get; private set; }

    /// <summary>Opens the REST session, the realtime websocket and the room; on any failure closes what was opened.</summary>
    public static async ValueTask<IAvatarSession> OpenAsync(
        BaseAvatarApi api, IAvatarMediaConnector? connector, HeyGenVideoServiceOptions options, AvatarSessionContext context,
        CancellationToken cancellationToken)
    {
        var session = new HeyGenAvatarSession(api, options, context);
        bool direct = options.MediaMode == AvatarMediaMode.DirectRoom;
        string step = "find the media engine";
        try
        {
            // Before any REST call: a missing engine (e.g. LiveKit's native library) must not cost a billed session.
            if (!direct)
            {
                await connector!.EnsureAvailableAsync(cancellationToken).ConfigureAwait(false);
            }

            step = "open the session";
            StandardSessionResponse info = session._info = await api.NewSessionAsync(options.SessionRequest, cancellationToken).ConfigureAwait(false);
            session._logger.LogInformation("HeyGen session {SessionId} opened", info.SessionId);
            string identity = AvatarIdentityResolver.Resolve(options);
            if (direct)
            {
                // Before the websocket: a session that gives the user no way into its room is of no use.
                step = "hand out the avatar's room";
                session.RoomAccess = DirectRoomRules.AccessFor(options, info, identity);
            }

            step = "connect the realtime websocket";
            session._realtime = new HeyGenRealtimeClient(
                session.CreateRealtimeOptions(info), context.LoggerFactory.CreateLogger<HeyGenRealtimeClient>(), context.TimeProvider);
            session._realtime.Reconnected += session.OnReconnected;
            session._realtime.Faulted += session.OnRealtimeFaulted;
            await session._realtime.ConnectAsync(new Uri(info.WebSocketUrl), cancellationToken).ConfigureAwait(false);
            session._eventPump = session.PumpEventsAsync(session._realtime);

            if (session.RoomAccess is not null)
            {
                session._logger.LogInformation(
                    "HeyGen session {SessionId}: direct-room mode, the avatar publishes into {Room} as '{Identity}'; the bot does not join it",
                    info.SessionId, session.RoomAccess.Url.GetLeftPart(UriPartial.Path), session.RoomAccess.AvatarIdentity);
                return session;
            }

            step = "join the avatar's room";
            session._media = await JoinRoomAsync(connector!, options, info, identity, context, cancellationToken).ConfigureAwait(false);
            session._media.ParticipantLeft += session.OnParticipantLeft;
            session.Media = [session.ReadVideoAsync(session._media, CancellationToken.None), session.ReadAudioAsync(session._media, CancellationToken.None)];
            session.WatchForAvatarMedia(identity);
            return session;
        }
        catch (Exception ex)
        {
            IReadOnlyList<AvatarError> closeErrors = await session.CloseAsync($"failed to {step}").ConfigureAwait(false);
            await session.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            string also = closeErrors.Count == 0 ? string.Empty : $" (closing what was opened failed too: {string.Join("; ", closeErrors.Select(e => e.Message))})";
            throw new AvatarStartException(step, also.Length == 0 ? ex : new HeyGenStartFailure(ex.Message + also, ex));
        }
    }

    public IAvatarUtterance BeginUtterance(string id) => _realtime!.BeginUtterance(id, _options.FirstChunk);

    public async ValueTask InterruptAsync(CancellationToken cancellationToken) =>
        await _realtime!.InterruptAllAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask SetListeningAsync(bool listening, CancellationToken cancellationToken)
    {
        Task sent = listening ? _realtime!.StartListeningAsync(cancellationToken) : _realtime!.StopListeningAsync(cancellationToken);
        await sent.ConfigureAwait(false);
    }

    public IAsyncEnumerable<AvatarEvent> ReadEventsAsync(CancellationToken cancellationToken) => _events.Reader.ReadAllAsync(cancellationToken);

    public Task<IReadOnlyList<AvatarError>> CloseAsync(string reason)
    {
        lock (_closeLock)
        {
            return _closeTask ??= CloseCoreAsync(reason);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync("session disposed").ConfigureAwait(false);
        _stop.Dispose();
    }

    private static async Task<IAvatarMediaSession> JoinRoomAsync(
        IAvatarMediaConnector connector, HeyGenVideoServiceOptions options, StandardSessionResponse info, string avatarIdentity,
        AvatarSessionContext context, CancellationToken cancellationToken)
    {
        // A room of your own (LiveAvatar livekit_config): the session hands out no room URL, and the bot joins with its own token.
        CustomLiveKitConfig? ownRoom = (options.SessionRequest as LiveAvatarNewSessionRequest)?.LiveKitConfig;
        string? url = string.IsNullOrEmpty(info.LiveKitUrl) ? ownRoom?.LiveKitUrl : info.LiveKitUrl;
        string? token = options.RoomToken ?? (options.ConnectAsUser ? info.AccessToken : info.LiveKitAgentToken);
        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(token))
        {
            throw new InvalidOperationException(ownRoom is null
                ? $"The session has no room URL or no {(options.ConnectAsUser ? "client" : "agent")} token to join it with."
                : "The avatar joins your own room (livekit_config): set HeyGenVideoServiceOptions.RoomToken to a token the bot joins that room with.");
        }

        using var timeout = new CancellationTokenSource(options.MediaConnectTimeout, context.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var request = new AvatarMediaConnectRequest(new Uri(url), token, avatarIdentity)
        {
            VideoFormat = options.VideoFormat,
            FramePool = options.FramePool,
            AudioSampleRate = options.AudioSampleRate ?? context.OutputSampleRate,
            AudioChannels = options.AudioChannels,
            ConnectTimeout = options.MediaConnectTimeout,
        };
        try
        {
            return await connector.ConnectAsync(request, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new AvatarMediaException($"Joining the avatar's room timed out after {options.MediaConnectTimeout.TotalSeconds:F0} s.");
        }
    }

    private HeyGenRealtimeOptions CreateRealtimeOptions(StandardSessionResponse info)
    {
        string sessionId = info.SessionId;
        HeyGenRealtimeOptions options = _options.Realtime.Clone();
        options.SpeakChunkDuration = _options.Chunk;
        options.KnownSecrets = [.. options.KnownSecrets, .. new[]
        {
            info.AccessToken, info.LiveKitAgentToken, _options.RoomToken,
            (_options.SessionRequest as LiveAvatarNewSessionRequest)?.LiveKitConfig?.LiveKitClientToken,
        }.OfType<string>()];
        options.Product = _options.Product ?? (_api is LiveAvatarApi ? HeyGenProduct.LiveAvatar : HeyGenProduct.InteractiveAvatar);
        // The keep-alive follows the idle timeout the session was created with: a fixed interval derived from the
        // product default (120 s) lets a session asked for a shorter timeout die between two keep-alives.
        if (options.IdleTimeout is null && _options.SessionRequest is NewSessionRequest { ActivityIdleTimeout: { } idleSeconds })
        {
            options.IdleTimeout = TimeSpan.FromSeconds(idleSeconds);
        }

        if (options.RestKeepAlive is null && _api.SupportsKeepAlive)
        {
            options.RestKeepAlive = async ct =>
            {
                try
                {
                    await _api.KeepAliveAsync(sessionId, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException && !_closing)
                {
                    // Not fatal (the next keep-alive may get through), but the pipeline must hear of it: HeyGen ends
                    // the session after its idle timeout if none does.
                    _events.Writer.TryWrite(new AvatarError(
                        $"Keep-alive of HeyGen session {sessionId} failed; HeyGen ends the session after its idle timeout unless a later one succeeds: {ex.Message}", Exception: ex));
                    throw;
                }
            };
        }
        else if (options.Product == HeyGenProduct.InteractiveAvatar && options.RestKeepAlive is null && options.KeepAliveEnabled)
        {
            _logger.LogWarning("{Api} has no REST keep-alive; the session may end after its idle timeout while nobody speaks", _api.GetType().Name);
            options.KeepAliveEnabled = false;
        }

        return options;
    }

    // The realtime events that matter to a pipeline, in provider-neutral words. Utterance bookkeeping is not here: each
    // utterance's own completion says how it ended.
    private async Task PumpEventsAsync(HeyGenRealtimeClient realtime)
    {
        try
        {
            await foreach (RealtimeServerEvent serverEvent in realtime.ReadEventsAsync(_stop.Token).ConfigureAwait(false))
            {
                AvatarEvent? translated = serverEvent switch
                {
                    AgentSpeakStartedEvent => new AvatarStartedSpeaking(),
                    AgentStateUpdatedEvent { NewState: AvatarAgentState.Talking } => new AvatarStartedSpeaking(),
                    AgentSpeakEndedEvent or AgentSpeakInterruptedEvent or AgentStateUpdatedEvent => new AvatarStoppedSpeaking(),
                    RealtimeErrorEvent error => new AvatarError($"HeyGen reported an error: {error.ErrorType ?? "error"}: {error.Message ?? error.Code ?? "no details"}"),
                    RealtimeWarningEvent warning => new AvatarWarning($"HeyGen warning: {warning.Message}"),
                    SessionStateUpdatedEvent { State: AvatarSessionState.Closed or AvatarSessionState.Closing } when !_closing =>
                        new AvatarError("HeyGen closed the avatar session.", Fatal: true),
                    _ => null,
                };
                if (translated is not null)
                {
                    _events.Writer.TryWrite(translated);
                }
            }
        }
        catch (HeyGenRealtimeException ex) when (!_closing)
        {
            _events.Writer.TryWrite(new AvatarError($"The avatar's realtime connection failed: {ex.Message}", Fatal: true, ex));
        }
        catch (Exception ex) when (ex is OperationCanceledException or HeyGenRealtimeException)
        {
            // Closing.
        }
    }

    // Waiting silently for an avatar that never shows (a wrong identity, tracks never published) looks like a hang:
    // say after a bound which identity was waited for and what to check.
    private void WatchForAvatarMedia(string identity) =>
        _mediaWatch = _time.CreateTimer(_ =>
        {
            if (Volatile.Read(ref _mediaSeen) != 0 || _closing) return;
            _events.Writer.TryWrite(new AvatarError(
                $"No video or audio from the avatar participant '{identity}' within {_options.AvatarMediaTimeout.TotalSeconds:F0} s of joining the room. " +
                "Check that the avatar joined and published its tracks (HeyGen's session may have failed to start), and, with a room of your own " +
                "(livekit_config), that the avatar's token carries this identity or set HeyGenVideoServiceOptions.AvatarIdentity."));
        }, null, _options.AvatarMediaTimeout, Timeout.InfiniteTimeSpan);

    private void OnMediaArrived()
    {
        if (Interlocked.Exchange(ref _mediaSeen, 1) == 0)
        {
            _mediaWatch?.Dispose();
        }
    }

    // A video frame travels on in the room's pooled buffer (its reference moves into the OutputImageRawFrame: no copy,
    // no allocation but the frame object); a room that delivers other memory is copied once into a pooled buffer.
    private async IAsyncEnumerable<Frame> ReadVideoAsync(IAvatarMediaSession media, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (RemoteVideoBuffer buffer in media.ReadVideoAsync(cancellationToken).ConfigureAwait(false))
        {
            OnMediaArrived();
            OutputImageRawFrame frame;
            using (buffer)
            {
                FrameBuffer pixels = buffer.TakeFrameBuffer() ?? _options.FramePool.RentCopy(buffer.Data.Span);
                try
                {
                    frame = new OutputImageRawFrame(pixels, buffer.Width, buffer.Height, buffer.Format) { PresentationTimestamp = buffer.Timestamp };
                }
                catch
                {
                    pixels.Release();
                    throw;
                }
            }

            yield return frame;
        }
    }

    private async IAsyncEnumerable<Frame> ReadAudioAsync(IAvatarMediaSession media, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (RemoteAudioBuffer block in media.ReadAudioAsync(cancellationToken).ConfigureAwait(false))
        {
            OnMediaArrived();
            using (block)
            {
                yield return new SpeechOutputAudioRawFrame(block.Pcm.ToArray(), block.SampleRate, block.Channels) { PresentationTimestamp = block.Timestamp };
            }
        }
    }

    private void OnReconnected(object? sender, RealtimeReconnectedEventArgs e)
    {
        _metrics.Reconnect("reconnected");
        // The speech in flight when the socket dropped was interrupted, and its end event may have been lost with the
        // old socket: without this the pipeline would believe the avatar talks until its next utterance ends.
        _events.Writer.TryWrite(new AvatarStoppedSpeaking());
    }

    private void OnRealtimeFaulted(object? sender, RealtimeFaultedEventArgs e) => _metrics.Reconnect("failed");

    private void OnParticipantLeft(object? sender, AvatarParticipantEventArgs e)
    {
        if (e.IsAvatar && !_closing)
        {
            _events.Writer.TryWrite(new AvatarError($"The avatar ({e.Identity}) left the room."));
        }
    }

    private async Task<IReadOnlyList<AvatarError>> CloseCoreAsync(string reason)
    {
        _closing = true;
        _mediaWatch?.Dispose();
        List<AvatarError> errors = [];
        if (_media is { } media)
        {
            media.ParticipantLeft -= OnParticipantLeft;
            await CloseQuietlyAsync("the avatar's room", () => media.DisposeAsync().AsTask()).ConfigureAwait(false);
        }

        if (_realtime is { } realtime)
        {
            await CloseQuietlyAsync("the realtime websocket", () => realtime.DisposeAsync().AsTask()).ConfigureAwait(false);
        }

        // The closed client ended its events: the pump translates the last ones and ends. Cancelled only if closing
        // the client did not finish in time.
        try
        {
            await _eventPump.WaitAsync(_options.CloseTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _eventPump.ConfigureAwait(false);
        }
        if (_info is { } info)
        {
            using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
            try
            {
                await _api.CloseSessionAsync(info.SessionId, timeout.Token).ConfigureAwait(false);
                _logger.LogInformation("HeyGen session {SessionId} closed ({Reason})", info.SessionId, reason);
            }
            catch (Exception ex)
            {
                string why = ex is OperationCanceledException && timeout.IsCancellationRequested
                    ? $"no answer within the close timeout ({_options.CloseTimeout.TotalSeconds:F0} s)"
                    : ex.Message;
                var error = new AvatarError($"Could not close HeyGen session {info.SessionId}; it may stay billed until HeyGen times it out: {why}", Exception: ex);
                _logger.LogWarning(ex, "{Message}", error.Message);
                errors.Add(error);
            }
        }

        _events.Writer.TryComplete();
        return errors;
    }

    private async Task CloseQuietlyAsync(string what, Func<Task> close)
    {
        try
        {
            await close().WaitAsync(_options.CloseTimeout, _time).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Closing {What} failed", what);
        }
    }

    /// <summary>The cause of a start failure, with what closing met on the way out.</summary>
    private sealed class HeyGenStartFailure(string message, Exception inner) : Exception(message, inner);
}
