using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>How failures surface: one exception type with the HTTP status, the service's code and the response text.</summary>
public sealed class HeyGenApiErrorTests : EmulatorTest
{
    [Theory]
    [InlineData(400, "40001", "Required parameters missing")]
    [InlineData(401, "400112", "Unauthorized")]
    [InlineData(404, "404", "Not Found")]
    [InlineData(500, "500", "Internal Server Error")]
    public async Task An_error_status_becomes_HeyGenApiException_with_status_code_and_text(int status, string code, string message)
    {
        var api = HeyGen(o => o.Retry.MaxRetryAttempts = 0);
        var body = $$"""{"code":{{code}},"message":"{{message}}"}""";
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken, EmulatedFault.Status(status, body));

        var act = () => api.CreateTokenAsync();

        var ex = (await act.Should().ThrowAsync<HeyGenApiException>()).Which;
        ex.Status.Should().Be(status);
        ex.ErrorCode.Should().Be(code);
        ex.ResponseText.Should().Be(body);
        ex.Operation.Should().Be("streaming.create_token");
        ex.Message.Should().Contain($"HTTP {status}").And.Contain(message).And.Contain("streaming.create_token");
    }

    [Fact]
    public async Task A_wrong_api_key_is_a_401_with_code_40009()
    {
        var api = HeyGen(o => o.ApiKey = "not-the-right-key-at-all");

        var act = () => api.NewSessionAsync(new NewSessionRequest());

        var ex = (await act.Should().ThrowAsync<HeyGenApiException>()).Which;
        ex.Status.Should().Be(401);
        ex.ErrorCode.Should().Be("40009");
        ex.Message.Should().NotContain("not-the-right-key-at-all");
        Emulator.Sessions.OpenedCount.Should().Be(0);
    }

    [Fact]
    public async Task Starting_a_stopped_session_reports_HeyGens_state_error()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        await api.CloseSessionAsync(session.SessionId);

        var act = () => api.KeepAliveAsync(session.SessionId);

        var ex = (await act.Should().ThrowAsync<HeyGenApiException>()).Which;
        ex.Status.Should().Be(400);
        ex.ErrorCode.Should().Be("10005");
        ex.Message.Should().Contain("session state wrong: closed");
    }

    [Fact]
    public async Task Stopping_an_unknown_session_reports_session_does_not_exist()
    {
        var api = HeyGen();

        var act = () => api.CloseSessionAsync("3f1b9d0e-0000-4000-8000-000000000000");

        var ex = (await act.Should().ThrowAsync<HeyGenApiException>()).Which;
        ex.Status.Should().Be(400);
        ex.ErrorCode.Should().Be("400004");
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingStop).Should().Be(1, "a 400 is not transient");
    }

    [Fact]
    public async Task A_200_with_an_error_code_in_the_envelope_is_an_error()
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken,
            EmulatedFault.Status(200, """{"code":10005,"message":"session state wrong: closed","data":null}"""));

        var act = () => api.CreateTokenAsync();

        var ex = (await act.Should().ThrowAsync<HeyGenApiException>()).Which;
        ex.Status.Should().Be(200);
        ex.ErrorCode.Should().Be("10005");
        ex.Message.Should().Contain("error envelope").And.Contain("session state wrong");
    }

    [Fact]
    public async Task A_string_success_code_is_accepted()
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken,
            EmulatedFault.Status(200, """{"code":"SUCCESS","data":{"token":"token-from-a-string-code-envelope"}}"""));

        var token = await api.CreateTokenAsync();

        token.Should().Be("token-from-a-string-code-envelope");
    }

    [Fact]
    public async Task A_malformed_body_is_a_clear_error_not_a_null_later()
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingList, EmulatedFault.MalformedBody());

        var act = () => api.ListSessionsAsync();

        var ex = (await act.Should().ThrowAsync<HeyGenApiException>()).Which;
        ex.Status.Should().Be(200);
        ex.Message.Should().Contain("not a JSON envelope");
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingList).Should().Be(1, "a malformed 200 is not retried");
    }

    [Fact]
    public async Task A_response_missing_a_required_field_names_the_field()
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(200,
            """{"code":100,"message":"success","data":{"session_id":null,"url":"wss://x","access_token":"a-token-value","realtime_endpoint":"wss://y"}}"""));

        var act = () => api.NewSessionAsync(new NewSessionRequest());

        var ex = (await act.Should().ThrowAsync<HeyGenApiException>()).Which;
        ex.Message.Should().Contain("does not match the documented shape").And.Contain("livekit_agent_token");
        ex.Message.Should().NotContain("a-token-value");
        ex.ResponseText.Should().NotContain("a-token-value");
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingStart).Should().Be(0);
    }

    [Fact]
    public async Task A_new_response_without_data_is_a_clear_error()
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(200, """{"code":100,"message":"success"}"""));

        var act = () => api.NewSessionAsync(new NewSessionRequest());

        (await act.Should().ThrowAsync<HeyGenApiException>()).Which.Message.Should().Contain("has no 'data'");
    }

    [Fact]
    public async Task Unknown_response_fields_are_ignored()
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingList, EmulatedFault.Status(200,
            """{"code":100,"message":"success","extra":{"a":1},"data":{"sessions":[{"session_id":"s-1","status":"new","created_at":1700000000,"avatar":"x","duration":3}],"total":1}}"""));

        var sessions = await api.ListSessionsAsync();

        sessions.Should().ContainSingle().Which.Should().Be(new StreamingSessionInfo { SessionId = "s-1", Status = "new", CreatedAt = 1700000000 });
    }

    [Fact]
    public async Task Error_bodies_are_redacted_and_length_capped()
    {
        var api = HeyGen(o =>
        {
            o.Retry.MaxRetryAttempts = 0;
            o.MaxErrorBodyLength = 300;
        });
        var body = $$"""{"message":"echo {{Emulator.ApiKey}}","access_token":"leaky-access-token-1234","note":"{{new string('x', 5000)}}"}""";
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken, EmulatedFault.Status(502, body));

        var act = () => api.CreateTokenAsync();

        var ex = (await act.Should().ThrowAsync<HeyGenApiException>()).Which;
        ex.Status.Should().Be(502);
        ex.ResponseText.Length.Should().BeLessThan(400);
        ex.ResponseText.Should().Contain("more characters]");
        foreach (var text in new[] { ex.Message, ex.ResponseText, ex.ToString() })
        {
            text.Should().NotContain(Emulator.ApiKey).And.NotContain("leaky-access-token-1234");
        }
    }

    [Fact]
    public async Task A_body_without_a_message_is_quoted_capped_in_the_exception_message()
    {
        var api = HeyGen(o => o.Retry.MaxRetryAttempts = 0);
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken, EmulatedFault.Status(418, new string('z', 2000)));

        var act = () => api.CreateTokenAsync();

        var ex = (await act.Should().ThrowAsync<HeyGenApiException>()).Which;
        ex.Message.Should().Contain("Response: zzz").And.Contain("more characters]");
        ex.Message.Length.Should().BeLessThan(400);
    }

    [Fact]
    public async Task The_v3_error_shape_and_fastapi_details_are_understood()
    {
        var api = HeyGen(o => o.Retry.MaxRetryAttempts = 0);
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken,
            EmulatedFault.Status(402, """{"error":{"code":"insufficient_credit","message":"Out of credits","doc_url":"https://x"}}"""));
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken,
            EmulatedFault.Status(422, """{"detail":[{"type":"missing","loc":["body","x"],"msg":"Field required"}]}"""));

        var v3 = (await api.Invoking(a => a.CreateTokenAsync()).Should().ThrowAsync<HeyGenApiException>()).Which;
        var fastApi = (await api.Invoking(a => a.CreateTokenAsync()).Should().ThrowAsync<HeyGenApiException>()).Which;

        v3.ErrorCode.Should().Be("insufficient_credit");
        v3.Message.Should().Contain("Out of credits");
        fastApi.Status.Should().Be(422);
        fastApi.Message.Should().Contain("Field required");
    }
}
