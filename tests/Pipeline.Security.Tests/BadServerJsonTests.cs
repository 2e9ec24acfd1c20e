using System.Text;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Realtime.Events;
using Pipeline.Security.Tests.Infrastructure;

namespace Pipeline.Security.Tests;

/// <summary>Server JSON with wrong types, missing fields and huge strings: a clear error, never a crash.</summary>
public sealed class BadServerJsonTests
{
    private const string ValidData =
        "\"session_id\":\"s-1\",\"access_token\":\"a\",\"livekit_agent_token\":\"b\",\"realtime_endpoint\":\"ws://127.0.0.1:1/x\",\"url\":\"ws://127.0.0.1:1\"";

    private static readonly string FiveMegabytes = new('x', 5 * 1024 * 1024);

    public static TheoryData<string, int, string, string> BadRestBodies => new()
    {
        { "not JSON", 200, "<html>502 Bad Gateway</html>", "the body is not a JSON envelope" },
        { "empty body", 200, "", "the body is not a JSON envelope" },
        { "a JSON array", 200, "[]", "the body is not a JSON envelope (Expected a JSON object but the body is a JSON Array.)" },
        { "JSON null", 200, "null", "the body is not a JSON envelope" },
        { "a JSON string", 200, "\"ok\"", "the body is not a JSON envelope" },
        { "truncated", 200, "{\"code\":100,\"data\":{\"session_id\":\"", "the body is not a JSON envelope" },
        { "nested 5000 deep", 200, new string('[', 5000) + new string(']', 5000), "the body is not a JSON envelope" },
        { "no data", 200, "{\"code\":100,\"message\":\"success\"}", "succeeded but its response has no 'data'" },
        { "data null", 200, "{\"code\":100,\"data\":null}", "succeeded but its response has no 'data'" },
        { "data an array", 200, "{\"code\":100,\"data\":[1,2]}", "missing required field(s) (expected an object, got Array)" },
        { "data empty", 200, "{\"code\":100,\"data\":{}}", "missing required field(s) session_id, access_token, livekit_agent_token, realtime_endpoint, url in 'data'" },
        { "required fields null", 200, "{\"code\":100,\"data\":{\"session_id\":null,\"access_token\":\"a\",\"livekit_agent_token\":\"b\",\"realtime_endpoint\":\"c\",\"url\":null}}", "missing required field(s) session_id, url" },
        { "wrong types", 200, "{\"code\":100,\"data\":{\"session_id\":12,\"access_token\":true,\"livekit_agent_token\":[],\"realtime_endpoint\":{},\"url\":1.5}}", "does not match the documented shape" },
        { "optional field of the wrong type", 200, "{\"code\":100,\"data\":{" + ValidData + ",\"session_duration_limit\":\"ten\"}}", "does not match the documented shape" },
        { "code of the wrong kind", 200, "{\"code\":\"oops\",\"message\":\"nope\",\"data\":{" + ValidData + "}}", "error envelope, code oops: nope" },
        { "an error in a 200", 200, "{\"error\":{\"code\":\"10013\",\"message\":\"avatar not found\"},\"data\":null}", "error envelope, code 10013: avatar not found" },
        { "huge non-JSON HTTP error", 502, FiveMegabytes, "HTTP 502 (BadGateway). Response: xxxx" },
        { "lone surrogate in a data field", 200, "{\"code\":100,\"data\":{" + ValidData.Replace("\"a\"", "\"\\ud83d\"") + "}}", "HeyGen streaming.new" },
        { "huge field in data", 200, "{\"code\":100,\"data\":{\"session_id\":\"s\",\"access_token\":\"" + FiveMegabytes + "\",\"livekit_agent_token\":5,\"realtime_endpoint\":\"c\",\"url\":\"d\"}}", "does not match the documented shape" },
    };

    /// <summary>Bodies that currently break the contract; see the skip reasons.</summary>
    public static TheoryData<string, int, string, string> BuggyRestBodies => new()
    {
        { "huge message in an error envelope", 200, "{\"code\":400,\"message\":\"" + FiveMegabytes + "\"}", "error envelope, code 400: xxxx" },
        { "huge message in an HTTP error", 400, "{\"code\":400,\"message\":\"" + FiveMegabytes + "\"}", "HTTP 400 (BadRequest), code 400: xxxx" },
        { "lone surrogate in an error message", 400, "{\"code\":400,\"message\":\"bad \\ud800 key\"}", "HTTP 400 (BadRequest)" },
        { "lone surrogate in the code", 200, "{\"code\":\"\\udc00\",\"data\":{}}", "HeyGen streaming.new" },
    };

