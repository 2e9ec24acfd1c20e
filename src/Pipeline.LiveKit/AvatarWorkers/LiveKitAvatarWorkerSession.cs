using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.LiveKit.Diagnostics;

namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>
/// An avatar provider's worker in the agent's own LiveKit room, behind the provider-neutral <see cref="IAvatarSession"/>
/// (LiveKit's avatar-worker protocol): the worker is dispatched with a token minted here, joins the room, takes the
/// speech as one byte stream per utterance and publishes the avatar into the room itself, so <see cref="Media"/> is
/// empty. Whatever fails or is cancelled after the dispatch began, the provider's session is ended and the worker
/// removed from the room, exactly once; the agent's room is never left here (its transport owns it).
/// </summary>
internal sealed class LiveKitAvatarWorkerSession : IAvatarSession
{
    private readonly LiveKitAvatarWorkerOptions _options;
    private readonly IAvatarWorkerDispatcher _dispatcher;
    private readonly LiveKitRoomService _roomService;
    private readonly Room _room;
    private readonly LocalParticipant _local;
    private readonly string _roomName;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<AvatarEvent> _events = Channel.CreateUnbounded<AvatarEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkerUtterance> _open = new(StringComparer.Ordinal);
    private readonly List<WorkerUtterance> _live = []; // not done, or still holding a stream: every stream is closed before the session ends
    private readonly List<Task> _background = [];
    private readonly WorkerPlayback _playback;
    private readonly WorkerSpeech _speech;
    private readonly WorkerRpc _rpc;
    private WorkerArrival? _arrival;
    private AvatarWorkerDispatch? _dispatch;
    private bool _dispatchStarted;
    private Task<IReadOnlyList<AvatarError>>? _closeTask;
    private volatile bool _ready;
    private volatile bool _closing;
    private int _failed;

    private LiveKitAvatarWorkerSession(
        LiveKitAvatarWorkerOptions options, IAvatarWorkerDispatcher dispatcher, LiveKitRoomService roomService, Room room, LocalParticipant local,
        AvatarSessionContext context, Action<int>? chunkSent)
    {
        _options = options;
        _dispatcher = dispatcher;
        _roomService = roomService;
        _room = room;
        _local = local;
        _roomName = room.Name;
        _logger = context.LoggerFactory.CreateLogger<LiveKitAvatarWorkerSession>();
        _time = context.TimeProvider;
        SpeechSampleRate = options.SpeechSampleRate ?? context.OutputSampleRate;
        _playback = new WorkerPlayback(e => _events.Writer.TryWrite(e));
        _speech = new WorkerSpeech(local, dispatcher.WorkerIdentity, SpeechSampleRate, options.AudioLead, _time, _playback) { ChunkSent = chunkSent, ClearWait = options.ClearBufferTimeout };
        _rpc = new WorkerRpc(local, dispatcher.WorkerIdentity, _playback, e => _events.Writer.TryWrite(e), _logger);
    }

    public string Id => _dispatch?.SessionId ?? "(not dispatched)";

    public int SpeechSampleRate { get; }

    public bool SupportsListening => false;

    public IReadOnlyList<IAsyncEnumerable<Frame>> Media => [];

    /// <summary>The worker's identity in the room.</summary>
    public string WorkerIdentity => _dispatcher.WorkerIdentity;

