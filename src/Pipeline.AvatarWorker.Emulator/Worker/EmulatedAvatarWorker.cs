using Microsoft.Extensions.Logging;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorker.Emulator.Worker;

/// <summary>
/// One session's avatar worker, a real participant of the agent's LiveKit room: it joins with the session's token,
/// takes the agent's speech streams, answers <c>lk.clear_buffer</c>, reports playback, and publishes the avatar's
/// camera and microphone tracks. It leaves when the agent leaves, when the server removes it, when it is dropped, or
/// when the emulator is disposed; everything it started has stopped when <see cref="Completion"/> completes.
/// </summary>
internal sealed partial class EmulatedAvatarWorker : IAsyncDisposable
{
    private readonly WorkerSessionRecord _session;
    private readonly string _token;
    private readonly AvatarWorkerEmulatorOptions _options;
    private readonly AvatarWorkerFaults _faults;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource<WorkerLeaveReason> _leave = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<SpeechPlayback> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _timerGate = new();
    private ITimer? _dropTimer;
    private readonly Task _run;

    public EmulatedAvatarWorker(WorkerSessionRecord session, string token, AvatarWorkerEmulatorOptions options, AvatarWorkerFaults faults, ILoggerFactory loggerFactory)
    {
        _session = session;
        _token = token;
        _options = options;
        _faults = faults;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<EmulatedAvatarWorker>();
        _time = options.TimeProvider;
        _run = Task.Run(RunAsync);
    }

    /// <summary>Completes when the worker has left and released everything. Never faults.</summary>
    public Task Completion => _run;

    /// <summary>Makes the worker leave (the first reason given wins).</summary>
    public void Leave(WorkerLeaveReason reason)
    {
        if (_leave.TrySetResult(reason))
        {
            _stopping.Cancel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Leave(WorkerLeaveReason.EmulatorDisposed);
        await _run.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        try
        {
            if (!await WaitToJoinAsync().ConfigureAwait(false))
            {
                return;
            }

            await RunInRoomAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogFailed(e, _session.Id);
            _session.MarkLeft(_time.GetUtcNow(), WorkerLeaveReason.Failed);
        }
        finally
        {
            lock (_timerGate)
            {
                _dropTimer?.Dispose();
                _dropTimer = null;
            }

            // _stopping is not disposed: a stream handler or a late Leave may still read or cancel it (it holds no timer).
            _ready.TrySetCanceled();
            _session.MarkStopped();
        }
    }

    // The faults that keep a worker out of the room: never joining, or joining late.
    private async Task<bool> WaitToJoinAsync()
    {
        if (_faults.NeverJoin)
        {
            WorkerLeaveReason reason = await _leave.Task.ConfigureAwait(false);
            _session.MarkLeft(_time.GetUtcNow(), reason == WorkerLeaveReason.EmulatorDisposed ? WorkerLeaveReason.NeverJoined : reason);
            return false;
        }

        TimeSpan delay = _faults.JoinDelay;
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _session.MarkLeft(_time.GetUtcNow(), await _leave.Task.ConfigureAwait(false));
                return false;
            }
        }

