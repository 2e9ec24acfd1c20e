using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.HeyGen.Realtime.Tests.Support;

namespace Pipeline.HeyGen.Realtime.Tests;

/// <summary>The emulator's own rules, driven by a bare websocket so the client's safeguards do not hide them.</summary>
public sealed class EmulatorTests
{
    [Fact]
    public async Task A_message_over_one_megabyte_closes_the_socket_with_1009()
    {
        await using var server = await RealtimeHarness.StartEmulatorAsync();
        var session = server.OpenRealtimeSession();
        using var socket = await ConnectAsync(server, session);

        var huge = $"{{\"type\":\"agent.speak\",\"event_id\":\"u\",\"audio\":\"{new string('A', 1_000_000)}\"}}";
        await socket.SendAsync(Encoding.UTF8.GetBytes(huge), WebSocketMessageType.Text, true, CancellationToken.None);
        await ReadUntilCloseAsync(socket);

        socket.CloseStatus.Should().Be(WebSocketCloseStatus.MessageTooBig);
        session.Recorder.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task A_speak_before_the_session_is_connected_is_answered_with_an_error_and_not_played()
    {
        var time = new TimerWatchingTimeProvider();
        await using var server = await RealtimeHarness.StartEmulatorAsync(new RealtimeEmulatorOptions { ConnectedDelay = TimeSpan.FromSeconds(1) }, time);
        var session = server.OpenRealtimeSession();
        using var socket = await ConnectAsync(server, session);

        await SendAsync(socket, $"{{\"type\":\"agent.speak\",\"event_id\":\"u\",\"audio\":\"{Convert.ToBase64String(new byte[480])}\"}}");
        var messages = await ReadMessagesAsync(socket, 2);

        messages.Select(m => m.GetProperty("type").GetString()).Should().Equal("session.state_updated", "error");
        messages[1].GetProperty("source_event_id").GetString().Should().Be("u");
        messages[1].GetProperty("error").GetProperty("type").GetString().Should().Be("invalid_request_error");
        session.AvatarState.Should().Be("idle");
    }

    [Fact]
    public async Task Unknown_and_malformed_client_messages_are_recorded_and_answered_with_errors()
    {
        await using var server = await RealtimeHarness.StartEmulatorAsync();
        var session = server.OpenRealtimeSession();
        using var socket = await ConnectAsync(server, session);
        await ReadMessagesAsync(socket, 2);

        await SendAsync(socket, "{\"type\":\"agent.dance\",\"event_id\":\"d\"}");
        await SendAsync(socket, "{oops");
        var errors = await ReadMessagesAsync(socket, 2);

        errors.Should().OnlyContain(e => e.GetProperty("type").GetString() == "error");
        session.Recorder.Events.Select(e => e.Type).Should().Equal("agent.dance", RecordedClientEvent.Malformed);
    }

    [Fact]
    public async Task The_session_survives_a_reconnect_and_refuses_sockets_once_closed()
    {
        await using var server = await RealtimeHarness.StartEmulatorAsync();
        var session = server.OpenRealtimeSession();
        using (var first = await ConnectAsync(server, session))
        {
            await first.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }

        using (var second = await ConnectAsync(server, session))
        {
            var opened = await ReadMessagesAsync(second, 2);
            session.CloseSession("USER_CLOSED");
            var closed = await ReadMessagesAsync(second, 2);
            opened.Concat(closed).Select(m => m.GetProperty("state").GetString()).Should().Equal("connecting", "connected", "closing", "closed");
        }

        var refused = async () => await ConnectAsync(server, session);
        (await refused.Should().ThrowAsync<WebSocketException>()).Which.Message.Should().Contain("410");
        session.ConnectionCount.Should().Be(2);
    }

    private static async Task<ClientWebSocket> ConnectAsync(HeyGenEmulator server, RealtimeSessionContext session)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.RealtimeEndpointFor(session), CancellationToken.None);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<List<JsonElement>> ReadMessagesAsync(ClientWebSocket socket, int count)
    {
        using var cancel = new CancellationTokenSource(TestTimeouts.Wait);
        var messages = new List<JsonElement>();
        var buffer = new byte[64 * 1024];
        while (messages.Count < count)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancel.Token);
                length += result.Count;
            }
            while (!result.EndOfMessage);
            messages.Add(JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone());
        }

        return messages;
    }

    private static async Task ReadUntilCloseAsync(ClientWebSocket socket)
    {
        using var cancel = new CancellationTokenSource(TestTimeouts.Wait);
        var buffer = new byte[4096];
        try
        {
            while ((await socket.ReceiveAsync(buffer.AsMemory(), cancel.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (WebSocketException)
        {
            // Closed hard after the close frame.
        }
    }
}
