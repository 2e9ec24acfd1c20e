using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.LiveKit;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>The RoomService client against a real HTTP server speaking Twirp JSON.</summary>
public sealed class RoomServiceTests
{
    private const string Key = "APIroomkey";
    private const string Secret = "room-secret-0123456789abcdefghijklmnopqr";

    [Fact]
    public async Task RemoveParticipant_posts_the_room_and_identity_with_a_room_admin_token_and_says_whether_it_was_there()
    {
        await using var server = new TestRoomService((method, body) => Task.FromResult(body.GetProperty("identity").GetString() == "worker"
            ? (200, "{}")
            : (404, """{"code":"not_found","msg":"participant not found"}""")));
        using var http = new HttpClient();
        var service = new LiveKitRoomService(http, server.Url, Key, Secret, new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.Zero)));

        (await service.RemoveParticipantAsync("room-1", "worker")).Should().BeTrue();
        (await service.RemoveParticipantAsync("room-1", "gone")).Should().BeFalse("404: already gone");

        RoomServiceCall call = server.Calls[0];
        call.Method.Should().Be("RemoveParticipant");
        call.Body.GetProperty("room").GetString().Should().Be("room-1");
        call.Body.GetProperty("identity").GetString().Should().Be("worker");
        call.Authorization.Should().StartWith("Bearer ");
        JsonElement claims = call.VerifiedClaims(Secret) ?? throw new InvalidOperationException("bad signature");
        claims.GetProperty("iss").GetString().Should().Be(Key);
        claims.GetProperty("video").GetProperty("roomAdmin").GetBoolean().Should().BeTrue();
        claims.GetProperty("video").GetProperty("room").GetString().Should().Be("room-1");
        claims.GetProperty("video").GetProperty("roomJoin").GetBoolean().Should().BeFalse("an admin token does not join");
        (claims.GetProperty("exp").GetInt64() - claims.GetProperty("nbf").GetInt64()).Should().BePositive().And.BeLessThanOrEqualTo(600, "short-lived");
        service.ToString().Should().NotContain(Secret);
    }

    [Fact]
    public async Task ListParticipants_reads_identities_kinds_and_attributes_as_names_or_numbers()
    {
        await using var server = new TestRoomService((method, body) => Task.FromResult((200, """
            {"participants":[
              {"sid":"PA_1","identity":"agent","name":"","state":"ACTIVE","kind":"AGENT","attributes":{},"tracks":[],"joined_at":"17"},
              {"sid":"PA_2","identity":"bey-avatar-agent","kind":4,"attributes":{"lk.publish_on_behalf":"agent"},"unknown_field":{"x":1}},
              {"sid":"PA_3","identity":"user","name":"Ann"}
            ]}
            """)));
        using var http = new HttpClient();
        var service = new LiveKitRoomService(http, server.Url, Key, Secret);

        IReadOnlyList<RoomParticipant> participants = await service.ListParticipantsAsync("room-1");

        server.Calls.Single().Body.GetProperty("room").GetString().Should().Be("room-1");
        participants.Select(p => (p.Identity, p.Kind)).Should().Equal(("agent", ParticipantKind.Agent), ("bey-avatar-agent", ParticipantKind.Agent), ("user", ParticipantKind.Standard));
        participants[1].Attributes.Should().ContainSingle().Which.Should().Be(new KeyValuePair<string, string>("lk.publish_on_behalf", "agent"));
        participants[2].Name.Should().Be("Ann");
        participants[0].Sid.Should().Be("PA_1");
    }

    [Theory]
    [InlineData(401, """{"code":"unauthenticated","msg":"invalid token"}""", "unauthenticated", "LIVEKIT_API_SECRET")]
    [InlineData(500, """{"code":"internal","msg":"boom"}""", "internal", "boom")]
    [InlineData(502, "<html>bad gateway</html>", null, "bad gateway")]
    public async Task Errors_carry_the_status_and_Twirp_code_and_never_the_token(int status, string body, string? code, string expected)
    {
        await using var server = new TestRoomService((_, _) => Task.FromResult((status, body)));
        using var http = new HttpClient();
        var service = new LiveKitRoomService(http, server.Url, Key, Secret);

        LiveKitRoomServiceException error = (await FluentActions.Awaiting(() => service.RemoveParticipantAsync("room-1", "worker"))
            .Should().ThrowAsync<LiveKitRoomServiceException>()).Which;

        error.StatusCode.Should().Be((HttpStatusCode)status);
        error.ErrorCode.Should().Be(code);
        error.Message.Should().Contain($"HTTP {status}").And.Contain("RemoveParticipant").And.Contain(expected);
        string token = server.Calls.Single().Authorization!["Bearer ".Length..];
        error.Message.Should().NotContain(token).And.NotContain(Secret);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_clear_error()
    {
        await using var server = new TestRoomService((_, _) => Task.FromResult((200, "{}")));
        Uri url = server.Url;
        await server.DisposeAsync(); // nothing listens there any more
        using var http = new HttpClient();
        var service = new LiveKitRoomService(http, url, Key, Secret);

        LiveKitRoomServiceException error = (await FluentActions.Awaiting(() => service.ListParticipantsAsync("room-1"))
            .Should().ThrowAsync<LiveKitRoomServiceException>()).Which;
        error.StatusCode.Should().BeNull();
        error.Message.Should().Contain("could not be reached");
    }

    [Theory]
    [InlineData("wss://project.livekit.cloud", "https://project.livekit.cloud/")]
    [InlineData("ws://127.0.0.1:7880", "http://127.0.0.1:7880/")]
    [InlineData("wss://host:8443/base?x=1", "https://host:8443/base")]
    [InlineData("https://host", "https://host/")]
    public void The_HTTP_address_follows_the_room_URL(string room, string expected) =>
        LiveKitRoomService.HttpBaseFor(new Uri(room)).Should().Be(new Uri(expected));

    [Fact]
    public void Bad_settings_are_refused_with_what_to_do()
    {
        using var http = new HttpClient();
        FluentActions.Invoking(() => LiveKitRoomService.HttpBaseFor(new Uri("ftp://host"))).Should().Throw<ArgumentException>().WithMessage("*ws://, wss://*");
        FluentActions.Invoking(() => new LiveKitRoomService(http, new Uri("wss://host"), Key, Secret)).Should().Throw<ArgumentException>().WithMessage("*HttpBaseFor*");
        FluentActions.Invoking(() => new LiveKitRoomService(http, new Uri("https://host"), "", Secret)).Should().Throw<ArgumentException>().WithMessage("*LIVEKIT_API_KEY*");
        FluentActions.Invoking(() => new LiveKitRoomService(http, new Uri("https://host"), Key, " ")).Should().Throw<ArgumentException>().WithMessage("*LIVEKIT_API_SECRET*");
    }
}
