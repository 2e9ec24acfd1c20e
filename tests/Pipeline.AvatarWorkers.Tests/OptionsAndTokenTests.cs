using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>The worker options' validation and the token claims the worker protocol needs.</summary>
public sealed class OptionsAndTokenTests
{
    private const string Secret = "options-secret-0123456789abcdefghijklmn";

    [Fact]
    public void Defaults_follow_LiveKit_Agents_and_the_RoomService_address_follows_the_room_URL()
    {
        var options = Valid();
        options.WorkerJoinTimeout.Should().Be(TimeSpan.FromSeconds(20));
        options.WaitForWorkerVideo.Should().BeTrue();
        options.ClearBufferTimeout.Should().Be(TimeSpan.FromSeconds(2));
        options.AudioLead.Should().Be(TimeSpan.FromMilliseconds(300));
        options.SpeechSampleRate.Should().BeNull();
        options.EffectiveRoomServiceUrl.Should().Be(new Uri("https://project.livekit.cloud/"));
        options.ToString().Should().NotContain(Secret).And.NotContain("APIoptkey").And.Contain("***");
    }

    public static TheoryData<LiveKitAvatarWorkerOptions, string> Invalid => new()
    {
        { new LiveKitAvatarWorkerOptions { ApiKey = "k", ApiSecret = Secret }, "*LiveKitUrl*ws:// or wss://*" },
        { new LiveKitAvatarWorkerOptions { LiveKitUrl = new Uri("https://x"), ApiKey = "k", ApiSecret = Secret }, "*LiveKitUrl*" },
        { new LiveKitAvatarWorkerOptions { LiveKitUrl = new Uri("wss://x"), ApiSecret = Secret }, "*ApiKey*LIVEKIT_API_KEY*" },
        { new LiveKitAvatarWorkerOptions { LiveKitUrl = new Uri("wss://x"), ApiKey = "k" }, "*ApiSecret*LIVEKIT_API_SECRET*" },
        { new LiveKitAvatarWorkerOptions { LiveKitUrl = new Uri("wss://x"), ApiKey = "k", ApiSecret = Secret, RoomServiceUrl = new Uri("wss://x") }, "*RoomServiceUrl*http*" },
        { new LiveKitAvatarWorkerOptions { LiveKitUrl = new Uri("wss://x"), ApiKey = "k", ApiSecret = Secret, WorkerJoinTimeout = TimeSpan.Zero }, "*WorkerJoinTimeout*positive*" },
        { new LiveKitAvatarWorkerOptions { LiveKitUrl = new Uri("wss://x"), ApiKey = "k", ApiSecret = Secret, ClearBufferTimeout = TimeSpan.FromSeconds(-1) }, "*ClearBufferTimeout*positive*" },
        { new LiveKitAvatarWorkerOptions { LiveKitUrl = new Uri("wss://x"), ApiKey = "k", ApiSecret = Secret, AudioLead = TimeSpan.FromMilliseconds(5) }, "*AudioLead*20 ms to 10 s*" },
        { new LiveKitAvatarWorkerOptions { LiveKitUrl = new Uri("wss://x"), ApiKey = "k", ApiSecret = Secret, SpeechSampleRate = 1000 }, "*SpeechSampleRate*8000 to 48000*" },
        { new LiveKitAvatarWorkerOptions { LiveKitUrl = new Uri("wss://x"), ApiKey = "k", ApiSecret = Secret, WorkerJoinTimeout = TimeSpan.FromMinutes(2) }, "*WorkerTokenTimeToLive (60 s) must be at least WorkerJoinTimeout (120 s)*" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_options_are_refused_naming_the_setting_and_never_the_secret(LiveKitAvatarWorkerOptions options, string message)
    {
        ArgumentException error = FluentActions.Invoking(options.Validate).Should().Throw<ArgumentException>().WithMessage(message).Which;
        error.Message.Should().NotContain(Secret);
    }

    [Fact]
    public void The_factory_validates_its_options()
    {
        var dispatcher = new NamedDispatcher();
        FluentActions.Invoking(() => new LiveKitAvatarWorkerSessionFactory(new LiveKitAvatarWorkerOptions(), dispatcher, _ => Task.FromResult(new Room())))
            .Should().Throw<ArgumentException>().WithMessage("*LiveKitUrl*");
    }

    [Fact]
    public void A_token_carries_attributes_metadata_and_the_room_admin_grant_and_is_signed_with_the_secret()
    {
        var now = new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);
        string jwt = new LiveKitAccessToken
        {
            ApiKey = "APIk",
            ApiSecret = Secret,
            Identity = "bey-avatar-agent",
            Room = "room-1",
            Kind = "agent",
            Metadata = "{\"v\":1}",
            Attributes = new Dictionary<string, string> { ["lk.publish_on_behalf"] = "agent", ["empty"] = "" },
            TimeProvider = new FakeTimeProvider(now),
        }.ToJwt();

        JsonElement claims = Decode(jwt);
        claims.GetProperty("attributes").GetProperty("lk.publish_on_behalf").GetString().Should().Be("agent");
        claims.GetProperty("attributes").GetProperty("empty").GetString().Should().BeEmpty();
        claims.GetProperty("metadata").GetString().Should().Be("{\"v\":1}");
        claims.GetProperty("video").TryGetProperty("roomAdmin", out _).Should().BeFalse("only asked-for grants are in the token");

        string admin = new LiveKitAccessToken
        {
            ApiKey = "APIk", ApiSecret = Secret, Identity = "svc", Room = "room-1", RoomJoin = false, RoomAdmin = true, TimeProvider = new FakeTimeProvider(now),
        }.ToJwt();
        JsonElement video = Decode(admin).GetProperty("video");
        video.GetProperty("roomAdmin").GetBoolean().Should().BeTrue();
        video.GetProperty("roomJoin").GetBoolean().Should().BeFalse();
        video.GetProperty("room").GetString().Should().Be("room-1");
        Decode(admin).TryGetProperty("attributes", out _).Should().BeFalse("no attributes, no claim");
    }

    [Fact]
    public void An_attribute_without_a_name_is_refused()
    {
        var token = new LiveKitAccessToken { ApiKey = "k", ApiSecret = Secret, Identity = "i", Room = "r", Attributes = new Dictionary<string, string> { [""] = "x" } };
        FluentActions.Invoking(token.ToJwt).Should().Throw<ArgumentException>().WithMessage("*attribute*name*");
    }

    private static LiveKitAvatarWorkerOptions Valid() => new() { LiveKitUrl = new Uri("wss://project.livekit.cloud"), ApiKey = "APIoptkey", ApiSecret = Secret };

    private static JsonElement Decode(string jwt)
    {
        string[] parts = jwt.Split('.');
        byte[] expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        Base64Url.DecodeFromChars(parts[2]).Should().Equal(expected, "HMAC-SHA256 of header.claims under the API secret");
        return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
    }

    private sealed class NamedDispatcher : IAvatarWorkerDispatcher
    {
        public string Provider => "p";

        public string WorkerIdentity => "w";

        public ValueTask<AvatarWorkerDispatch> DispatchAsync(AvatarWorkerDispatchRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask EndAsync(AvatarWorkerDispatch dispatch, CancellationToken cancellationToken) => default;
    }
}
