using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.Security.Tests.Infrastructure;

namespace Pipeline.Security.Tests;

/// <summary>
/// Runs whole avatar sessions with every logger at Trace and asserts that no key or token the emulator issued
/// appears in any log line, exception, error frame or log-safe <c>ToString()</c>.
/// </summary>
public sealed class SecretsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_whole_session_at_trace_level_never_shows_a_key_or_token(bool liveAvatar)
    {
        var logs = new CapturingLoggerProvider();
        using ILoggerFactory factory = logs.CreateFactory();
        var emulatorLogs = new CapturingLoggerProvider();
        using ILoggerFactory emulatorFactory = EmulatorLogs(emulatorLogs);
        await using AvatarHarness h = await AvatarHarness.CreateAsync(liveAvatar, loggerFactory: factory, emulatorLoggerFactory: emulatorFactory);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        RealtimeEventRecorder recorder = h.Realtime.Recorder;

        // Utterance 1, interrupted mid-way.
        byte[] first = Speech.Make(TimeSpan.FromSeconds(2), 24_000);
        await h.QueueAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "u1" }, .. Speech.TtsFrames(first, 24_000, "u1")]);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), TimeSpan.FromSeconds(3), "the avatar starting to talk");
        await h.Task.QueueFrameAsync(new UserStartedSpeakingFrame());
        await h.Task.QueueFrameAsync(new InterruptionFrame());
        await recorder.WaitForCountAsync("agent.interrupt", 1).WaitAsync(AvatarHarness.Hang);
        await h.Task.QueueFrameAsync(new UserStoppedSpeakingFrame());

        // Utterance 2, to the end.
        byte[] second = Speech.Make(TimeSpan.FromSeconds(1), 16_000);
        await h.QueueAsync([new TTSStartedFrame { ContextId = "u2" }, .. Speech.TtsFrames(second, 16_000, "u2"), new TTSStoppedFrame { ContextId = "u2" }]);
        await recorder.WaitForCountAsync("agent.speak_end", 1).WaitAsync(AvatarHarness.Hang);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStoppedSpeakingFrame>().Count() >= 2, TimeSpan.FromSeconds(5), "the avatar finishing u2");
        await h.QueueAsync(new EndFrame());
        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);

        recorder.AudioOf("u2").Should().Equal(Speech.ResampledTo24k(second, 16_000, TimeSpan.FromMilliseconds(20)), "the session really ran");
        h.Emulator.Sessions.Open.Should().BeEmpty();
        IReadOnlyCollection<string> secrets = h.Emulator.Secrets;
        secrets.Count.Should().BeGreaterThanOrEqualTo(4, "API keys and the session's tokens were issued");

        var scanner = new SecretScanner();
        scanner.AddLogs(logs);
        scanner.AddLogs(emulatorLogs);
        scanner.AddErrors(h.Errors);
        foreach (Frame frame in h.AtEnd)
        {
            scanner.Add($"frame {frame.GetType().Name}", frame.ToString());
        }

        AssertCapturedEnough(logs);
        AssertScannerWorks(scanner, secrets);
        scanner.AssertClean(secrets);
    }

    public enum Fault
    {
        StartUnauthorized,
        NewSessionErrorEchoesTheKey,
        NewSessionMalformedBody,
        WebSocketForbidden,
        WebSocketDroppedMidUtterance,
        StopFails,
        LiveAvatarStartUnauthorized,
        LiveAvatarWebSocketForbidden,
    }

    [Theory]
    [InlineData(Fault.StartUnauthorized)]
    [InlineData(Fault.NewSessionErrorEchoesTheKey)]
    [InlineData(Fault.NewSessionMalformedBody)]
    [InlineData(Fault.WebSocketForbidden)]
    [InlineData(Fault.WebSocketDroppedMidUtterance)]
    [InlineData(Fault.StopFails)]
    [InlineData(Fault.LiveAvatarStartUnauthorized)]
    [InlineData(Fault.LiveAvatarWebSocketForbidden)]
    public async Task Error_paths_at_trace_level_never_show_a_key_or_token(Fault fault)
    {
        var logs = new CapturingLoggerProvider();
        using ILoggerFactory factory = logs.CreateFactory();
        var emulatorLogs = new CapturingLoggerProvider();
        using ILoggerFactory emulatorFactory = EmulatorLogs(emulatorLogs);
        bool liveAvatar = fault is Fault.LiveAvatarStartUnauthorized or Fault.LiveAvatarWebSocketForbidden;
        await using AvatarHarness h = await AvatarHarness.CreateAsync(liveAvatar, loggerFactory: factory, emulatorLoggerFactory: emulatorFactory);
        string apiKey = h.Emulator.ApiKey;
        switch (fault)
        {
            case Fault.StartUnauthorized:
                h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.Status(401), times: 5);
                break;
            case Fault.NewSessionErrorEchoesTheKey:
                // A server that echoes what it was sent: the key in the message, a token field, a bearer header.
                h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(401,
                    $"{{\"code\":401,\"message\":\"invalid key {apiKey}\",\"access_token\":\"{apiKey}\",\"headers\":\"Authorization: Bearer {apiKey}\"}}"), times: 5);
                break;
            case Fault.NewSessionMalformedBody:
                h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.MalformedBody(), times: 5);
                break;
            case Fault.WebSocketForbidden:
                h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingRealtime, EmulatedFault.Status(403), times: 10);
                break;
            case Fault.StopFails:
                h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingStop, EmulatedFault.Status(500), times: 10);
                break;
            case Fault.LiveAvatarStartUnauthorized:
                h.Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarStart, EmulatedFault.Status(401), times: 5);
                break;
            case Fault.LiveAvatarWebSocketForbidden:
                h.Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarRealtime, EmulatedFault.Status(403), times: 10);
                break;
            default:
                break;
        }

        h.Start();
        Exception? failure = null;
        if (fault is Fault.WebSocketDroppedMidUtterance or Fault.StopFails)
        {
            await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
            if (fault == Fault.WebSocketDroppedMidUtterance)
            {
                h.Realtime.Faults.DropAfterMessages = 2;
            }

            await h.QueueAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "d" },
                .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(2), 24_000), 24_000, "d"), new TTSStoppedFrame { ContextId = "d" }]);
            await h.AdvanceAsync(TimeSpan.FromSeconds(3));
            await h.QueueAsync(new EndFrame());
        }

        try
        {
            await h.FinishAsync();
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        IReadOnlyCollection<string> secrets = h.Emulator.Secrets;
        var scanner = new SecretScanner();
        scanner.AddLogs(logs);
        scanner.AddLogs(emulatorLogs);
        scanner.AddErrors(h.Errors);
        scanner.AddException("run failure", failure);
        if (failure is PipelineException { Error: { } error })
        {
            scanner.AddErrors([error]);
        }

        if (fault is not (Fault.WebSocketDroppedMidUtterance or Fault.StopFails))
        {
            failure.Should().BeOfType<PipelineException>("a start failure is fatal");
            string cause = fault switch
            {
                Fault.NewSessionMalformedBody => "not a JSON envelope",
                Fault.WebSocketForbidden or Fault.LiveAvatarWebSocketForbidden => "403",
                _ => "401",
            };
            ((PipelineException)failure!).Error.Message.Should().Contain(cause, "the error names the cause");
        }
        else
        {
            (h.Errors.Count + logs.Lines.Count(l => l.Level >= LogLevel.Warning)).Should().BeGreaterThan(0, "the fault was reported");
        }

        AssertCapturedEnough(logs);
        AssertScannerWorks(scanner, secrets);
        scanner.AssertClean(secrets);
    }

    [Fact]
    public async Task A_realtime_error_event_that_echoes_the_sessions_tokens_is_reported_without_them()
    {
        var logs = new CapturingLoggerProvider();
        using ILoggerFactory factory = logs.CreateFactory();
        await using AvatarHarness h = await AvatarHarness.CreateAsync(loggerFactory: factory);
        var original = h.Emulator.RealtimeHandler!;
        h.Emulator.RealtimeHandler = async (socket, session, ct) =>
        {
            // A server that quotes what it was given, as error messages often do.
            string echo = System.Text.Json.JsonSerializer.Serialize(
                $"invalid session_token={session.RealtimeToken} for url {session.RealtimeUrl} (access token {session.AccessToken}, agent token {session.AgentToken})");
            byte[] message = System.Text.Encoding.UTF8.GetBytes($"{{\"type\":\"error\",\"error\":{{\"type\":\"auth\",\"message\":{echo}}}}}");
            await socket.SendAsync(message, System.Net.WebSockets.WebSocketMessageType.Text, endOfMessage: true, ct);
            await original(socket, session, ct);
        };
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.Errors.Count > 0, "the server's error reported");
        await h.QueueAsync(new EndFrame());
        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);

        h.Errors.Should().ContainSingle().Which.Message.Should().Contain("HeyGen reported an error: auth: invalid");
        var scanner = new SecretScanner();
        scanner.AddLogs(logs);
        scanner.AddErrors(h.Errors);
        AssertScannerWorks(scanner, h.Emulator.Secrets);
        scanner.AssertClean(h.Emulator.Secrets);
    }

    [Fact]
    public async Task Session_responses_and_media_requests_print_without_their_tokens()
    {
        var logs = new CapturingLoggerProvider();
        using ILoggerFactory factory = logs.CreateFactory();
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions { LoggerFactory = factory });
        using var heygen = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl }, factory);
        using var live = new LiveAvatarApi(new LiveAvatarApiOptions { ApiKey = emulator.LiveAvatarApiKey, BaseUrl = emulator.LiveAvatarApiBaseUrl }, factory);

        StandardSessionResponse a = await heygen.NewSessionAsync(new NewSessionRequest());
        StandardSessionResponse b = await live.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = LiveAvatarNewSessionRequest.SandboxAvatarId });
        string token = await heygen.CreateTokenAsync();
        var scanner = new SecretScanner();
        foreach (StandardSessionResponse response in new[] { a, b })
        {
            response.LiveKitAgentToken.Should().NotBeNullOrEmpty();
            scanner.Add("StandardSessionResponse.ToString", response.ToString());
            scanner.Add("StandardSessionResponse.ToString", $"{response}");
            var request = new AvatarMediaConnectRequest(new Uri(response.LiveKitUrl!), response.AccessToken ?? response.LiveKitAgentToken, "heygen");
            scanner.Add("AvatarMediaConnectRequest.ToString", request.ToString());
            request.ToString().Should().Contain(response.LiveKitUrl!.TrimEnd('/')).And.Contain("***");
            response.ToString().Should().Contain(response.SessionId).And.Contain("***");
        }

        scanner.Add("HeyGenSession.ToString", a.RawResponse.ToString());
        scanner.Add("LiveAvatarSessionData.ToString", b.RawResponse.ToString());
        var heygenOptions = new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl };
        var liveOptions = new LiveAvatarApiOptions { ApiKey = emulator.LiveAvatarApiKey, BaseUrl = emulator.LiveAvatarApiBaseUrl };
        scanner.Add("HeyGenApiOptions.ToString", heygenOptions.ToString());
        scanner.Add("LiveAvatarApiOptions.ToString", liveOptions.ToString());
        // The service holds no key of its own (the API client does): its options and its name carry none.
        scanner.Add("HeyGenVideoService.ToString", new Pipeline.HeyGen.Video.HeyGenVideoService(heygen, emulator.MediaConnector).ToString());

        // A LiveAvatar request that carries the caller's own LiveKit token (in the field and in the URL).
        const string OwnToken = "caller-livekit-token-0123456789";
        var custom = new LiveAvatarNewSessionRequest
        {
            AvatarId = LiveAvatarNewSessionRequest.SandboxAvatarId,
            Mode = LiveAvatarMode.Lite,
            LiveKitConfig = new CustomLiveKitConfig { LiveKitUrl = "wss://lk.example.com/?access_token=" + OwnToken, LiveKitRoom = "room-1", LiveKitClientToken = OwnToken },
        };
        scanner.Add("LiveAvatarNewSessionRequest.ToString", custom.ToString());
        custom.ToString().Should().Contain("room-1", "the record still prints its other fields");
        StandardSessionResponse c = await live.NewSessionAsync(custom);
        scanner.Add("StandardSessionResponse.ToString (custom LiveKit)", c.ToString());
        await live.CloseSessionAsync(c.SessionId);

        await heygen.CloseSessionAsync(a.SessionId);
        await live.CloseSessionAsync(b.SessionId);

        IReadOnlyCollection<string> secrets = [.. emulator.Secrets, OwnToken];
        secrets.Should().Contain(token).And.Contain(a.LiveKitAgentToken).And.Contain(b.LiveKitAgentToken);
        secrets.Should().Contain(a.AccessToken!);
        scanner.AddLogs(logs);
        AssertScannerWorks(scanner, secrets);
        scanner.AssertClean(secrets);
        // The websocket URL carries a token in its query string; its printed form must not.
        a.WebSocketUrl.Should().Contain("token", "the test covers a URL with a token in it");
    }

    [Fact]
    public async Task The_emulators_request_logs_never_show_a_realtime_token()
    {
        var emulatorLogs = new CapturingLoggerProvider();
        using ILoggerFactory emulatorFactory = emulatorLogs.CreateFactory();
        await using AvatarHarness h = await AvatarHarness.CreateAsync(emulatorLoggerFactory: emulatorFactory);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        await h.QueueAsync(new EndFrame());
        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);

        var scanner = new SecretScanner();
        scanner.AddLogs(emulatorLogs);
        AssertScannerWorks(scanner, h.Emulator.Secrets);
        scanner.AssertClean(h.Emulator.Secrets);
    }

    /// <summary>
    /// The emulator's logs at Trace, except Kestrel's per-request line (see the skipped test above): a stand-in for a
    /// server's access log, which the real HeyGen keeps on its side.
    /// </summary>
    private static ILoggerFactory EmulatorLogs(CapturingLoggerProvider provider) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Trace)
            .AddProvider(provider));

    private static void AssertCapturedEnough(CapturingLoggerProvider logs)
    {
        logs.Lines.Should().Contain(l => l.Level <= LogLevel.Debug, "logging ran at the most verbose level");
        logs.Lines.Select(l => l.Category).Distinct().Count().Should().BeGreaterThan(2, "several components logged");
    }

    /// <summary>The scan is not vacuous: it finds a secret planted in what it scans.</summary>
    private static void AssertScannerWorks(SecretScanner scanner, IReadOnlyCollection<string> secrets)
    {
        scanner.TextCount.Should().BeGreaterThan(0);
        var planted = new SecretScanner();
        planted.Add("planted", "header x-api-key=" + Uri.EscapeDataString(secrets.Last()));
        planted.Find(secrets).Should().NotBeEmpty();
    }
}
