using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>A session that was created is never left open when the rest of NewSessionAsync fails.</summary>
public sealed class SessionLeakTests : EmulatorTest
{
    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task When_start_fails_the_new_session_is_stopped_before_the_error_is_thrown(int status)
    {
        var api = HeyGen(o => o.Retry.MaxRetryAttempts = 1);
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.Status(status), times: 2);

        var act = () => api.NewSessionAsync(new NewSessionRequest());

        (await act.Should().ThrowAsync<HeyGenApiException>()).Which.Status.Should().Be(status);
        Emulator.Sessions.OpenedCount.Should().Be(1);
        Emulator.Sessions.StartedCount.Should().Be(0);
        Emulator.Sessions.Open.Should().BeEmpty();
        Emulator.Requests.All[^1].Endpoint.Should().Be(EmulatorEndpoint.StreamingStop);
        Logs.Lines.Should().Contain(l => l.Message.Contains("failed to start; stopping it"));
    }

    [Fact]
    public async Task When_start_answers_an_error_envelope_the_session_is_stopped()
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingStart,
            EmulatedFault.Status(200, """{"code":10005,"message":"session state wrong: closed"}"""));

        await api.Invoking(a => a.NewSessionAsync(new NewSessionRequest())).Should().ThrowAsync<HeyGenApiException>();

        Emulator.Sessions.Open.Should().BeEmpty();
    }

    [Fact]
    public async Task When_the_new_response_lacks_fields_but_names_a_session_that_session_is_stopped()
    {
        var api = HeyGen();

        // A session that exists on the server, and a streaming.new answer that names it but lacks the tokens.
        var existing = await HeyGen().NewSessionAsync(new NewSessionRequest());
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(200,
            $$$"""{"code":100,"message":"success","data":{"session_id":"{{{existing.SessionId}}}","url":"wss://x"}}"""));

        var act = () => api.NewSessionAsync(new NewSessionRequest());

        (await act.Should().ThrowAsync<HeyGenApiException>()).Which.Message.Should().Contain("access_token");
        Emulator.FindSession(existing.SessionId)!.IsOpen.Should().BeFalse();
    }

    [Fact]
    public async Task When_stopping_after_a_failed_start_also_fails_the_start_error_is_thrown_and_the_leak_logged()
    {
        var api = HeyGen(o => o.Retry.MaxRetryAttempts = 0);
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.Status(500));
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingStop, EmulatedFault.Status(500));

        var ex = (await api.Invoking(a => a.NewSessionAsync(new NewSessionRequest())).Should().ThrowAsync<HeyGenApiException>()).Which;

        ex.Operation.Should().Be("streaming.start");
        var leaked = Emulator.Sessions.Open.Should().ContainSingle().Subject;
        Logs.Lines.Should().Contain(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error && l.Message.Contains(leaked.Id));

        // The recovery path for exactly this case.
        (await api.CloseLeakedSessionsAsync(TimeSpan.Zero)).Should().Equal(leaked.Id);
    }

    [Fact]
    public async Task LiveAvatar_stops_a_session_whose_start_fails_with_reason_SERVER_ERROR()
    {
        var api = LiveAvatar(o => o.Retry.MaxRetryAttempts = 0);
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarStart, EmulatedFault.Status(500));

        var act = () => api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });

        (await act.Should().ThrowAsync<HeyGenApiException>()).Which.Status.Should().Be(500);
        var session = Emulator.Sessions.All.Should().ContainSingle().Subject;
        session.IsOpen.Should().BeFalse();
        session.StopReason.Should().Be("SERVER_ERROR");
    }
}
