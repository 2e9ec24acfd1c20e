using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Realtime;

namespace Pipeline.HeyGen.Video;

// Opening and closing the avatar session: REST session, realtime websocket, media room, and the tasks that read them.
public sealed partial class HeyGenVideoService
{
    private readonly Lock _closeLock = new();
    private readonly List<Task> _sessionTasks = [];
    private StandardSessionResponse? _session;
    private HeyGenRealtimeClient? _realtime;
    private IAvatarMediaSession? _media;
    private CancellationTokenSource? _sessionCts;
    private Task? _closeTask;
    private volatile bool _closing;

    private async ValueTask StartSessionAsync(StartFrame start, CancellationToken cancellationToken)
    {
        string step = "open the session";
        try
        {
            _session = await _api.NewSessionAsync(_options.SessionRequest, cancellationToken).ConfigureAwait(false);
            Logger.LogInformation("{Processor}: HeyGen session {SessionId} opened", Name, _session.SessionId);

            step = "connect the realtime websocket";
            _sessionCts = new CancellationTokenSource();
            _realtime = new HeyGenRealtimeClient(CreateRealtimeOptions(_session), _loggerFactory?.CreateLogger<HeyGenRealtimeClient>(), TimeProvider);
            _realtime.AudioLost += OnAudioLost;
            await _realtime.ConnectAsync(new Uri(_session.WebSocketUrl), cancellationToken).ConfigureAwait(false);
            _sessionTasks.Add(StartBackgroundTask("avatar-events", ReadServerEventsAsync));

            step = "join the avatar's room";
            string? token = _options.ConnectAsUser ? _session.AccessToken : _session.LiveKitAgentToken;
            if (string.IsNullOrEmpty(_session.LiveKitUrl) || string.IsNullOrEmpty(token))
            {
                throw new InvalidOperationException(
                    $"The session has no room URL or no {(_options.ConnectAsUser ? "client" : "agent")} token to join it with.");
            }

            using var timeout = new CancellationTokenSource(_options.MediaConnectTimeout, TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var request = new AvatarMediaConnectRequest(new Uri(_session.LiveKitUrl), token, _options.AvatarIdentity)
            {
                VideoFormat = _options.VideoFormat,
                AudioSampleRate = _options.AudioSampleRate ?? start.AudioOutSampleRate,
                AudioChannels = _options.AudioChannels,
                ConnectTimeout = _options.MediaConnectTimeout,
            };
            try
            {
                _media = await _options.MediaConnector!.ConnectAsync(request, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new AvatarMediaException($"Joining the avatar's room timed out after {_options.MediaConnectTimeout.TotalSeconds:F0} s.");
            }

            _media.ParticipantLeft += OnParticipantLeft;
            _sessionTasks.Add(StartBackgroundTask("avatar-video", ct => PumpVideoAsync(_media, ct)));
            _sessionTasks.Add(StartBackgroundTask("avatar-audio", ct => PumpAudioAsync(_media, ct)));
        }
        catch (Exception ex)
        {
            await CloseSessionAsync($"failed to {step}").ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            await PushErrorAsync($"The HeyGen avatar could not start: failed to {step}: {ex.Message}", ex, fatal: true).ConfigureAwait(false);
        }
    }

    private HeyGenRealtimeOptions CreateRealtimeOptions(StandardSessionResponse session)
    {
        string sessionId = session.SessionId;
        HeyGenRealtimeOptions options = _options.Realtime.Clone();
        options.KnownSecrets = [.. options.KnownSecrets, .. SessionSecrets(session)];
        options.Product = _options.Product ?? (_api is LiveAvatarApi ? HeyGenProduct.LiveAvatar : HeyGenProduct.InteractiveAvatar);
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
                    await PushErrorAsync($"Keep-alive of HeyGen session {sessionId} failed; HeyGen ends the session after its idle timeout unless a later one succeeds: {ex.Message}", ex)
                        .ConfigureAwait(false);
                    throw;
                }
            };
        }
        else if (options.Product == HeyGenProduct.InteractiveAvatar && options.RestKeepAlive is null && options.KeepAliveEnabled)
        {
            Logger.LogWarning(
                "{Processor}: {Api} has no REST keep-alive; the session may end after its idle timeout while nobody speaks",
                Name, _api.GetType().Name);
            options.KeepAliveEnabled = false;
        }

        return options;
    }

    private IEnumerable<string> SessionSecrets(StandardSessionResponse session) =>
        new[] { session.AccessToken, session.LiveKitAgentToken, _options.ApiKey }.OfType<string>();

    /// <summary>Stops the readers, closes the room and the websocket, and stops the REST session: once, whatever happened.</summary>
    private Task CloseSessionAsync(string reason)
    {
        lock (_closeLock)
        {
            return _closeTask ??= CloseCoreAsync(reason);
        }
    }

    private async Task CloseCoreAsync(string reason)
    {
        _closing = true;
        if (_sessionCts is not null)
        {
            await _sessionCts.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(_sessionTasks).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.LogDebug(ex, "{Processor}: a session task ended with an error while closing", Name);
        }

        if (_media is { } media)
        {
            await CloseQuietlyAsync("the avatar's room", () => media.DisposeAsync().AsTask()).ConfigureAwait(false);
        }

        if (_realtime is { } realtime)
        {
            realtime.AudioLost -= OnAudioLost;
            await CloseQuietlyAsync("the realtime websocket", () => realtime.DisposeAsync().AsTask()).ConfigureAwait(false);
        }

        if (_session is { } session)
        {
            using var timeout = new CancellationTokenSource(_options.CloseTimeout, TimeProvider);
            try
            {
                await _api.CloseSessionAsync(session.SessionId, timeout.Token).ConfigureAwait(false);
                Logger.LogInformation("{Processor}: HeyGen session {SessionId} closed ({Reason})", Name, session.SessionId, reason);
            }
            catch (Exception ex)
            {
                string why = ex is OperationCanceledException && timeout.IsCancellationRequested
                    ? $"no answer within the close timeout ({_options.CloseTimeout.TotalSeconds:F0} s)"
                    : ex.Message;
                await PushErrorAsync($"Could not close HeyGen session {session.SessionId}; it may stay billed until HeyGen times it out: {why}", ex)
                    .ConfigureAwait(false);
            }
        }

        _sessionCts?.Dispose();
    }

    private async Task CloseQuietlyAsync(string what, Func<Task> close)
    {
        try
        {
            await close().WaitAsync(_options.CloseTimeout, TimeProvider).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.LogWarning(ex, "{Processor}: closing {What} failed", Name, what);
        }
    }

    private void OnAudioLost(object? sender, RealtimeAudioLostEventArgs e)
    {
        OnUtteranceLost(e.UtteranceId);
        _ = StartBackgroundTask("report-audio-lost", _ => PushErrorAsync(
            $"The realtime connection dropped during utterance {e.UtteranceId}: {e.BytesSubmitted} bytes of its speech may not have reached the avatar.").AsTask());
    }

    private void OnParticipantLeft(object? sender, AvatarParticipantEventArgs e)
    {
        if (e.IsAvatar && !_closing)
        {
            _ = StartBackgroundTask("report-avatar-left", _ => PushErrorAsync($"The avatar ({e.Identity}) left the room.").AsTask());
        }
    }
}