        return true;
    }

    private async Task RunInRoomAsync()
    {
        Room room = new(_loggerFactory);
        EmulatedAvatar? avatar = null;
        PlaybackReporter? reporter = null;
        WorkerMedia? media = null;
        try
        {
            // Registered before joining, so a stream the agent opens the moment the worker appears is not lost: it
            // waits until the worker is ready.
            room.RegisterByteStreamHandler(AvatarWorkerProtocol.AudioStreamTopic, ReceiveStreamAsync);
            room.ParticipantDisconnected += (_, e) =>
            {
                if (e.Identity == _session.AgentIdentity)
                {
                    Leave(WorkerLeaveReason.AgentLeft);
                }
            };
            room.Disconnected += (_, e) => Leave(e.Reason is DisconnectReason.ParticipantRemoved or DisconnectReason.RoomDeleted or DisconnectReason.RoomClosed
                ? WorkerLeaveReason.RemovedByServer
                : WorkerLeaveReason.ServerDisconnected);

            try
            {
                await room.ConnectAsync(_session.LiveKitUrl, _token, _options.RoomConnectOptions, _stopping.Token).ConfigureAwait(false);
            }
            catch (LiveKitException e)
            {
                // The engine's message has the token redacted.
                _session.MarkJoinFailed(e.Message);
                _session.MarkLeft(_time.GetUtcNow(), WorkerLeaveReason.JoinFailed);
                LogJoinFailed(_session.Id, e.Message);
                return;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                _session.MarkLeft(_time.GetUtcNow(), await _leave.Task.ConfigureAwait(false));
                return;
            }

            LocalParticipant participant = room.LocalParticipant!;
            avatar = new EmulatedAvatar(_session.Id, _options.Avatar, _time, _logger);
            avatar.Start();
            reporter = new PlaybackReporter(participant, _session, _options.RpcResponseTimeout, _time, _logger);
            WorkerMedia? published = null;
            var playback = new SpeechPlayback(avatar, _session, reporter, _faults, _time, ArmDropTimer, () => published?.ClearAudio(), _logger);
            participant.RegisterRpcMethod(AvatarWorkerProtocol.ClearBufferMethod, invocation => Task.FromResult(playback.Clear(invocation.CallerIdentity)));
            media = published = await WorkerMedia.PublishAsync(room, avatar, _options.AudioSampleRate, !_faults.NeverPublishVideo, _logger, _stopping.Token).ConfigureAwait(false);
            _session.MarkPublished(media.HasVideo, audio: true);
            _session.MarkJoined(_time.GetUtcNow());
            _ready.TrySetResult(playback);
            LogJoined(_session.Id, _session.WorkerIdentity, _session.Room);

            WorkerLeaveReason reason = await _leave.Task.ConfigureAwait(false);
            _session.MarkLeft(_time.GetUtcNow(), reason);
            LogLeaving(_session.Id, reason);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            _session.MarkLeft(_time.GetUtcNow(), await _leave.Task.ConfigureAwait(false));
        }
        finally
        {
            // A dropped worker says nothing more to the agent: the reporter stops first, queued reports unsent.
            if (reporter is not null)
            {
                await reporter.DisposeAsync().ConfigureAwait(false);
            }

            if (media is not null)
            {
                await media.StopAsync().ConfigureAwait(false);
            }

            await room.DisposeAsync().ConfigureAwait(false);
            media?.Dispose();
            if (avatar is not null)
            {
                await avatar.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task ReceiveStreamAsync(ByteStreamReader reader)
    {
        SpeechPlayback playback;
        try
        {
            playback = await _ready.Task.WaitAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return; // the worker left before it was ready
        }

        await playback.ReceiveAsync(reader, _stopping.Token).ConfigureAwait(false);
    }

    // Called once, when the first utterance starts playing (under the avatar's lock: only arms a timer).
    private void ArmDropTimer()
    {
        if (_faults.DropAfterPlayback is not { } after)
        {
            return;
        }

        lock (_timerGate)
        {
            if (!_leave.Task.IsCompleted)
            {
                _dropTimer = _time.CreateTimer(static self => ((EmulatedAvatarWorker)self!).Leave(WorkerLeaveReason.Dropped), this, after, Timeout.InfiniteTimeSpan);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Avatar worker of session {SessionId} joined as {Identity} in room {Room}")]
    private partial void LogJoined(string sessionId, string identity, string room);

    [LoggerMessage(Level = LogLevel.Information, Message = "Avatar worker of session {SessionId} leaves the room ({Reason})")]
    private partial void LogLeaving(string sessionId, WorkerLeaveReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Avatar worker of session {SessionId} could not join: {Reason}")]
    private partial void LogJoinFailed(string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Avatar worker of session {SessionId} failed")]
    private partial void LogFailed(Exception error, string sessionId);
}
