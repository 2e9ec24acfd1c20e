using System.Text;
using System.Text.Json;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>
/// A server that quotes secrets back in an error body: session tokens in stop and keep-alive errors (issue 12,
/// item 13), and the API key JSON-escaped, URL-encoded, base64-encoded or in part (item 14). None of them reaches an
/// exception, its response text or a log line.
/// </summary>
public sealed class SecretEchoTests : EmulatorTest
{
    // '+', '/', '=' and '&' are escaped by JSON writers and URL encoders, so every encoding differs from the raw key.
    private const string Key = "hg+key/Q9x=Zr&7mWp2+Lk4Nv8Ts1";

    public enum Call
    {
        StreamingStop,
        StreamingKeepAlive,
        LiveAvatarStop,
        LiveAvatarKeepAlive,
    }

    protected override HeyGenEmulatorOptions EmulatorOptions() => new() { ApiKey = Key };

    [Theory]
    [InlineData(Call.StreamingStop)]
    [InlineData(Call.StreamingKeepAlive)]
    [InlineData(Call.LiveAvatarStop)]
    [InlineData(Call.LiveAvatarKeepAlive)]
    public async Task Item13_session_tokens_echoed_in_a_stop_or_keep_alive_error_never_reach_the_exception_or_the_logs(Call call)
    {
        bool liveAvatar = call is Call.LiveAvatarStop or Call.LiveAvatarKeepAlive;
        BaseAvatarApi api = liveAvatar ? LiveAvatar(o => o.Retry.MaxRetryAttempts = 0) : HeyGen(o => o.Retry.MaxRetryAttempts = 0);
        var session = await api.NewSessionAsync(liveAvatar ? new LiveAvatarNewSessionRequest { AvatarId = "a-1" } : new NewSessionRequest());
        var emulated = Emulator.FindSession(session.SessionId)!;
        string[] tokens = [.. new[] { emulated.AccessToken, emulated.AgentToken, emulated.RealtimeToken, emulated.SessionToken }.OfType<string>()];
        tokens.Should().HaveCountGreaterThanOrEqualTo(3);

        // A server quoting what it knows about the session in plain words (no "token" field for a pattern to find).
        string echo = $"session {session.SessionId} rejected; credentials on file: {string.Join(" and ", tokens)}";
        var endpoint = call switch
        {
            Call.StreamingStop => EmulatorEndpoint.StreamingStop,
            Call.StreamingKeepAlive => EmulatorEndpoint.StreamingKeepAlive,
            Call.LiveAvatarStop => EmulatorEndpoint.LiveAvatarStop,
            _ => EmulatorEndpoint.LiveAvatarKeepAlive,
        };
        Emulator.Faults.Inject(endpoint, EmulatedFault.Status(400, JsonSerializer.Serialize(new { code = 400, message = echo })));

        Func<Task> act = call is Call.StreamingStop or Call.LiveAvatarStop
            ? () => api.CloseSessionAsync(session.SessionId)
            : () => api.KeepAliveAsync(session.SessionId);
        var error = (await act.Should().ThrowAsync<HeyGenApiException>()).Which;

        error.Message.Should().Contain(session.SessionId, "session ids are not secret").And.Contain("rejected");
        AssertNoSecretsIn([error.Message, error.ResponseText, error.ToString()], tokens);
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task Item14_the_api_key_echoed_json_escaped_url_encoded_base64_or_in_part_never_reaches_the_exception_or_the_logs()
    {
        var api = HeyGen();
        string jsonEscaped = JsonSerializer.Serialize(Key)[1..^1];                        // hg\u002Bkey/Q9x\u003DZr\u00267mWp2\u002BLk4Nv8Ts1
        string urlEncoded = Uri.EscapeDataString(Key);                                   // hg%2Bkey%2FQ9x%3DZr%267mWp2%2BLk4Nv8Ts1
        string urlEncodedLower = urlEncoded.Replace("%2B", "%2b", StringComparison.Ordinal).Replace("%2F", "%2f", StringComparison.Ordinal);
        string base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(Key));
        string base64InBlob = Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + Key + ":end"));
        string fragment = Key[5..19];                                                    // 14 characters of the key
        string[] forms = [Key, jsonEscaped, urlEncoded, urlEncodedLower, base64, base64InBlob[8..^8], fragment];
        jsonEscaped.Should().Contain("\\u002B", "System.Text.Json escapes '+'");

        // Plain text (quoted whole in the error) and a JSON envelope (whose message is decoded, the raw body kept).
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(401,
            $"bad key; part [{fragment}] json \"{jsonEscaped}\" url {urlEncoded} lower {urlEncodedLower} b64 {base64} blob {base64InBlob}"));
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(401,
            $$"""{"code":401,"message":"bad key \"{{jsonEscaped}}\" part {{fragment}}"}"""));

        var plain = (await api.Invoking(a => a.NewSessionAsync(new NewSessionRequest())).Should().ThrowAsync<HeyGenApiException>()).Which;
        var json = (await api.Invoking(a => a.NewSessionAsync(new NewSessionRequest())).Should().ThrowAsync<HeyGenApiException>()).Which;

        plain.Message.Should().Contain("bad key").And.Contain("url ***").And.Contain("b64 ***").And.Contain("part [***]");
        json.Message.Should().Contain("bad key");
        AssertNoSecretsIn([plain.Message, plain.ResponseText, plain.ToString(), json.Message, json.ResponseText, json.ToString()], forms);
        AssertNoSecretsIn(Logs.Lines.Select(l => l.FullText), forms);
    }
}
