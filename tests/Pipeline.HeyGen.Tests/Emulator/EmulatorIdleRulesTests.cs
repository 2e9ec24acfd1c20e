using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Emulator;

/// <summary>
/// Each product's idle rule (<see cref="IdleRules"/>), pinned on a fake clock: a session with a 30 s idle timeout ends
/// with IDLE_TIMEOUT after 30 s without resetting activity, survives two minutes of the product's resetting activity
/// every 10 s, and is not kept alive by activity the rule does not count.
/// </summary>
public sealed class EmulatorIdleRulesTests : EmulatorTest
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _serverTime = new();
    private readonly IdleRules _rules = new() { LiveAvatarIdleTimeout = TimeSpan.FromSeconds(30) };

    protected override HeyGenEmulatorOptions EmulatorOptions() => new()
    {
        TimeProvider = _serverTime,
        EnforceSessionLimits = true,
        IdleRules = _rules,
    };

    [Fact]
    public void The_default_rules_are_the_documented_and_assumed_ones()
    {
        var rules = new IdleRules();

        rules.Resets(EmulatedProduct.InteractiveAvatar, IdleActivity.RestKeepAlive).Should().BeTrue("documented");
        rules.Resets(EmulatedProduct.InteractiveAvatar, IdleActivity.SocketKeepAlive).Should().BeFalse("documented for LITE only");
        rules.Resets(EmulatedProduct.LiveAvatar, IdleActivity.RestKeepAlive).Should().BeTrue("documented");
        rules.Resets(EmulatedProduct.LiveAvatar, IdleActivity.SocketKeepAlive).Should().BeTrue("documented");
        rules.Resets(EmulatedProduct.LiveAvatar, IdleActivity.Speech).Should().BeTrue("assumed");
        rules.Resets(EmulatedProduct.LiveAvatar, IdleActivity.Other).Should().BeFalse("assumed");
        rules.LiveAvatarIdleTimeout.Should().Be(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task An_Interactive_session_with_a_30_s_idle_timeout_ends_after_30_s_without_activity()
    {
        var session = await HeyGen().NewSessionAsync(new NewSessionRequest { ActivityIdleTimeout = 30 });
        var emulated = Emulator.FindSession(session.SessionId)!;

        _serverTime.Advance(TimeSpan.FromSeconds(29));
        emulated.IsOpen.Should().BeTrue();
        _serverTime.Advance(TimeSpan.FromSeconds(1));

        emulated.StopReason.Should().Be("IDLE_TIMEOUT");
    }

    [Fact]
    public async Task An_Interactive_session_survives_two_minutes_of_REST_keep_alives_every_10_s()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest { ActivityIdleTimeout = 30 });

        for (var i = 0; i < 12; i++)
        {
            _serverTime.Advance(Step);
            await api.KeepAliveAsync(session.SessionId);
        }

        Emulator.FindSession(session.SessionId)!.IsOpen.Should().BeTrue();
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task Websocket_keep_alives_do_not_keep_an_Interactive_session_alive()
    {
        var session = await HeyGen().NewSessionAsync(new NewSessionRequest { ActivityIdleTimeout = 30 });
        using var socket = await ConnectAsync(session.WebSocketUrl);
        var realtime = await RealtimeOfAsync(session.SessionId);

        for (var i = 1; i <= 3; i++)
        {
            _serverTime.Advance(Step);
            await SendAsync(socket, """{"type":"session.keep_alive","event_id":"k"}""");
            await realtime.Recorder.WaitForCountAsync("session.keep_alive", i).WaitAsync(Wait);
        }

        Emulator.FindSession(session.SessionId)!.StopReason.Should().Be("IDLE_TIMEOUT");
        realtime.CloseReason.Should().Be("IDLE_TIMEOUT", "the socket reports the session's own idle timeout");
    }

    [Fact]
    public async Task A_LiveAvatar_session_with_a_30_s_idle_timeout_ends_after_30_s_without_activity()
    {
        var session = await LiveAvatar().NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });
        var emulated = Emulator.FindSession(session.SessionId)!;

        _serverTime.Advance(TimeSpan.FromSeconds(29));
        emulated.IsOpen.Should().BeTrue();
        _serverTime.Advance(TimeSpan.FromSeconds(1));

        emulated.StopReason.Should().Be("IDLE_TIMEOUT");
    }

    [Fact]
    public async Task A_LiveAvatar_session_survives_two_minutes_of_websocket_keep_alives_every_10_s()
    {
        var api = LiveAvatar();
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });
        using var socket = await ConnectAsync(session.WebSocketUrl);
        var realtime = await RealtimeOfAsync(session.SessionId);

        for (var i = 1; i <= 12; i++)
        {
            _serverTime.Advance(Step);
            await SendAsync(socket, """{"type":"session.keep_alive","event_id":"k"}""");
            await realtime.Recorder.WaitForCountAsync("session.keep_alive", i).WaitAsync(Wait);
        }

        Emulator.FindSession(session.SessionId)!.IsOpen.Should().BeTrue();
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task A_LiveAvatar_session_survives_two_minutes_of_REST_keep_alives_every_10_s()
    {
        var api = LiveAvatar();
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });

        for (var i = 0; i < 12; i++)
        {
            _serverTime.Advance(Step);
            await api.KeepAliveAsync(session.SessionId);
        }

        Emulator.FindSession(session.SessionId)!.IsOpen.Should().BeTrue();
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task Unknown_socket_events_do_not_keep_a_LiveAvatar_session_alive()
    {
        var session = await LiveAvatar().NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });
        using var socket = await ConnectAsync(session.WebSocketUrl);
        var realtime = await RealtimeOfAsync(session.SessionId);

        for (var i = 1; i <= 3; i++)
        {
            _serverTime.Advance(Step);
            await SendAsync(socket, """{"type":"session.ping","event_id":"p"}""");
            await realtime.Recorder.WaitForCountAsync("session.ping", i).WaitAsync(Wait);
        }

        Emulator.FindSession(session.SessionId)!.StopReason.Should().Be("IDLE_TIMEOUT");
    }

    [Fact]
    public async Task A_rule_turned_off_stops_counting_that_activity()
    {
        _rules.LiveAvatar &= ~IdleActivity.RestKeepAlive;
        var api = LiveAvatar();
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });

        _serverTime.Advance(TimeSpan.FromSeconds(20));
        await api.KeepAliveAsync(session.SessionId);
        _serverTime.Advance(Step);

        Emulator.FindSession(session.SessionId)!.StopReason.Should().Be("IDLE_TIMEOUT");
    }

    private static async Task<ClientWebSocket> ConnectAsync(string url)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(url), CancellationToken.None);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
}
