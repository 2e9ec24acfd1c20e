using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Emulator;

/// <summary>The "never sends connected" mode: the socket reports <c>connecting</c> and never <c>connected</c>, yet takes
/// speech at once, as LiveAvatar LITE sessions reportedly behave.</summary>
public sealed class EmulatorNeverConnectedTests : EmulatorTest
{
    protected override HeyGenEmulatorOptions EmulatorOptions() => new() { NeverSendConnected = true };

    [Fact]
    public async Task The_socket_never_reports_connected_and_plays_the_first_speech_at_once()
    {
        var api = LiveAvatar();
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);

        var audio = Convert.ToBase64String(new byte[4800]);
        await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"agent.speak","event_id":"u1","audio":"{{audio}}"}"""),
            WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        var types = new List<string>();
        var states = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!types.Contains("agent.audio_buffer_appended") && !types.Contains("error"))
        {
            using var message = JsonDocument.Parse(await ReceiveTextAsync(socket, timeout.Token));
            var type = message.RootElement.GetProperty("type").GetString()!;
            types.Add(type);
            if (type == "session.state_updated") states.Add(message.RootElement.GetProperty("state").GetString()!);
        }

        types.Should().NotContain("error", "speech before any connected event is played, not refused");
        states.Should().Equal("connecting");
        Emulator.FindRealtime(session.SessionId)!.Options.SendConnectedState.Should().BeFalse();
        await api.CloseSessionAsync(session.SessionId);
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var count = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
            count += result.Count;
            if (result.EndOfMessage) return Encoding.UTF8.GetString(buffer, 0, count);
        }
    }
}
