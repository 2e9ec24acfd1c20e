using System.Net.WebSockets;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Testing;
using Pipeline.WebSocket.Frames;
using Pipeline.WebSocket.Tests.Support;

namespace Pipeline.WebSocket.Tests;

/// <summary>Disconnect policies, cancellation and start-up: the run always returns and leaves no task behind.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task By_default_a_client_leaving_mid_utterance_ends_the_pipeline_and_later_clients_are_told_it_ended()
    {
        var transport = new WebSocketTransport();
        transport.Options.DisconnectPolicy.Should().Be(ClientDisconnectPolicy.EndPipeline);
        await using var served = await ServedPipelineWith(transport);
        await using (TestClient client = await TestClient.JoinAsync(served.WebSocketUri))
        {
            await served.WaitForAsync<OutputTransportReadyFrame>();
            await served.Harness.QueueAsync(new BotStartedSpeakingFrame(), new OutputAudioRawFrame(new byte[4800], 24_000, 1));
            await client.ReceiveUntilAsync(m => m.Kind == 1);
            await client.CloseAsync();
        }

        PipelineFinish finish = await served.Harness.FinishAsync();

        finish.Reason.Should().Be(PipelineFinishReason.Ended);
        finish.RunningTaskCount.Should().Be(0);
        served.Recorder.Downstream.Should().ContainSingle(f => f is WebSocketClientDisconnectedFrame);
        served.Recorder.Downstream.OfType<InterruptionFrame>().Should().ContainSingle("the rest of the bot's turn is dropped first");
        served.Harness.AtEnd.OfType<EndFrame>().Single().Reason.Should().Contain("WebSocket client left");
        await using TestClient late = await ConnectOrNullAsync(served.WebSocketUri);
        if (late is not null)
        {
            (await late.ReceiveCloseAsync()).CloseStatus.Should().Be(WebSocketCloseStatus.EndpointUnavailable);
        }
    }

    [Fact]
    public async Task With_WaitForReconnect_a_new_client_continues_the_same_pipeline()
    {
        await using var served = await ServedPipeline.StartAsync(new WebSocketTransportOptions { DisconnectPolicy = ClientDisconnectPolicy.WaitForReconnect });
        await using (TestClient first = await TestClient.JoinAsync(served.WebSocketUri))
        {
            await first.CloseAsync();
        }

        await served.WaitForAsync<WebSocketClientDisconnectedFrame>();
        await using TestClient second = await TestClient.JoinAsync(served.WebSocketUri);
        await second.SendAudioAsync(new byte[640], 16_000);

        await served.WaitForAsync<InputAudioRawFrame>();
        served.Recorder.Downstream.OfType<WebSocketClientConnectedFrame>().Select(f => f.ClientId).Should().HaveCount(2).And.OnlyHaveUniqueItems();
        served.Harness.Running!.IsCompleted.Should().BeFalse();
        served.Recorder.Upstream.OfType<OutputTransportReadyFrame>().Should().HaveCount(2, "each client opens the output gate");
    }

    [Fact]
    public async Task A_client_that_drops_without_a_close_is_noticed()
    {
        await using var served = await ServedPipeline.StartAsync();
        TestClient client = await TestClient.JoinAsync(served.WebSocketUri);

        await client.DisposeAsync(); // aborts the TCP connection, no close frame

        await served.WaitForAsync<WebSocketClientDisconnectedFrame>();
        served.Transport.IsClientConnected.Should().BeFalse();
    }

    [Fact]
    public async Task Cancelling_the_run_with_a_client_connected_returns_closes_the_client_and_leaves_no_task()
    {
        await using var served = await ServedPipeline.StartAsync();
        await using TestClient client = await TestClient.JoinAsync(served.WebSocketUri);
        await client.SendAudioAsync(new byte[640], 16_000);
        await served.WaitForAsync<InputAudioRawFrame>();

        Task<Received> closing = client.ReceiveCloseAsync();

        served.Harness.Task.Cancel();
        PipelineFinish finish = await served.Harness.FinishAsync();
        Received close = await closing;

        finish.Reason.Should().Be(PipelineFinishReason.Cancelled);
        finish.RunningTaskCount.Should().Be(0, string.Join(", ", finish.RunningTaskNames));
        close.CloseStatus.Should().Be(WebSocketCloseStatus.EndpointUnavailable);
        close.CloseReason.Should().Contain("pipeline ended");
    }

    [Fact]
    public async Task Cancelling_the_run_before_anyone_connects_returns_and_stops_the_server()
    {
        await using var served = await ServedPipeline.StartAsync();
        Uri uri = served.WebSocketUri;

        served.Harness.Task.Cancel();
        PipelineFinish finish = await served.Harness.FinishAsync();

        finish.RunningTaskCount.Should().Be(0);
        Func<Task> connect = () => TestClient.ConnectAsync(uri);
        await connect.Should().ThrowAsync<WebSocketException>("the server stopped with the run");
    }

    [Fact]
    public async Task A_client_that_never_says_hello_is_closed_after_the_hello_timeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var served = await ServedPipeline.StartAsync(new WebSocketTransportOptions
        {
            DisconnectPolicy = ClientDisconnectPolicy.WaitForReconnect,
            HelloTimeout = TimeSpan.FromSeconds(10),
            TimeProvider = clock,
        });
        await using TestClient client = await TestClient.ConnectAsync(served.WebSocketUri);
        await served.Harness.WaitUntilAsync(() => served.Transport.Server.Reserved is not null, "the server to take the client");
        Task<Received> closing = client.ReceiveCloseAsync();

        clock.Advance(TimeSpan.FromSeconds(9));
        closing.IsCompleted.Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(1));

        Received close = await closing;
        close.CloseStatus.Should().Be(WebSocketCloseStatus.InvalidPayloadData);
        close.CloseReason.Should().Be("no hello within 10 s: send the hello message as soon as the socket opens");
    }

    [Fact]
    public async Task The_address_is_known_before_the_pipeline_starts_when_started_early()
    {
        await using var transport = new WebSocketTransport();

        Uri address = await transport.StartAsync();

        address.Host.Should().Be("127.0.0.1");
        address.Port.Should().BePositive();
        transport.WebSocketUri!.ToString().Should().Be($"ws://127.0.0.1:{address.Port}/ws");
        using var http = new HttpClient();
        string page = await http.GetStringAsync(address);
        page.Should().Contain("<canvas").And.Contain("content=\"/ws\"");
        (await http.GetStringAsync(new Uri(address, "playground/mic-worklet.js"))).Should().Contain("registerProcessor");
    }

    [Fact]
    public void Options_out_of_range_are_refused_with_what_is_allowed()
    {
        Action badPort = () => _ = new WebSocketTransport(new WebSocketTransportOptions { Port = 70_000 });
        Action badFps = () => _ = new WebSocketTransport(new WebSocketTransportOptions { MaxVideoFramesPerSecond = 0 });
        Action badPath = () => _ = new WebSocketTransport(new WebSocketTransportOptions { WebSocketPath = "ws" });

        badPort.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*0 (OS-chosen) to 65535*");
        badFps.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*above 0 and at most 120*");
        badPath.Should().Throw<ArgumentException>().WithMessage("*absolute path such as /ws*");
    }

    private static Task<ServedPipeline> ServedPipelineWith(WebSocketTransport transport) => ServedPipeline.StartAsync(transport);

    private static async Task<TestClient> ConnectOrNullAsync(Uri uri)
    {
        try
        {
            return await TestClient.ConnectAsync(uri);
        }
        catch (WebSocketException)
        {
            return null!; // the server had already stopped: also a clear refusal
        }
    }
}
