using Microsoft.Extensions.Logging;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Realtime;
using Pipeline.HeyGen.Realtime.Events;
using Pipeline.LiveKit;

namespace HeyGenLiveCheck;

/// <summary>
/// The live conformance check: opens one session, speaks a short utterance, interrupts a second, stays silent past one
/// keep-alive, closes, stops a second time, and reports what the service did (keys listed in docs/heygen-protocol.md).
/// The session is closed in a <c>finally</c> bounded by <see cref="LiveCheckOptions.CloseTimeout"/>, also after
/// cancellation (Ctrl+C), so it is never left open.
/// </summary>
public static class LiveCheck
{
    private const string AvatarIdentity = "heygen";

    /// <summary>Runs the check.</summary>
    /// <param name="options">Target, key and waits.</param>
    /// <param name="report">Where the findings go.</param>
    /// <param name="loggerFactory">Logs of the library's clients.</param>
    /// <param name="cancellationToken">Ctrl+C: stops the steps; the session is still closed.</param>
    /// <returns>0 when every step ran, 1 when one failed (the report says which).</returns>
    public static async Task<int> RunAsync(LiveCheckOptions options, LiveCheckReport report, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        await using var emulator = options.Target == LiveCheckTarget.Emulator ? await HeyGenEmulator.StartAsync(cancellationToken: cancellationToken) : null;
        using var api = CreateApi(options, emulator, loggerFactory);
        var product = options.Target == LiveCheckTarget.InteractiveAvatar ? HeyGenProduct.InteractiveAvatar : HeyGenProduct.LiveAvatar;
        report.Add("target", options.Target == LiveCheckTarget.InteractiveAvatar
            ? "Interactive Avatar (billed; short session)"
            : options.Target == LiveCheckTarget.LiveAvatar ? "LiveAvatar sandbox" : "emulator (LiveAvatar sandbox)");

        StandardSessionResponse? session = null;
        var status = 0;
        try
        {
            session = await api.NewSessionAsync(Request(options), cancellationToken).ConfigureAwait(false);
            report.Add("session", "opened");
            IAvatarMediaConnector connector = emulator?.MediaConnector ?? new LiveKitAvatarMediaConnector(loggerFactory);
            await CheckSessionAsync(options, report, api, session, product, connector, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            report.Add("result", "cancelled");
            status = 1;
        }
        catch (Exception ex) when (ex is HeyGenApiException or HeyGenRealtimeException or AvatarMediaException or TimeoutException or HttpRequestException)
        {
            report.Add("result", $"failed: {ex.GetType().Name}: {ex.Message}");
            status = 1;
        }
        finally
        {
            if (session is not null)
            {
                await CloseTwiceAsync(options, report, api, session.SessionId).ConfigureAwait(false);
            }

            if (emulator is not null)
            {
                report.Add("ledger", $"opened={emulator.Sessions.OpenedCount} closed={emulator.Sessions.StoppedCount} open={emulator.Sessions.Open.Count}");
            }
        }

        return status;
    }

    private static async Task CheckSessionAsync(LiveCheckOptions options, LiveCheckReport report, BaseAvatarApi api, StandardSessionResponse session,
        HeyGenProduct product, IAvatarMediaConnector connector, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var events = new ServerEventLog(report);
        var realtimeOptions = new HeyGenRealtimeOptions
        {
            Product = product,
            IdleTimeout = options.IdleTimeout,
            KeepAliveInterval = options.EffectiveKeepAliveInterval,
            RestKeepAlive = product == HeyGenProduct.InteractiveAvatar ? ct => api.KeepAliveAsync(session.SessionId, ct) : null,
        };
        await using var realtime = new HeyGenRealtimeClient(realtimeOptions, loggerFactory.CreateLogger<HeyGenRealtimeClient>());
        realtime.EventReceived += (_, e) => events.Add(e);
        await realtime.ConnectAsync(new Uri(session.WebSocketUrl), cancellationToken).ConfigureAwait(false);

        var mediaUrl = session.LiveKitUrl ?? throw new HeyGenApiException("the session has no media room URL (livekit_url)");
        var joinedAt = report.Elapsed;
        await using var media = await connector.ConnectAsync(new AvatarMediaConnectRequest(new Uri(mediaUrl), session.LiveKitAgentToken, AvatarIdentity), cancellationToken).ConfigureAwait(false);
        var probe = new MediaProbe(report, media, joinedAt, cancellationToken);
        media.ParticipantJoined += (_, e) => report.Add("participant", $"{e.Identity} avatar={e.IsAvatar}");

        await probe.FirstVideo.WaitAsync(options.StepTimeout, cancellationToken).ConfigureAwait(false);
        report.Add("first-video", $"{(probe.FirstVideoAt - joinedAt).TotalMilliseconds:F0} ms after joining; {probe.VideoSize}");
        report.Add("avatar", $"identity={AvatarIdentity} present={media.AvatarPresent} tracks={probe.Tracks}");

        // One short utterance, played to its end.
        var spokenAt = report.Elapsed;
        probe.MarkSpeech(spokenAt);
        await realtime.SpeakAsync(Tone(TimeSpan.FromMilliseconds(800)), "check-1", cancellationToken).ConfigureAwait(false);
        await realtime.SpeakEndAsync("check-1", cancellationToken).ConfigureAwait(false);
        await events.WaitAsync(e => e is AgentSpeakEndedEvent, options.StepTimeout, cancellationToken).ConfigureAwait(false);
        report.Add("first-audio-after-speak", probe.FirstSpeechAudio is { } heard ? $"{(heard - spokenAt).TotalMilliseconds:F0} ms" : "none heard");

        // A second one, interrupted while it plays.
        await realtime.SpeakAsync(Tone(TimeSpan.FromSeconds(2)), "check-2", cancellationToken).ConfigureAwait(false);
        await realtime.SpeakEndAsync("check-2", cancellationToken).ConfigureAwait(false);
        await events.WaitAsync(e => e is AgentSpeakStartedEvent { EventId: "check-2" }, options.StepTimeout, cancellationToken).ConfigureAwait(false);
        await realtime.InterruptAsync("check-2", cancellationToken).ConfigureAwait(false);
        var interrupted = await events.WaitAsync(e => e is AgentSpeakInterruptedEvent, options.StepTimeout, cancellationToken).ConfigureAwait(false);
        report.Add("interrupt", $"answered with {interrupted.Type}");

        // Silent past one keep-alive: which one went out, and is the session still alive?
        var before = realtime.KeepAliveCount;
        await Task.Delay(options.EffectiveIdleWait, cancellationToken).ConfigureAwait(false);
        var kind = product == HeyGenProduct.InteractiveAvatar ? "REST streaming.keep_alive" : "websocket session.keep_alive";
        report.Add("keepalive", $"{kind} x{realtime.KeepAliveCount - before} (failures {realtime.KeepAliveFailureCount}); after {options.EffectiveIdleWait.TotalSeconds:F1} s silent the session is {(realtime.State == RealtimeConnectionState.Connected ? "alive" : realtime.State.ToString())}");
        report.Add("connected", events.Any(e => e is SessionStateUpdatedEvent { State: AvatarSessionState.Connected }) ? "session.state_updated connected was sent" : "never sent");
        report.Add("unknown-events", $"{realtime.UnknownEventCount} unknown, {realtime.MalformedMessageCount} malformed");
        await realtime.CloseAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task CloseTwiceAsync(LiveCheckOptions options, LiveCheckReport report, BaseAvatarApi api, string sessionId)
    {
        // Not the run's token: after Ctrl+C the session must still be closed, within a bound.
        using var bound = new CancellationTokenSource(options.CloseTimeout);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var key = attempt == 1 ? "stop" : "second-stop";
            try
            {
                if (api is LiveAvatarApi liveAvatar)
                {
                    await liveAvatar.StopSessionAsync(sessionId, LiveAvatarStopReason.UserClosed, bound.Token).ConfigureAwait(false);
                }
                else
                {
                    await api.CloseSessionAsync(sessionId, bound.Token).ConfigureAwait(false);
                }

                report.Add(key, "succeeded");
            }
            catch (Exception ex) when (ex is HeyGenApiException or HttpRequestException or OperationCanceledException)
            {
                report.Add(key, $"refused: {ex.Message}");
            }
        }
    }

    private static BaseAvatarApi CreateApi(LiveCheckOptions options, HeyGenEmulator? emulator, ILoggerFactory loggerFactory)
    {
        if (options.Target == LiveCheckTarget.InteractiveAvatar)
        {
            return new HeyGenApi(new HeyGenApiOptions { ApiKey = options.ApiKey! }, loggerFactory);
        }

        var liveAvatar = new LiveAvatarApiOptions { ApiKey = emulator?.LiveAvatarApiKey ?? options.ApiKey! };
        if (emulator is not null)
        {
            liveAvatar.BaseUrl = emulator.LiveAvatarApiBaseUrl;
        }

        return new LiveAvatarApi(liveAvatar, loggerFactory);
    }

    private static AvatarSessionRequest Request(LiveCheckOptions options) => options.Target == LiveCheckTarget.InteractiveAvatar
        ? new NewSessionRequest { ActivityIdleTimeout = (int)options.IdleTimeout.TotalSeconds, Quality = AvatarQuality.Low }
        : new LiveAvatarNewSessionRequest { AvatarId = LiveAvatarNewSessionRequest.SandboxAvatarId, IsSandbox = true, Mode = LiveAvatarMode.Lite };

    // 24 kHz mono PCM16: a 200 Hz tone, loud enough for the avatar's audio track to carry it.
    private static byte[] Tone(TimeSpan length)
    {
        var samples = (int)(length.TotalSeconds * HeyGenRealtimeClient.SampleRate);
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            var value = (short)(8000 * Math.Sin(2 * Math.PI * 200 * i / HeyGenRealtimeClient.SampleRate));
            pcm[2 * i] = (byte)value;
            pcm[(2 * i) + 1] = (byte)(value >> 8);
        }

        return pcm;
    }
}