    [Theory]
    [MemberData(nameof(BuggyRestBodies))]
    public Task A_bad_streaming_new_body_that_currently_breaks_the_contract_is_a_clear_bounded_HeyGenApiException(string what, int status, string body, string expected) =>
        A_bad_streaming_new_body_is_a_clear_bounded_HeyGenApiException(what, status, body, expected);

    [Theory]
    [MemberData(nameof(BadRestBodies))]
    public async Task A_bad_streaming_new_body_is_a_clear_bounded_HeyGenApiException(string what, int status, string body, string expected)
    {
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
        emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(status, body), times: 5);

        var thrown = (await FluentActions.Awaiting(() => api.NewSessionAsync(new NewSessionRequest()))
            .Should().ThrowExactlyAsync<HeyGenApiException>(what)).Which;

        thrown.Operation.Should().Be("streaming.new");
        thrown.Status.Should().Be(status);
        thrown.Message.Should().StartWith("HeyGen streaming.new ").And.Contain(expected);
        thrown.ResponseText.Length.Should().BeLessThanOrEqualTo(2048 + 64, "the quoted body is capped (MaxErrorBodyLength)");
        thrown.Message.Length.Should().BeLessThanOrEqualTo(4096, "an exception message quoting the server stays readable");
    }

    [Fact]
    public async Task The_emulators_malformed_body_and_a_bad_body_mid_pipeline_are_fatal_errors_naming_the_cause()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(200, "{\"code\":100,\"data\":{\"session_id\":7}}"));
        h.Start();

        var failure = (await FluentActions.Awaiting(h.FinishAsync).Should().ThrowAsync<PipelineException>()).Which;
        failure.Error.IsFatal.Should().BeTrue();
        failure.Error.Message.Should().Contain("failed to open the session").And.Contain("missing required field(s) access_token");
        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Task.RunningTaskCount.Should().Be(0);

        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        using var api = new LiveAvatarApi(new LiveAvatarApiOptions { ApiKey = emulator.LiveAvatarApiKey, BaseUrl = emulator.LiveAvatarApiBaseUrl });
        emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarToken, EmulatedFault.MalformedBody());
        var thrown = (await FluentActions.Awaiting(() => api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = LiveAvatarNewSessionRequest.SandboxAvatarId }))
            .Should().ThrowExactlyAsync<HeyGenApiException>()).Which;
        thrown.Message.Should().Contain("not a JSON envelope");
        emulator.Sessions.Open.Should().BeEmpty();
    }

    public static TheoryData<string, string, string, string?> BadRealtimeMessages => new()
    {
        { "not JSON", "hello", "Malformed", null },
        { "an array", "[{\"type\":\"agent.speak_started\"}]", "Malformed", "not a JSON object with a string 'type'" },
        { "no type", "{\"event_id\":\"e\"}", "Malformed", "not a JSON object with a string 'type'" },
        { "type a number", "{\"type\":5}", "Malformed", "not a JSON object with a string 'type'" },
        { "type null", "{\"type\":null}", "Malformed", "not a JSON object with a string 'type'" },
        { "unknown type", "{\"type\":\"agent.dance\"}", "UnknownType", "agent.dance" },
        { "truncated", "{\"type\":\"agent.speak_", "Malformed", null },
        { "state of the wrong type", "{\"type\":\"session.state_updated\",\"state\":{\"x\":1}}", "Parsed", "session.state_updated" },
        { "task id an object", "{\"type\":\"agent.speak_ended\",\"task\":{\"id\":{\"a\":1}},\"event_id\":7}", "Parsed", "agent.speak_ended" },
        { "task an array", "{\"type\":\"agent.speak_started\",\"task\":[1]}", "Parsed", "agent.speak_started" },
        { "error a number", "{\"type\":\"error\",\"error\":42,\"code\":[1]}", "Parsed", "error" },
        { "error fields of the wrong types", "{\"type\":\"error\",\"error\":{\"type\":1,\"message\":false,\"code\":1e400}}", "Parsed", "error" },
        { "nested 5000 deep", "{\"type\":\"warning\",\"x\":" + new string('[', 5000) + new string(']', 5000) + "}", "Malformed", null },
    };

    [Theory]
    [MemberData(nameof(BadRealtimeMessages))]
    public void A_bad_websocket_message_is_reported_as_malformed_or_unknown_never_thrown(string what, string json, string outcome, string? detail)
    {
        RealtimeParse parsed = Parsers.ParseRealtime(Encoding.UTF8.GetBytes(json));

        parsed.Outcome.Should().Be(outcome, what);
        parsed.TypeOrError.Should().NotBeNullOrEmpty();
        if (detail is not null)
        {
            parsed.TypeOrError.Should().Contain(detail);
        }

        if (outcome == "Parsed")
        {
            parsed.Event.Should().NotBeNull();
            parsed.Event!.RawJson.Should().Be(json);
        }
        else
        {
            parsed.Event.Should().BeNull();
        }
    }

    public static TheoryData<string, string, string, string?> BuggyRealtimeMessages => new()
    {
        { "lone surrogate in type", "{\"type\":\"\\ud800\"}", "Malformed", null },
        { "lone surrogate in a field", "{\"type\":\"warning\",\"message\":\"\\udc00\"}", "Malformed", null },
        { "lone surrogate in event_id", "{\"type\":\"agent.speak_started\",\"event_id\":\"\\ud83d\"}", "Malformed", null },
    };

    [Theory]
    [MemberData(nameof(BuggyRealtimeMessages))]
    public void A_websocket_message_with_a_lone_surrogate_is_malformed_not_thrown(string what, string json, string outcome, string? detail) =>
        A_bad_websocket_message_is_reported_as_malformed_or_unknown_never_thrown(what, json, outcome, detail);

    [Fact]
    public void A_websocket_message_with_invalid_UTF8_in_a_string_is_malformed_not_thrown()
    {
        byte[] json = [.. "{\"type\":\"agent."u8, 0xFF, .. "\"}"u8];
        RealtimeParse parsed = Parsers.ParseRealtime(json);
        parsed.Outcome.Should().Be("Malformed");
        parsed.Event.Should().BeNull();
    }

    internal const string RealtimeSurrogateBug =
        "BUG: RealtimeServerEventParser.TryParse (src/Pipeline.HeyGen/Realtime/Protocol/RealtimeServerEventParser.cs:42 typeElement.GetString(), " +
        "and StringOf/ScalarOf) throws InvalidOperationException on a lone-surrogate escape (\\ud800) or invalid UTF-8 bytes in any string it reads " +
        "(JsonDocument.Parse validates neither; GetString() does); it only catches " +
        "JsonException around JsonDocument.Parse. One such server message fails the realtime client terminally and the pipeline with it.";

    [Fact]
    public void Wrong_typed_fields_of_known_events_read_as_absent()
    {
        var state = (SessionStateUpdatedEvent)Parsers.ParseRealtime("{\"type\":\"session.state_updated\",\"state\":7,\"event_id\":[]}"u8.ToArray()).Event!;
        state.State.Should().Be(AvatarSessionState.Unknown);
        state.RawState.Should().BeNull();
        state.EventId.Should().BeNull();

        var error = (RealtimeErrorEvent)Parsers.ParseRealtime("{\"type\":\"error\",\"error\":{\"type\":1,\"message\":false,\"code\":12}}"u8.ToArray()).Event!;
        error.ErrorType.Should().BeNull();
        error.Message.Should().BeNull();
        error.Code.Should().Be("12");
    }

    [Fact]
    public void A_5_MB_string_field_parses_without_harm()
    {
        string json = "{\"type\":\"warning\",\"message\":\"" + FiveMegabytes + "\",\"event_id\":\"" + FiveMegabytes + "\"}";
        RealtimeParse parsed = Parsers.ParseRealtime(Encoding.UTF8.GetBytes(json));

        parsed.Outcome.Should().Be("Parsed");
        ((RealtimeWarningEvent)parsed.Event!).Message!.Length.Should().Be(FiveMegabytes.Length);

        RealtimeParse hugeType = Parsers.ParseRealtime(Encoding.UTF8.GetBytes("{\"type\":\"" + FiveMegabytes + "\"}"));
        hugeType.Outcome.Should().Be("UnknownType");
    }
}
