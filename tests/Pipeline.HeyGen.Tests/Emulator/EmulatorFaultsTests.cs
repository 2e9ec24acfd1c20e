using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Emulator;

/// <summary>One fault facade, <c>emulator.Faults</c>: the websocket and room-join faults it offers are honoured by the one host.</summary>
public sealed class EmulatorFaultsTests : EmulatorTest
{
    [Fact]
    public async Task A_session_websocket_fault_refuses_its_upgrades_with_the_status_until_cleared()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        Emulator.Faults.ForSession(session.SessionId).RejectUpgradeWithStatus = 503;
        using var http = new HttpClient();

        using (var refused = await http.GetAsync(new Uri(session.WebSocketUrl.Replace("ws://", "http://", StringComparison.Ordinal))))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        }

        Emulator.Faults.ForSession(session.SessionId).RejectUpgradeWithStatus = null;
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        socket.State.Should().Be(WebSocketState.Open);
        // The server side of the socket is set up just after the client sees the upgrade answered.
        await FakeClockPump.WaitUntilAsync(() => Emulator.FindRealtime(session.SessionId) is not null, "the session's realtime side", TimeSpan.FromSeconds(10));
        Emulator.FindRealtime(session.SessionId)!.Faults.Should().BeSameAs(Emulator.Faults.ForSession(session.SessionId), "one fault object per session");
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task A_room_join_fault_refuses_the_join_and_the_next_join_succeeds()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        EmulatedSession emulated = Emulator.FindSession(session.SessionId)!;
        var request = new AvatarMediaConnectRequest(emulated.LiveKitUrl!, emulated.AccessToken!, "avatar");
        Emulator.Faults.Inject(EmulatorEndpoint.MediaRoomJoin, EmulatedFault.Status(403));

        var refused = await Emulator.MediaConnector.Invoking(c => c.ConnectAsync(request, CancellationToken.None).AsTask())
            .Should().ThrowAsync<AvatarMediaException>();
        refused.Which.Message.Should().Contain("refused the join").And.Contain("403");

        await using IAvatarMediaSession joined = await Emulator.MediaConnector.ConnectAsync(request, CancellationToken.None);
        joined.AvatarPresent.Should().BeTrue();
        Emulator.Faults.Pending(EmulatorEndpoint.MediaRoomJoin).Should().Be(0);
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task A_delayed_room_join_waits_on_the_emulator_clock()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions { TimeProvider = time, RealtimeOnly = true });
        EmulatedSession session = emulator.OpenRealtimeSession().Session;
        emulator.Faults.Inject(EmulatorEndpoint.MediaRoomJoin, EmulatedFault.Delayed(TimeSpan.FromMinutes(1)));

        var joining = emulator.MediaConnector.ConnectAsync(new AvatarMediaConnectRequest(session.LiveKitUrl!, session.AgentToken, "avatar"), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(59));
        joining.IsCompleted.Should().BeFalse("the join is held for a minute of the emulator's clock");
        time.Advance(TimeSpan.FromSeconds(1));
        await using IAvatarMediaSession joined = await joining.WaitAsync(TimeSpan.FromSeconds(10));

        joined.AvatarPresent.Should().BeTrue();
    }

    [Fact]
    public async Task The_realtime_only_mode_serves_the_websocket_of_directly_opened_sessions_and_no_REST()
    {
        await using var emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions { RealtimeOnly = true });
        using var http = new HttpClient();
        using var rest = await http.PostAsync(new Uri(emulator.BaseAddress, "v1/streaming.new"), new StringContent("{}"));
        rest.StatusCode.Should().Be(HttpStatusCode.NotFound);

        var realtime = emulator.OpenRealtimeSession(EmulatedProduct.LiveAvatar);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(emulator.RealtimeEndpointFor(realtime), CancellationToken.None);

        emulator.RealtimeEndpointFor(realtime).AbsolutePath.Should().Be(EmulatorPaths.LiveAvatarRealtime);
        realtime.Session.State.Should().Be(EmulatedSessionState.Started);
        await FakeClockPump.WaitUntilAsync(() => realtime.ConnectionCount == 1, "the socket being accepted", TimeSpan.FromSeconds(10));
        socket.Abort();
    }
}
