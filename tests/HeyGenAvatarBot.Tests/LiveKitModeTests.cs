using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HeyGenAvatarBot.Tests;

/// <summary>
/// The <c>--livekit</c> mode up to the point where it would join a real LiveKit server (which this machine has none
/// of): its preflight and arguments, and the tokens it mints for the bot, the avatar and the user.
/// </summary>
public sealed class LiveKitModeTests
{
    private const string Secret = "lk-secret-never-printed-0123456789";

    [Fact]
    public async Task Without_the_room_settings_and_the_avatar_key_every_missing_piece_is_reported_and_nothing_opens()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string directory = Path.Combine(Path.GetTempPath(), "voice-bot-livekit-" + Guid.NewGuid().ToString("N"));

        int exit = await BotCommand.RunAsync(["--livekit", "--engines", "local", "--output", directory], output, error, _ => null, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Should().Contain("LIVEKIT_URL").And.Contain("LIVEKIT_API_KEY").And.Contain("LIVEKIT_API_SECRET")
            .And.Contain("LIVEAVATAR_API_KEY").And.Contain("nothing was opened");
        output.ToString().Should().NotContain("Room").And.NotContain("sessions:");
        Directory.Exists(directory).Should().BeFalse("no user token is written for a run that cannot start");
    }

    [Fact]
    public async Task A_bad_url_and_the_interactive_product_are_refused_without_printing_the_secret()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new Dictionary<string, string>
        {
            [LiveKitRoomSettings.UrlVariable] = "livekit.example.com",
            [LiveKitRoomSettings.KeyVariable] = "APIkey",
            [LiveKitRoomSettings.SecretVariable] = Secret,
            [ProductChoice.InteractiveKeyVariable] = "heygen-key",
        };

        int exit = await BotCommand.RunAsync(["--livekit", "--interactive", "--engines", "local"], output, error, environment.GetValueOrDefault, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Should().Contain("LIVEKIT_URL must be an absolute ws://").And.Contain("only LiveAvatar offers")
            .And.NotContain("needs your LiveKit project's API secret", "the secret was given").And.NotContain(Secret).And.NotContain("heygen-key");
        output.ToString().Should().NotContain(Secret);
    }

    [Fact]
    public async Task Scripted_and_livekit_together_are_refused()
    {
        var error = new StringWriter();

        int exit = await BotCommand.RunAsync(["--scripted", "--livekit"], new StringWriter(), error, _ => null, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Should().Contain("Choose one mode");
    }

    [Fact]
    public void The_bot_and_the_avatar_get_agent_tokens_for_the_room_and_the_user_a_person_token_in_a_private_file()
    {
        var room = LiveKitRoomSettings.FromEnvironment(
            new Dictionary<string, string> { ["LIVEKIT_URL"] = "wss://example.livekit.cloud", ["LIVEKIT_API_KEY"] = "APIkey", ["LIVEKIT_API_SECRET"] = Secret }.GetValueOrDefault,
            room: "demo-room");
        room.Problems().Should().BeEmpty();
        room.ToString().Should().Contain("demo-room").And.Contain("APIkey").And.NotContain(Secret);

        JsonElement bot = VerifiedClaims(room.MintToken(LiveKitRoomSettings.BotIdentity, "Voice bot", agent: true));
        bot.GetProperty("sub").GetString().Should().Be(LiveKitRoomSettings.BotIdentity);
        bot.GetProperty("kind").GetString().Should().Be("agent", "the bot must not be taken for the person it listens to");
        bot.GetProperty("video").GetProperty("room").GetString().Should().Be("demo-room");
        VerifiedClaims(room.MintToken(LiveKitRoomSettings.AvatarIdentity, "Avatar", agent: true)).GetProperty("kind").GetString().Should().Be("agent");

        string directory = Directory.CreateTempSubdirectory("voice-bot-token-").FullName;
        try
        {
            string path = LiveKitRun.WriteUserToken(room, directory);
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "a token lets anyone join the room");
            }

            string token = File.ReadAllText(path).Trim();
            token.Should().NotContain(Secret);
            JsonElement user = VerifiedClaims(token);
            user.GetProperty("sub").GetString().Should().Be(LiveKitRoomSettings.UserIdentity);
            user.TryGetProperty("kind", out _).Should().BeFalse("the user is a person, whom the bot listens to");
            user.GetProperty("video").GetProperty("roomJoin").GetBoolean().Should().BeTrue();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The token's claims, after checking its HMAC-SHA256 signature under <see cref="Secret"/>.</summary>
    private static JsonElement VerifiedClaims(string jwt)
    {
        string[] parts = jwt.Split('.');
        byte[] expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        Base64Url.DecodeFromChars(parts[2]).Should().Equal(expected);
        JsonElement claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
        claims.GetProperty("iss").GetString().Should().Be("APIkey");
        return claims;
    }
}
