using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Pipeline.LiveKit.Tests;

public sealed class ConnectTests
{
    private const string Token = "test-token-that-must-never-be-logged-4f8a2c";

    [Fact]
    public async Task Connecting_to_a_closed_port_fails_fast_with_the_engines_reason()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        int port = ClosedPort();
        await using var room = new Room(TestLogging.Factory);
        var elapsed = Stopwatch.StartNew();

        Func<Task> connect = () => room.ConnectAsync(new Uri($"ws://127.0.0.1:{port}"), Token, new RoomConnectOptions { JoinRetries = 0 });

        (await connect.Should().ThrowAsync<LiveKitException>())
            .Which.Message.Should().Contain("Connection refused").And.Contain($"127.0.0.1:{port}").And.NotContain(Token);
        elapsed.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task A_join_that_never_completes_times_out_by_our_timeout()
    {
        // Accepts the TCP connection and never answers the WebSocket handshake.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var room = new Room(TestLogging.Factory);
        var elapsed = Stopwatch.StartNew();

        Func<Task> connect = () => room.ConnectAsync(
            new Uri($"ws://127.0.0.1:{port}"), Token, new RoomConnectOptions { ConnectTimeout = TimeSpan.FromMilliseconds(400) });

        var thrown = await connect.Should().ThrowAsync<LiveKitException>();
        thrown.Which.Message.Should().Contain("timed out after 400 ms");
        thrown.Which.InnerException.Should().BeOfType<TimeoutException>();
        elapsed.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task The_engines_own_logs_reach_the_logger_and_never_carry_the_token()
    {
        int port = ClosedPort();
        Task<LogEntry> engineInfo = TestLogging.Provider.WaitForAsync(e =>
            e.Category == "LiveKit.Native" && e.Level == LogLevel.Information && e.Message.Contains($"connecting to ws://127.0.0.1:{port}/rtc", StringComparison.Ordinal));
        Task<LogEntry> engineError = TestLogging.Provider.WaitForAsync(e =>
            e.Category == "LiveKit.Native" && e.Level == LogLevel.Error && e.Message.Contains("Connection refused", StringComparison.Ordinal));
        await using var room = new Room(TestLogging.Factory);

        Func<Task> connect = () => room.ConnectAsync(new Uri($"ws://127.0.0.1:{port}"), Token, new RoomConnectOptions { JoinRetries = 0 });
        await connect.Should().ThrowAsync<LiveKitException>();

        // The engine flushes its log batches every second.
        (await engineInfo.WaitAsync(TimeSpan.FromSeconds(5))).Message.Should().StartWith("[livekit_api::signal_client");
        (await engineError.WaitAsync(TimeSpan.FromSeconds(5))).Message.Should().StartWith("[livekit_ffi::");
        TestLogging.Provider.Entries.Should().NotContain(e => e.Message.Contains(Token, StringComparison.Ordinal));
    }

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
