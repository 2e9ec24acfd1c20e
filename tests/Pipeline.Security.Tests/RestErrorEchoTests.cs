using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Realtime;
using Pipeline.Security.Tests.Infrastructure;

namespace Pipeline.Security.Tests;

/// <summary>
/// Servers that quote secrets back: session tokens echoed in the error bodies of <c>streaming.stop</c>,
/// <c>streaming.keep_alive</c> and <c>sessions/stop</c>, and the API key or tokens echoed JSON-escaped, URL-encoded,
/// base64-encoded or in part. Whole pipelines at trace level; nothing any log, error frame or exception shows may
/// contain any form of any secret (see <see cref="SecretScanner"/>).
/// </summary>
public sealed class RestErrorEchoTests
{
    // Characters JSON writers and URL encoders escape, so each encoding of the key differs from the raw key.
    private const string SpecialKey = "emu+heygen/key=Q9x&Zr7mWp2+Lk4Nv8";

    public enum EchoingCall
    {
        StreamingStop,
        StreamingKeepAlive,
        LiveAvatarStop,
    }

    [Theory]
    [InlineData(EchoingCall.StreamingStop)]
    [InlineData(EchoingCall.StreamingKeepAlive)]
    [InlineData(EchoingCall.LiveAvatarStop)]
    public async Task Session_tokens_echoed_in_a_stop_or_keep_alive_error_body_are_never_shown(EchoingCall call)
    {
        var logs = new CapturingLoggerProvider();
        using ILoggerFactory factory = logs.CreateFactory();
        bool liveAvatar = call == EchoingCall.LiveAvatarStop;
        await using AvatarHarness h = await AvatarHarness.CreateAsync(liveAvatar,
            configure: o => o.Realtime = new HeyGenRealtimeOptions { KeepAliveInterval = TimeSpan.FromSeconds(5) },
            loggerFactory: factory);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        EmulatedSession session = h.Emulator.FindSession(h.Service.SessionId!)!;

        // The server quotes every token of the session, in words and encoded, in a 4xx (not retried) error body.
        string body = JsonSerializer.Serialize(new { code = 400, message = Echo(session) });
        EmulatorEndpoint endpoint = call switch
        {
            EchoingCall.StreamingStop => EmulatorEndpoint.StreamingStop,
            EchoingCall.StreamingKeepAlive => EmulatorEndpoint.StreamingKeepAlive,
            _ => EmulatorEndpoint.LiveAvatarStop,
        };
        h.Emulator.Faults.Inject(endpoint, EmulatedFault.Status(400, body), times: call == EchoingCall.StreamingKeepAlive ? 1 : 20);
        if (call == EchoingCall.StreamingKeepAlive)
        {
            await h.AdvanceUntilAsync(() => h.Errors.Count > 0, TimeSpan.FromSeconds(30), "the failed keep-alive reported");
        }

        await h.QueueAsync(new EndFrame());
        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);

        h.Errors.Should().Contain(e => e.Message.Contains("HTTP 400", StringComparison.Ordinal), "the echoing error was reported");
        if (call != EchoingCall.StreamingKeepAlive)
        {
            session.IsOpen.Should().BeTrue("the stop was refused");
            h.Emulator.Faults.Clear();
            await h.Api.CloseSessionAsync(session.Id);
        }

        var scanner = new SecretScanner();
        scanner.AddLogs(logs);
        scanner.AddErrors(h.Errors);
        scanner.TextCount.Should().BeGreaterThan(0);
        scanner.AssertClean(h.Emulator.Secrets);
    }

    [Fact]
    public async Task The_api_key_echoed_in_any_encoding_or_in_part_by_a_failed_create_is_never_shown()
    {
        var logs = new CapturingLoggerProvider();
        using ILoggerFactory factory = logs.CreateFactory();
        await using AvatarHarness h = await AvatarHarness.CreateAsync(configureEmulator: o => o.ApiKey = SpecialKey, loggerFactory: factory);
        string key = h.Emulator.ApiKey;
        string echo = $"bad key {key[3..17]}; json \"{JsonSerializer.Serialize(key)[1..^1]}\" url {Uri.EscapeDataString(key)} " +
            $"b64 {Convert.ToBase64String(Encoding.UTF8.GetBytes(key))} basic {Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + key))}";
        h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(401, echo));

        h.Start();
        Exception? failure = null;
        try
        {
            await h.FinishAsync();
        }
        catch (PipelineException ex)
        {
            failure = ex;
        }

        failure.Should().NotBeNull("a refused create is fatal");
        var scanner = new SecretScanner();
        scanner.AddLogs(logs);
        scanner.AddErrors(h.Errors);
        scanner.AddException("run failure", failure);
        ((PipelineException)failure!).Error.Message.Should().Contain("401").And.Contain("bad key ***");
        scanner.AssertClean([key]);
    }

    [Fact]
    public async Task Tokens_echoed_encoded_or_in_part_in_a_realtime_error_event_are_never_shown()
    {
        var logs = new CapturingLoggerProvider();
        using ILoggerFactory factory = logs.CreateFactory();
        await using AvatarHarness h = await AvatarHarness.CreateAsync(loggerFactory: factory);
        var original = h.Emulator.RealtimeHandler!;
        h.Emulator.RealtimeHandler = async (socket, session, ct) =>
        {
            string message = JsonSerializer.Serialize(new { type = "error", error = new { type = "auth", message = Echo(session) } });
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), System.Net.WebSockets.WebSocketMessageType.Text, endOfMessage: true, ct);
            await original(socket, session, ct);
        };
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.Errors.Count > 0, "the server's error reported");
        await h.QueueAsync(new EndFrame());
        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);

        var scanner = new SecretScanner();
        scanner.AddLogs(logs);
        scanner.AddErrors(h.Errors);
        h.Errors.Should().Contain(e => e.Message.Contains("auth", StringComparison.Ordinal));
        scanner.AssertClean(h.Emulator.Secrets);
    }

    // Every token of the session: raw, URL-encoded, base64, and a 14-character piece (each in plain words, so no
    // field-name pattern can find them: only knowing the secrets can).
    private static string Echo(EmulatedSession session)
    {
        string[] tokens = [.. new[] { session.AccessToken, session.AgentToken, session.RealtimeToken, session.SessionToken }.OfType<string>()];
        return "session rejected; on file: " + string.Join("; ", tokens.Select(t =>
            $"{t} / {Uri.EscapeDataString(t + "+")} / {Convert.ToBase64String(Encoding.UTF8.GetBytes(t))} / part {t[2..16]}"));
    }
}
