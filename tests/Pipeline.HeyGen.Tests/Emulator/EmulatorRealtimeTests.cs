using System.Net;
using System.Net.WebSockets;
using System.Text;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Emulator;

/// <summary>The realtime websocket URLs the emulator hands out lead to a pluggable handler, for started sessions only.</summary>
public sealed class EmulatorRealtimeTests : EmulatorTest
{
    [Fact]
    public async Task Without_a_handler_the_realtime_path_answers_501()
    {
        Emulator.RealtimeHandler = null; // the emulator's own avatar handler is the default
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        using var http = new HttpClient();

        using var response = await http.GetAsync(HttpUrl(session.WebSocketUrl));

        response.StatusCode.Should().Be(HttpStatusCode.NotImplemented);
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task A_registered_handler_gets_the_socket_and_the_validated_session()
    {
        EmulatedSession? seen = null;
        Emulator.RealtimeHandler = async (socket, session, ct) =>
        {
            seen = session;
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, ct);
            await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, endOfMessage: true, ct);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);
        };
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());

        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        await client.SendAsync(Encoding.UTF8.GetBytes("""{"type":"agent.speak"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1024];
        var echo = await client.ReceiveAsync(buffer, CancellationToken.None);

        Encoding.UTF8.GetString(buffer, 0, echo.Count).Should().Be("""{"type":"agent.speak"}""");
        seen!.Id.Should().Be(session.SessionId);
        seen.Product.Should().Be(EmulatedProduct.InteractiveAvatar);
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task The_LiveAvatar_ws_url_reaches_the_same_handler()
    {
        var connected = new TaskCompletionSource<EmulatedSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        Emulator.RealtimeHandler = async (socket, session, ct) =>
        {
            connected.TrySetResult(session);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        };
        var api = LiveAvatar();
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });

        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);

        (await connected.Task.WaitAsync(TimeSpan.FromSeconds(10))).Product.Should().Be(EmulatedProduct.LiveAvatar);
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task A_handler_can_end_the_socket_when_the_session_is_stopped_over_REST()
    {
        Emulator.RealtimeHandler = async (socket, session, ct) =>
        {
            await session.WhenStopped.WaitAsync(ct);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "session stopped", ct);
        };
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);

        await api.CloseSessionAsync(session.SessionId);
        var result = await client.ReceiveAsync(new byte[16], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        result.MessageType.Should().Be(WebSocketMessageType.Close);
        client.CloseStatusDescription.Should().Be("session stopped");
    }

    [Fact]
    public async Task A_wrong_session_token_is_refused_with_401()
    {
        Emulator.RealtimeHandler = (_, _, _) => Task.CompletedTask;
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{Emulator.Port}/v1/ws/streaming.chat?session_id={session.SessionId}&session_token=guess"));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task A_session_that_is_not_started_is_refused_with_409()
    {
        Emulator.RealtimeHandler = (_, _, _) => Task.CompletedTask;
        var api = LiveAvatar();
        var token = await api.CreateSessionTokenAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });
        var emulated = Emulator.FindSession(token.SessionId)!;
        using var http = new HttpClient();

        using var response = await http.GetAsync(HttpUrl(emulated.RealtimeUrl.AbsoluteUri));

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        await api.CloseSessionAsync(token.SessionId);
    }

    [Fact]
    public async Task Stopping_the_emulator_cancels_a_running_handler()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions
        {
            RealtimeHandler = async (_, _, ct) =>
            {
                running.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }
                catch (OperationCanceledException)
                {
                    cancelled.TrySetResult();
                }
            },
        });
        using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
        var session = await api.NewSessionAsync(new NewSessionRequest());
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await api.CloseSessionAsync(session.SessionId);

        await emulator.DisposeAsync();

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static Uri HttpUrl(string wsUrl) => new(wsUrl.Replace("ws://", "http://", StringComparison.Ordinal));
}
