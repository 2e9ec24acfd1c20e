using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Pipeline.LiveKit.Tests;

/// <summary>
/// Tokens minted locally are the JWTs LiveKit expects: HS256 over the API secret, the identity as subject, the API key as
/// issuer, a video grant to join one room. Each token is decoded and its signature recomputed here independently.
/// </summary>
public sealed class AccessTokenTests
{
    private const string Secret = "test-secret-0123456789abcdefghijklmnopqrstuvwxyz";
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_token_is_an_HS256_JWT_signed_with_the_secret_carrying_identity_room_grants_and_lifetime()
    {
        string jwt = new LiveKitAccessToken
        {
            ApiKey = "APIkey123",
            ApiSecret = Secret,
            Identity = "voice-bot",
            Name = "Voice bot",
            Room = "avatar-room",
            CanSubscribe = false,
            Kind = "agent",
            TimeToLive = TimeSpan.FromMinutes(30),
            TimeProvider = new FakeTimeProvider(Now),
        }.ToJwt();

        string[] parts = jwt.Split('.');
        parts.Should().HaveCount(3);
        using JsonDocument header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        header.RootElement.GetProperty("alg").GetString().Should().Be("HS256");
        header.RootElement.GetProperty("typ").GetString().Should().Be("JWT");

        byte[] expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        Base64Url.DecodeFromChars(parts[2]).Should().Equal(expected, "the signature is HMAC-SHA256 of header.claims under the API secret");

        using JsonDocument claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        JsonElement c = claims.RootElement;
        c.GetProperty("iss").GetString().Should().Be("APIkey123");
        c.GetProperty("sub").GetString().Should().Be("voice-bot");
        c.GetProperty("name").GetString().Should().Be("Voice bot");
        c.GetProperty("kind").GetString().Should().Be("agent");
        c.GetProperty("nbf").GetInt64().Should().Be(Now.ToUnixTimeSeconds());
        c.GetProperty("exp").GetInt64().Should().Be(Now.ToUnixTimeSeconds() + 30 * 60);
        JsonElement video = c.GetProperty("video");
        video.GetProperty("roomJoin").GetBoolean().Should().BeTrue();
        video.GetProperty("room").GetString().Should().Be("avatar-room");
        video.GetProperty("canPublish").GetBoolean().Should().BeTrue();
        video.GetProperty("canSubscribe").GetBoolean().Should().BeFalse();
        video.GetProperty("canPublishData").GetBoolean().Should().BeTrue();

        jwt.Should().NotContain(Secret);
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Should().NotContain(Secret, "the secret signs the token and is never in it");
    }

    [Fact]
    public void A_different_secret_gives_a_different_signature_and_the_same_claims()
    {
        var token = new LiveKitAccessToken { ApiKey = "k", ApiSecret = Secret, Identity = "user", Room = "r", TimeProvider = new FakeTimeProvider(Now) };
        string[] a = token.ToJwt().Split('.');
        string[] b = new LiveKitAccessToken { ApiKey = "k", ApiSecret = Secret + "x", Identity = "user", Room = "r", TimeProvider = new FakeTimeProvider(Now) }.ToJwt().Split('.');

        b[1].Should().Be(a[1]);
        b[2].Should().NotBe(a[2]);
        using JsonDocument claims = JsonDocument.Parse(Base64Url.DecodeFromChars(a[1]));
        claims.RootElement.TryGetProperty("name", out _).Should().BeFalse("no display name was given");
        claims.RootElement.TryGetProperty("kind", out _).Should().BeFalse("a person's client has no kind claim");
        (claims.RootElement.GetProperty("exp").GetInt64() - claims.RootElement.GetProperty("nbf").GetInt64())
            .Should().Be((long)LiveKitAccessToken.DefaultTimeToLive.TotalSeconds);
    }

    [Theory]
    [InlineData("", Secret, "user", "room", "LIVEKIT_API_KEY")]
    [InlineData("key", "", "user", "room", "LIVEKIT_API_SECRET")]
    [InlineData("key", Secret, " ", "room", "identity is empty")]
    [InlineData("key", Secret, "user", "", "room name is empty")]
    public void A_missing_value_is_named_in_the_error_and_the_secret_is_not(string key, string secret, string identity, string room, string named)
    {
        var token = new LiveKitAccessToken { ApiKey = key, ApiSecret = secret, Identity = identity, Room = room };

        var act = () => token.ToJwt();

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain(named).And.NotContain(Secret);
    }

    [Fact]
    public void A_lifetime_that_is_not_positive_is_refused_and_ToString_never_shows_the_secret()
    {
        var token = new LiveKitAccessToken { ApiKey = "key", ApiSecret = Secret, Identity = "user", Room = "room", TimeToLive = TimeSpan.Zero };

        var act = () => token.ToJwt();

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("positive").And.NotContain(Secret);
        token.ToString().Should().Contain("user").And.Contain("room").And.NotContain(Secret);
    }
}