    /// <summary>
    /// Opens the session: registers the RPC methods, mints the worker's token, dispatches the worker and waits (bounded)
    /// for it to be ready. On failure or cancellation closes what was started, then throws.
    /// </summary>
    public static async ValueTask<LiveKitAvatarWorkerSession> OpenAsync(
        LiveKitAvatarWorkerOptions options, IAvatarWorkerDispatcher dispatcher, Func<CancellationToken, Task<Room>> roomProvider,
        LiveKitRoomService roomService, AvatarSessionContext context, Action<int>? chunkSent, CancellationToken cancellationToken)
    {
        string step = "find the agent's room";
        Room room = await WorkerStart.FindRoomAsync(roomProvider, cancellationToken).ConfigureAwait(false);
        var session = new LiveKitAvatarWorkerSession(options, dispatcher, roomService, room, room.LocalParticipant!, context, chunkSent);
        using Activity? activity = LiveKitTelemetry.Source.StartActivity("livekit.avatar_worker.start");
        activity?.SetTag(LiveKitTelemetry.ProviderTag, dispatcher.Provider);
        long started = context.TimeProvider.GetTimestamp();
        string? token = null;
        try
        {
            step = "register the avatar worker's RPC methods";
            session._rpc.Register();
            room.ParticipantDisconnected += session.OnParticipantDisconnected;
            room.Disconnected += session.OnRoomDisconnected;
            // The room's events also end when it is left or disposed here (no Disconnected event then).
            _ = room.Completion.ContinueWith(_ => session.OnRoomEnded(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            session._arrival = new WorkerArrival(room, dispatcher.WorkerIdentity, options.WaitForWorkerVideo); // before the dispatch: a quick worker is not missed

            step = "mint the avatar worker's token";
            token = WorkerStart.MintWorkerToken(options, dispatcher.WorkerIdentity, session._roomName, session._local.Identity, context.TimeProvider);

            step = $"dispatch the avatar worker ({dispatcher.Provider})";
            session._dispatchStarted = true;
            var request = new AvatarWorkerDispatchRequest(options.LiveKitUrl!, session._roomName, dispatcher.WorkerIdentity, session._local.Identity, token);
            session._dispatch = await WorkerStart.DispatchAsync(
                dispatcher, request, options.CloseTimeout, context.TimeProvider, late => session._dispatch = late, cancellationToken).ConfigureAwait(false);
            session._logger.LogInformation("{Provider} session {SessionId} dispatched its avatar worker '{Worker}' into room {Room}",
                dispatcher.Provider, session._dispatch.SessionId, dispatcher.WorkerIdentity, session._roomName);

            step = "wait for the avatar worker to join the room";
            await session.WaitForWorkerAsync(cancellationToken).ConfigureAwait(false);
            session._ready = true;
            if (room.GetParticipant(dispatcher.WorkerIdentity) is null || room.Completion.IsCompleted)
            {
                // Left (or the room ended) between its readiness and now, unseen by either watcher.
                throw new LiveKitException($"The avatar worker '{dispatcher.WorkerIdentity}' left the room, or the room ended, just as it became ready.");
            }

            LiveKitTelemetry.WorkerStartDuration.Record(context.TimeProvider.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(LiveKitTelemetry.ProviderTag, dispatcher.Provider));
            activity?.SetStatus(ActivityStatusCode.Ok);
            session._logger.LogInformation("Avatar worker '{Worker}' is ready in room {Room}", dispatcher.WorkerIdentity, session._roomName);
            return session;
        }
        catch (Exception ex)
        {
            string errorType = ex.GetType().Name;
            LiveKitTelemetry.WorkerStartDuration.Record(context.TimeProvider.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>(LiveKitTelemetry.ProviderTag, dispatcher.Provider), new KeyValuePair<string, object?>("error.type", errorType));
            activity?.SetTag("error.type", errorType).SetStatus(ActivityStatusCode.Error, errorType);
            IReadOnlyList<AvatarError> closeErrors = await session.CloseAsync($"failed to {step}").ConfigureAwait(false);
            await session.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            string also = closeErrors.Count == 0 ? string.Empty : $" (closing what was started failed too: {string.Join("; ", closeErrors.Select(e => e.Message))})";
            string message = WorkerStart.Redact(ex.Message + also, token, options.ApiSecret);
            throw new AvatarStartException(step, message == ex.Message ? ex : new WorkerStart.Failure(message, ex));
        }
    }

    public IAvatarUtterance BeginUtterance(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ObjectDisposedException.ThrowIf(_closing, this);
        var utterance = new WorkerUtterance(id, _speech);
        lock (_gate)
        {
            if (!_open.TryAdd(id, utterance))
            {
                throw new ArgumentException($"Utterance {id} is already open in this avatar session; utterance ids must be unique among open utterances.", nameof(id));
            }

            _live.RemoveAll(u => u.Completion.IsCompleted && !u.HasOpenStream);
            _live.Add(utterance);
        }

        _ = utterance.Completion.ContinueWith(
            _ =>
            {
                lock (_gate)
                {
                    _open.Remove(id);
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return utterance;
    }

    public async ValueTask InterruptAsync(CancellationToken cancellationToken)
    {
        WorkerUtterance[] open;
        WorkerUtterance[] streaming;
        lock (_gate)
        {
            open = [.. _open.Values];
            streaming = [.. _live.Where(u => u.HasOpenStream)];
        }

        if ((open.Length == 0 && streaming.Length == 0) || _closing)
        {
            return;
        }

        IReadOnlyList<WorkerUtterance> held = _playback.Interrupt(open);
        _speech.Pacer.Reset();
        // The streams end before the clear goes out (same ordered channel): the worker gets no audio of them after it.
        await Task.WhenAll(open.Union(streaming).Select(u => u.StopStreamingAsync(_options.ClearBufferTimeout))).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (held.Count == 0 || _speech.Failure is not null || _closing)
        {
            return; // an avatar that was given nothing is not told to stop
        }

        Task<string> clear;
        try
        {
            clear = _rpc.ClearBufferAsync(_options.ClearBufferTimeout, _stop.Token);
            _speech.ClearSent(clear);
        }
        catch (Exception e) when (e is LiveKitException or ObjectDisposedException)
        {
            _events.Writer.TryWrite(new AvatarWarning($"Could not send lk.clear_buffer to the avatar worker: {e.Message}; the interrupted speech is taken as finished."));
            _playback.GiveUp(held);
            return;
        }

        Track(AwaitClearAsync(clear, held));
    }

    public ValueTask SetListeningAsync(bool listening, CancellationToken cancellationToken) => default;

    public IAsyncEnumerable<AvatarEvent> ReadEventsAsync(CancellationToken cancellationToken) => _events.Reader.ReadAllAsync(cancellationToken);

    public Task<IReadOnlyList<AvatarError>> CloseAsync(string reason)
    {
        lock (_gate)
        {
            return _closeTask ??= CloseCoreAsync(reason);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync("session disposed").ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task WaitForWorkerAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _arrival!.Ready.WaitAsync(_options.WorkerJoinTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            string what = _arrival!.Joined && _options.WaitForWorkerVideo ? "joined but published no video track" : "did not join";
            throw new TimeoutException(
                $"The avatar worker '{_dispatcher.WorkerIdentity}' ({_dispatcher.Provider}) {what} within {_options.WorkerJoinTimeout.TotalSeconds:0.#} s of its dispatch " +
                $"to room '{_roomName}'. Check that the provider can reach {_options.LiveKitUrl!.GetLeftPart(UriPartial.Authority)} and its avatar settings (the provider's session was ended).", e);
        }
    }

    private async Task AwaitClearAsync(Task<string> clear, IReadOnlyList<WorkerUtterance> held)
    {
        try
        {
            await clear.WaitAsync(_options.ClearBufferTimeout, _time, _stop.Token).ConfigureAwait(false);
            await Task.WhenAll(held.Select(u => u.Completion)).WaitAsync(_options.ClearBufferTimeout, _time, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Closing: the close ends every utterance.
        }
        catch (Exception e) when (e is TimeoutException or LiveKitException or ObjectDisposedException)
        {
            _ = clear.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            LiveKitTelemetry.ClearBufferTimeouts.Add(1, new KeyValuePair<string, object?>(LiveKitTelemetry.ProviderTag, _dispatcher.Provider));
            string why = e is TimeoutException ? $"no confirmation within {_options.ClearBufferTimeout.TotalMilliseconds:0} ms" : e.Message;
            _events.Writer.TryWrite(new AvatarWarning($"The avatar worker did not confirm the interruption ({why}); the interrupted speech is taken as finished."));
            _playback.GiveUp(held);
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "An interrupted utterance ended with an error (the session failure is reported separately)");
        }
    }

    private void Track(Task task)
    {
        lock (_gate)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }

    private void OnParticipantDisconnected(object? sender, ParticipantDisconnectedEventArgs e)
    {
        if (e.Identity == _dispatcher.WorkerIdentity && _ready && !_closing)
        {
            Fail(new LiveKitException($"The avatar worker '{e.Identity}' ({_dispatcher.Provider}) left the room ({e.Reason}): the avatar is gone."));
        }
    }

    private void OnRoomDisconnected(object? sender, RoomDisconnectedEventArgs e)
    {
        if (_ready && !_closing)
        {
            Fail(new LiveKitException($"The agent's room '{_roomName}' disconnected ({e.Reason}): the avatar worker can no longer be reached."));
        }
    }

    private void OnRoomEnded()
    {
        if (_ready && !_closing)
        {
            Fail(new LiveKitException($"The agent's room '{_roomName}' disconnected (it was left or closed): the avatar worker can no longer be reached."));
        }
    }

    private void Fail(LiveKitException failure)
    {
        if (Interlocked.Exchange(ref _failed, 1) != 0)
        {
            return; // the first failure is the one reported (the worker leaving may be followed by the room closing)
        }

        _logger.LogError(failure, "Avatar worker session {SessionId} failed", Id);
        _speech.SetFailure(failure);
        _playback.Fail(failure);
        FailOpenUtterances(failure);
        WorkerUtterance[] live;
        lock (_gate)
        {
            live = [.. _live];
        }

        Track(Task.WhenAll(live.Select(u => u.StopStreamingAsync(_options.CloseTimeout)))); // their streams lead nowhere now
        _events.Writer.TryWrite(new AvatarError(failure.Message, Fatal: true, failure));
    }

    private void FailOpenUtterances(Exception failure)
    {
        WorkerUtterance[] open;
        lock (_gate)
        {
            open = [.. _open.Values];
        }

        foreach (WorkerUtterance utterance in open)
        {
            utterance.Fail(failure);
        }
    }

    private async Task<IReadOnlyList<AvatarError>> CloseCoreAsync(string reason)
    {
        _closing = true;
        using Activity? activity = LiveKitTelemetry.Source.StartActivity("livekit.avatar_worker.close");
        activity?.SetTag(LiveKitTelemetry.ProviderTag, _dispatcher.Provider);
        _room.ParticipantDisconnected -= OnParticipantDisconnected;
        _room.Disconnected -= OnRoomDisconnected;
        _arrival?.Dispose();

        var closed = new ObjectDisposedException(nameof(LiveKitAvatarWorkerSession), $"The avatar session closed ({reason}) before the avatar finished the utterance.");
        _speech.SetFailure(closed);
        WorkerUtterance[] live;
        lock (_gate)
        {
            live = [.. _live];
        }

        await Task.WhenAll(live.Select(u => u.StopStreamingAsync(_options.CloseTimeout))).ConfigureAwait(false);
        _playback.Fail(closed);
        FailOpenUtterances(closed);
        _rpc.Unregister();
        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] background;
        lock (_gate)
        {
            background = [.. _background];
        }

        await Task.WhenAll(background).ConfigureAwait(false); // each ends on the stop; none throws

        List<AvatarError> errors = [];
        if (_dispatch is { } dispatch)
        {
            await CloseStepAsync(errors, ct => _dispatcher.EndAsync(dispatch, ct).AsTask(),
                $"Could not end {_dispatcher.Provider} session {dispatch.SessionId}; it may stay billed until the provider times it out").ConfigureAwait(false);
        }

        if (_dispatchStarted)
        {
            await CloseStepAsync(errors, async ct =>
            {
                bool removed = await _roomService.RemoveParticipantAsync(_roomName, _dispatcher.WorkerIdentity, ct).ConfigureAwait(false);
                _logger.LogInformation("Avatar worker '{Worker}' {Outcome} room {Room}",
                    _dispatcher.WorkerIdentity, removed ? "removed from" : "was no longer in", _roomName);
            }, $"Could not remove the avatar worker '{_dispatcher.WorkerIdentity}' from room '{_roomName}'; it may stay (and be billed) until the provider ends it").ConfigureAwait(false);
        }

        // The errors are returned, not also written as events: the seam reports what CloseAsync returns (once).
        activity?.SetStatus(errors.Count == 0 ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
        _logger.LogInformation("Avatar worker session {SessionId} closed ({Reason}) with {Errors} error(s)", Id, reason, errors.Count);
        _events.Writer.TryComplete();
        return errors;
    }

    private async Task CloseStepAsync(List<AvatarError> errors, Func<CancellationToken, Task> step, string failure)
    {
        using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
        try
        {
            await step(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            string why = ex is OperationCanceledException && timeout.IsCancellationRequested
                ? $"no answer within {_options.CloseTimeout.TotalSeconds:0.#} s"
                : WorkerStart.Redact(ex.Message, null, _options.ApiSecret);
            var error = new AvatarError($"{failure}: {why}", Exception: ex);
            _logger.LogWarning(ex, "{Message}", error.Message);
            errors.Add(error);
        }
    }
}
