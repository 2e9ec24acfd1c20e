using System.Net;
using System.Net.Sockets;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Realtime.Tests.Support;

namespace Pipeline.HeyGen.Realtime.Tests;

public sealed class ConnectionErrorTests
{
    [Fact]
    public async Task A_wrong_session_token_is_an_Unauthorized_error_carrying_HTTP_401_and_no_token()
    {
        await using var h = await RealtimeHarness.StartAsync(connect: false);
        var endpoint = h.Server.RealtimeEndpointFor(h.Session, token: "wrong-secret-token");

        var error = (await h.Client.Invoking(c => c.ConnectAsync(endpoint)).Should().ThrowAsync<HeyGenRealtimeException>()).Which;

        error.Failure.Should().Be(RealtimeFailure.Unauthorized);
        error.HttpStatusCode.Should().Be(401);
        error.Message.Should().NotContain("wrong-secret-token").And.Contain("session_token=***");
        h.Logger.Lines.Should().NotBeEmpty().And.OnlyContain(l => !l.Contains("wrong-secret-token", StringComparison.Ordinal));
        h.Client.State.Should().Be(RealtimeConnectionState.NotConnected);
    }

    [Fact]
    public async Task A_forbidden_upgrade_is_an_Unauthorized_error_carrying_HTTP_403()
    {
        await using var h = await RealtimeHarness.StartAsync(connect: false, faults: f => f.RejectUpgradeWithStatus = 403);

        var error = (await h.Client.Invoking(c => c.ConnectAsync(h.Endpoint)).Should().ThrowAsync<HeyGenRealtimeException>()).Which;

        error.Failure.Should().Be(RealtimeFailure.Unauthorized);
        error.HttpStatusCode.Should().Be(403);
    }

    [Fact]
    public async Task An_unknown_session_is_a_Rejected_error_carrying_HTTP_404()
    {
        await using var h = await RealtimeHarness.StartAsync(connect: false);
        var endpoint = new Uri($"ws://{h.Server.BaseAddress.Authority}{EmulatorPaths.StreamingRealtime}?session_id=nope&session_token=x");

        var error = (await h.Client.Invoking(c => c.ConnectAsync(endpoint)).Should().ThrowAsync<HeyGenRealtimeException>()).Which;

        error.Failure.Should().Be(RealtimeFailure.Rejected);
        error.HttpStatusCode.Should().Be(404);
        error.IsTransient.Should().BeFalse();
    }

    [Fact]
    public async Task Nothing_listening_is_a_ConnectionRefused_error()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var client = new HeyGenRealtimeClient(new HeyGenRealtimeOptions());

        var error = (await client.Invoking(c => c.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/v1/ws/streaming.chat?session_token=t")))
            .Should().ThrowAsync<HeyGenRealtimeException>()).Which;

        error.Failure.Should().Be(RealtimeFailure.ConnectionRefused);
        error.IsTransient.Should().BeTrue();
        error.Message.Should().Contain($"127.0.0.1:{port}");
    }

    [Fact]
    public async Task A_server_that_never_answers_the_handshake_is_a_ConnectTimeout_error_after_the_configured_time()
    {
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var port = ((IPEndPoint)silent.LocalEndpoint).Port;
            var time = new TimerWatchingTimeProvider();
            await using var client = new HeyGenRealtimeClient(new HeyGenRealtimeOptions { ConnectTimeout = TimeSpan.FromSeconds(7) }, null, time);

            var connecting = client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/v1/ws/streaming.chat"));
            await time.WaitForTimerAsync(TimeSpan.FromSeconds(7));
            time.Advance(TimeSpan.FromSeconds(6.9));
            connecting.IsCompleted.Should().BeFalse();
            time.Advance(TimeSpan.FromSeconds(0.1));

            var error = (await connecting.Invoking(t => t.WaitAsync(TestTimeouts.Wait)).Should().ThrowAsync<HeyGenRealtimeException>()).Which;
            error.Failure.Should().Be(RealtimeFailure.ConnectTimeout);
            error.Message.Should().Contain("7000 ms");
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task Calls_before_connecting_are_an_invalid_operation()
    {
        await using var client = new HeyGenRealtimeClient(new HeyGenRealtimeOptions());

        await client.Invoking(c => c.SpeakAsync(new byte[2], "u")).Should().ThrowAsync<InvalidOperationException>();
    }

    [Theory]
    [InlineData("ws://h/v1/ws/streaming.chat?session_id=abc&session_token=SECRET", "ws://h/v1/ws/streaming.chat?session_id=abc&session_token=***")]
    [InlineData("wss://h:8443/x?token=SECRET&a=1", "wss://h:8443/x?token=***&a=1")]
    [InlineData("wss://h/x?access_token=SECRET&api_key=SECRET", "wss://h/x?access_token=***&api_key=***")]
    [InlineData("wss://user:SECRET@h/x", "wss://h/x")]
    public void Urls_are_logged_with_their_secrets_redacted(string url, string expected)
    {
        RealtimeUrl.Redact(new Uri(url)).Should().Be(expected);
    }
}
