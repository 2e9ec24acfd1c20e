using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Pipeline.LiveKit.Tests;

/// <summary>
/// The loopback SFU's RoomService (Twirp JSON on its second port), called as LiveKit's server API is: what the
/// avatar-worker session uses to list the room and to remove a worker that must go.
/// </summary>
public sealed class SfuRoomServiceTests
{
    private const string Room = "test-room";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ListParticipants_names_everyone_with_kind_attributes_and_tracks()
    {
        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--room", Room, "--api-key", TestJwt.ApiKey, "--api-secret", TestJwt.ApiSecret);
        await using var agent = new Room(TestLogging.Factory);
        await agent.ConnectAsync(sfu.Url, TestJwt.Join("agent-1", kind: "agent", attributes: new Dictionary<string, string> { ["role"] = "brain" }), Options, timeout.Token);

        (HttpStatusCode status, JsonElement body) = await CallAsync(sfu, "ListParticipants", $$"""{"room":"{{Room}}"}""", TestJwt.Admin(Room), timeout.Token);

        status.Should().Be(HttpStatusCode.OK);
        agent.Name.Should().Be(Room, "the SFU's one room bears the name the tokens grant");
        JsonElement[] participants = [.. body.GetProperty("participants").EnumerateArray()];
        participants.Select(p => p.GetProperty("identity").GetString()).Should().Equal("heygen", "agent-1");
        JsonElement avatar = participants[0];
        avatar.GetProperty("kind").GetString().Should().Be("STANDARD");
        avatar.GetProperty("tracks").EnumerateArray().Select(t => (t.GetProperty("type").GetString(), t.GetProperty("source").GetString()))
            .Should().Equal(("VIDEO", "CAMERA"), ("AUDIO", "MICROPHONE"));
        JsonElement agentInfo = participants[1];
        agentInfo.GetProperty("sid").GetString().Should().Be(agent.LocalParticipant!.Sid);
        agentInfo.GetProperty("name").GetString().Should().Be("agent-1 (display)");
        agentInfo.GetProperty("kind").GetString().Should().Be("AGENT");
        agentInfo.GetProperty("attributes").GetProperty("role").GetString().Should().Be("brain");
        agentInfo.GetProperty("tracks").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task RemoveParticipant_ends_its_session_and_the_others_see_it_removed()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar", "--api-key", TestJwt.ApiKey, "--api-secret", TestJwt.ApiSecret))
        {
            await using var agent = new Room(TestLogging.Factory);
            await using var worker = new Room(TestLogging.Factory);
            var workerLeft = new TaskCompletionSource<ParticipantDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            var workerEnded = new TaskCompletionSource<RoomDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            agent.ParticipantDisconnected += (_, e) => workerLeft.TrySetResult(e);
            worker.Disconnected += (_, e) => workerEnded.TrySetResult(e);
            await agent.ConnectAsync(sfu.Url, TestJwt.Join("agent-1", Room), Options, timeout.Token);
            await worker.ConnectAsync(sfu.Url, TestJwt.Join("worker-1", Room), Options, timeout.Token);

            (HttpStatusCode status, JsonElement body) = await CallAsync(sfu, "RemoveParticipant", $$"""{"room":"{{Room}}","identity":"worker-1"}""", TestJwt.Admin(Room), timeout.Token);

            status.Should().Be(HttpStatusCode.OK);
            body.EnumerateObject().Should().BeEmpty();
            (await workerEnded.Task.WaitAsync(timeout.Token)).Reason.Should().Be(DisconnectReason.ParticipantRemoved);
            ParticipantDisconnectedEventArgs left = await workerLeft.Task.WaitAsync(timeout.Token);
            left.Identity.Should().Be("worker-1");
            left.Reason.Should().Be(DisconnectReason.ParticipantRemoved);

            (_, JsonElement listed) = await CallAsync(sfu, "ListParticipants", $$"""{"room":"{{Room}}"}""", TestJwt.Admin(Room), timeout.Token);
            listed.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("identity").GetString()).Should().Equal("agent-1");
            (HttpStatusCode again, JsonElement error) = await CallAsync(sfu, "RemoveParticipant", $$"""{"room":"{{Room}}","identity":"worker-1"}""", TestJwt.Admin(Room), timeout.Token);
            again.Should().Be(HttpStatusCode.NotFound);
            error.GetProperty("code").GetString().Should().Be("not_found");
            error.GetProperty("msg").GetString().Should().Be("participant not found");
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Theory]
    [InlineData(null, """{"room":"test-room","identity":"x"}""", 401, "unauthenticated")]
    [InlineData("not-a-jwt", """{"room":"test-room","identity":"x"}""", 401, "unauthenticated")]
    [InlineData("wrong-secret", """{"room":"test-room","identity":"x"}""", 401, "unauthenticated")]
    [InlineData("no-admin", """{"room":"test-room","identity":"x"}""", 403, "permission_denied")]
    [InlineData("other-room", """{"room":"test-room","identity":"x"}""", 403, "permission_denied")]
    [InlineData("admin", """{"room":"test-room"}""", 400, "malformed")]
    [InlineData("admin", """{"room":""", 400, "malformed")]
    [InlineData("admin", """{"room":"test-room","identity":"nobody"}""", 404, "not_found")]
    public async Task RemoveParticipant_refuses_bad_calls_with_twirp_errors(string? token, string body, int status, string code)
    {
        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar", "--room", Room, "--api-key", TestJwt.ApiKey, "--api-secret", TestJwt.ApiSecret);
        string? bearer = token switch
        {
            "admin" => TestJwt.Admin(Room),
            "wrong-secret" => TestJwt.Admin(Room, secret: "another-secret-of-at-least-32-characters"),
            "no-admin" => TestJwt.Admin(Room, roomAdmin: false),
            "other-room" => TestJwt.Admin("another-room"),
            _ => token,
        };

        (HttpStatusCode answered, JsonElement error) = await CallAsync(sfu, "RemoveParticipant", body, bearer, timeout.Token);

        ((int)answered).Should().Be(status);
        error.GetProperty("code").GetString().Should().Be(code);
        error.GetProperty("msg").GetString().Should().NotBeNullOrEmpty().And.NotContain(TestJwt.ApiSecret);
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(LoopbackSfu sfu, string method, string json, string? token, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = sfu.RoomServiceUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/twirp/livekit.RoomService/" + method)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static RoomConnectOptions Options => new() { ConnectTimeout = Budget };
}
