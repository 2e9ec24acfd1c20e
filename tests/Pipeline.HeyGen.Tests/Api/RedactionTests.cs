using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Api.Http;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>Keys and tokens never show up in logs, messages or the models' ToString.</summary>
public sealed class RedactionTests : EmulatorTest
{
    [Fact]
    public async Task A_full_session_lifecycle_with_failures_logs_no_key_or_token()
    {
        var heyGen = HeyGen();
        var liveAvatar = LiveAvatar();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.Status(503));
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarStart, EmulatedFault.DropConnection());

        var a = await heyGen.NewSessionAsync(new NewSessionRequest());
        var b = await liveAvatar.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });
        await heyGen.CreateTokenAsync();
        await heyGen.KeepAliveAsync(a.SessionId);
        await liveAvatar.KeepAliveAsync(b.SessionId);
        await heyGen.CloseSessionAsync(a.SessionId);
        await liveAvatar.CloseSessionAsync(b.SessionId);

        Logs.Lines.Should().NotBeEmpty();
        Logs.Lines.Should().Contain(l => l.Message.Contains(a.SessionId), "session ids are not secret and help debugging");
        AssertNoSecretsIn(Logs.Lines.Select(l => l.FullText), Emulator.Secrets);
        AssertNoSecretsIn([a.ToString(), b.ToString(), a.RawResponse.ToString()!, b.RawResponse.ToString()!], Emulator.Secrets);
    }

    [Fact]
    public void StandardSessionResponse_ToString_masks_tokens_and_token_query_parameters()
    {
        var response = new StandardSessionResponse
        {
            SessionId = "s-1",
            AccessToken = "access-secret-123",
            LiveKitAgentToken = "agent-secret-456",
            LiveKitUrl = "wss://lk.example/room",
            WebSocketUrl = "wss://rt.example/ws?session_id=s-1&session_token=rt-secret-789",
            RawResponse = new object(),
        };

        var text = response.ToString();

        text.Should().Contain("s-1").And.Contain("wss://lk.example/room").And.Contain("session_token=***");
        text.Should().NotContain("access-secret-123").And.NotContain("agent-secret-456").And.NotContain("rt-secret-789");
    }

    [Fact]
    public void Models_holding_tokens_mask_them_in_ToString()
    {
        new LiveAvatarSessionToken { SessionId = "s", SessionToken = "session-secret-1" }.ToString().Should().NotContain("session-secret-1");
        new CustomLiveKitConfig { LiveKitUrl = "wss://x", LiveKitRoom = "r", LiveKitClientToken = "room-secret-1" }.ToString().Should().NotContain("room-secret-1");
        new LiveAvatarSessionData { SessionId = "s", LiveKitAgentToken = "agent-secret-1", LiveKitClientToken = "client-secret-1", WsUrl = "ws://x?token=ws-secret-1" }
            .ToString().Should().NotContain("agent-secret-1").And.NotContain("client-secret-1").And.NotContain("ws-secret-1");
    }

    [Theory]
    [InlineData("""{"access_token":"abc123456","x":1}""", """{"access_token":"***","x":1}""")]
    [InlineData("""{"livekit_agent_token": "abc\"def"}""", """{"livekit_agent_token": "***"}""")]
    [InlineData("""{"session_token":"t0ken-value"}""", """{"session_token":"***"}""")]
    [InlineData("wss://h/p?session_id=1&session_token=abc&x=2", "wss://h/p?session_id=1&session_token=***&x=2")]
    [InlineData("Authorization: Bearer eyJ.abc-def", "Authorization: Bearer ***")]
    [InlineData("""{"x-api-key":"k-123456"}""", """{"x-api-key":"***"}""")]
    public void The_redactor_masks_token_fields_query_parameters_and_bearer_values(string input, string expected) =>
        SecretRedactor.Redact(input, []).Should().Be(expected);

    [Fact]
    public void The_redactor_masks_known_secrets_anywhere_and_caps_the_length()
    {
        var text = SecretRedactor.Redact("key=my-api-key-value in text " + new string('a', 100), ["my-api-key-value"], maxLength: 30);

        text.Should().StartWith("key=*** in text aaaa").And.EndWith("more characters]");
    }
}

/// <summary>The registry of secrets behind the redactor: every encoding and any 12-character run of a known secret.</summary>
public sealed class SecretRegistryRedactionTests
{
    private static readonly string Secret = "k+" + Guid.NewGuid().ToString("N")[..20] + "/=&x";

    [Fact]
    public void A_known_secret_is_masked_raw_json_escaped_url_encoded_and_base64_in_either_hex_case()
    {
        SecretRedactor.Redact(string.Empty, [Secret]);
        string json = System.Text.Json.JsonSerializer.Serialize(Secret)[1..^1];
        string[] forms =
        [
            Secret,
            json,
            System.Text.RegularExpressions.Regex.Replace(json, @"\\u[0-9A-F]{4}", m => m.Value.ToLowerInvariant()),
            Uri.EscapeDataString(Secret),
            System.Text.RegularExpressions.Regex.Replace(Uri.EscapeDataString(Secret), "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant()),
            System.Net.WebUtility.UrlEncode(Secret),
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Secret)),
        ];

        foreach (string form in forms)
        {
            SecretRedactor.Redact($"before {form} after", []).Should().Be("before *** after", $"'{form}' is a form of the secret");
        }
    }

    [Theory]
    [InlineData("user:")]
    [InlineData("u:")]
    [InlineData("ab:")]
    public void A_secret_inside_a_larger_base64_blob_is_masked_at_any_byte_alignment(string prefix)
    {
        SecretRedactor.Redact(string.Empty, [Secret]);
        string blob = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(prefix + Secret + ":tail"));

        string redacted = SecretRedactor.Redact($"Authorization: Basic-ish {blob}", []);

        redacted.Should().Contain("***");
        redacted.Length.Should().BeLessThan(blob.Length, "the part of the blob that encodes the secret is gone");
    }

    [Fact]
    public void Any_run_of_12_characters_of_a_secret_is_masked_and_shorter_pieces_and_ordinary_text_are_kept()
    {
        SecretRedactor.Redact(string.Empty, [Secret]);

        SecretRedactor.Redact($"cut off: {Secret[3..15]}!", []).Should().Be("cut off: ***!");
        SecretRedactor.Redact($"piece {Secret[3..14]}.", []).Should().Be($"piece {Secret[3..14]}.", "11 characters are not a run");
        const string ordinary = "HeyGen streaming.stop failed: HTTP 503 (ServiceUnavailable) after 4 attempts over 3.2 s.";
        SecretRedactor.Redact(ordinary, []).Should().Be(ordinary);
    }
}
