using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Pipeline.AvatarWorker.Emulator.Tests;

/// <summary>
/// The Beyond-Presence-compatible REST API: what a dispatcher sends and gets back, and every way a request is refused.
/// The worker is kept out of any room (<see cref="AvatarWorkerFaults.NeverJoin"/>): these tests are about HTTP.
/// </summary>
public sealed class SessionApiTests
{
    private const string LiveKitUrl = "ws://127.0.0.1:7880";

    [Fact]
    public async Task A_valid_request_creates_a_session_that_reads_back_and_names_the_worker_and_its_agent()
    {
        await using AvatarWorkerEmulator emulator = await StartAsync();
        using HttpClient http = Client(emulator);
        string token = WorkerTokens.Mint("bey-worker", "agent-7");

        using HttpResponseMessage created = await http.PostAsJsonAsync("v1/session", Body("avatar-1", LiveKitUrl, token));

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        JsonObject session = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        string id = session["id"]!.GetValue<string>();
        session["avatar_id"]!.GetValue<string>().Should().Be("avatar-1");
        session["livekit_url"]!.GetValue<string>().Should().Be(LiveKitUrl);
        session["livekit_token"]!.GetValue<string>().Should().Be(token, "the service echoes the token (documented)");
        DateTimeOffset.Parse(session["created_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));

        using HttpResponseMessage read = await http.GetAsync($"v1/session/{id}");
        read.StatusCode.Should().Be(HttpStatusCode.OK);
        (await read.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>().Should().Be(id);
        (await http.GetAsync("v1/session/no-such-session")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        WorkerSessionRecord record = emulator.Ledger.Find(id)!;
        record.AvatarId.Should().Be("avatar-1");
        record.Room.Should().Be("room");
        record.WorkerIdentity.Should().Be("bey-worker");
        record.AgentIdentity.Should().Be("agent-7");
        record.LiveKitUrl.Should().Be(new Uri(LiveKitUrl));
        record.Running().Should().BeTrue("a NeverJoin worker waits, out of the room, until the emulator stops");
    }

    [Fact]
    public async Task A_missing_or_wrong_key_is_401_and_creates_nothing()
    {
        await using AvatarWorkerEmulator emulator = await StartAsync();
        using var anonymous = new HttpClient { BaseAddress = emulator.BaseAddress };
        using HttpClient wrong = Client(emulator, "not-the-key");

        (await anonymous.PostAsJsonAsync("v1/session", Body("a", LiveKitUrl, WorkerTokens.Mint()))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using HttpResponseMessage refused = await wrong.PostAsJsonAsync("v1/session", Body("a", LiveKitUrl, WorkerTokens.Mint()));
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("detail").And.NotContain("not-the-key");
        (await wrong.GetAsync("v1/session/x")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        emulator.Ledger.Sessions.Should().BeEmpty();
        emulator.Ledger.DispatchRefusals.Should().Be(3);
    }

    public static TheoryData<string, string> BadBodies() => new()
    {
        { "not json", "body" },
        { "[1,2]", "body" },
        { Body(null, LiveKitUrl, WorkerTokens.Mint()).ToJsonString(), "avatar_id" },
        { Body("  ", LiveKitUrl, WorkerTokens.Mint()).ToJsonString(), "avatar_id" },
        { Body("a", null, WorkerTokens.Mint()).ToJsonString(), "livekit_url" },
        { Body("a", "not a url", WorkerTokens.Mint()).ToJsonString(), "livekit_url" },
        { Body("a", "ftp://example.org", WorkerTokens.Mint()).ToJsonString(), "livekit_url" },
        { Body("a", LiveKitUrl, null).ToJsonString(), "livekit_token" },
        { Body("a", LiveKitUrl, "identity:worker").ToJsonString(), "livekit_token" },
        { Body("a", LiveKitUrl, "a.b!.c").ToJsonString(), "livekit_token" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_malformed_body_is_422_naming_the_field(string body, string field)
    {
        await using AvatarWorkerEmulator emulator = await StartAsync();
        using HttpClient http = Client(emulator);

        using HttpResponseMessage response = await http.PostAsync("v1/session", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        JsonArray location = (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]![0]!["loc"]!.AsArray();
        location[^1]!.GetValue<string>().Should().Be(field);
        emulator.Ledger.Sessions.Should().BeEmpty();
    }

    public static TheoryData<string, string> TokensAWorkerCannotUse() => new()
    {
        { "sub", "'sub'" },
        { "video.roomJoin", "video.roomJoin" },
        { "video.room", "video.room" },
        { "kind", "'kind'" },
        { "attributes.lk.publish_on_behalf", "lk.publish_on_behalf" },
    };

    [Theory]
    [MemberData(nameof(TokensAWorkerCannotUse))]
    public async Task A_token_without_what_a_worker_needs_is_422_naming_the_claim_never_the_token(string missing, string named)
    {
        await using AvatarWorkerEmulator emulator = await StartAsync();
        using HttpClient http = Client(emulator);
        JsonObject claims = WorkerTokens.Claims();
        switch (missing)
        {
            case "video.roomJoin":
                claims["video"]!["roomJoin"] = false;
                break;
            case "video.room":
                claims["video"]!.AsObject().Remove("room");
                break;
            case "kind":
                claims["kind"] = "standard";
                break;
            case "attributes.lk.publish_on_behalf":
                claims["attributes"]!.AsObject().Remove("lk.publish_on_behalf");
                break;
            default:
                claims.Remove(missing);
                break;
        }

        string token = WorkerTokens.Sign(claims);

        using HttpResponseMessage response = await http.PostAsJsonAsync("v1/session", Body("a", LiveKitUrl, token));

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        string text = await response.Content.ReadAsStringAsync();
        JsonNode error = JsonNode.Parse(text)!["detail"]![0]!;
        error["loc"]![1]!.GetValue<string>().Should().Be("livekit_token");
        error["msg"]!.GetValue<string>().Should().Contain(named);
        text.Should().NotContain(token).And.NotContain(token.Split('.')[1], "no part of the token is echoed in an error");
    }

    [Fact]
    public async Task With_the_livekit_secret_configured_a_token_signed_otherwise_or_expired_is_refused()
    {
        await using AvatarWorkerEmulator emulator = await StartAsync(new AvatarWorkerEmulatorOptions { LiveKitApiSecret = WorkerTokens.Secret });
        using HttpClient http = Client(emulator);
        JsonObject expired = WorkerTokens.Claims();
        expired["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds();

        (await http.PostAsJsonAsync("v1/session", Body("a", LiveKitUrl, WorkerTokens.Sign(WorkerTokens.Claims(), "another-secret"))))
            .StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await http.PostAsJsonAsync("v1/session", Body("a", LiveKitUrl, WorkerTokens.Sign(expired))))
            .StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await http.PostAsJsonAsync("v1/session", Body("a", LiveKitUrl, WorkerTokens.Mint())))
            .StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(422)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task An_injected_dispatch_status_is_answered_with_its_body_once_then_sessions_are_created_again(int status)
    {
        await using AvatarWorkerEmulator emulator = await StartAsync();
        using HttpClient http = Client(emulator);
        emulator.Faults.FailDispatch(status, "{\"detail\":\"injected\"}");

        using HttpResponseMessage refused = await http.PostAsJsonAsync("v1/session", Body("a", LiveKitUrl, WorkerTokens.Mint()));
        using HttpResponseMessage accepted = await http.PostAsJsonAsync("v1/session", Body("a", LiveKitUrl, WorkerTokens.Mint()));

        ((int)refused.StatusCode).Should().Be(status);
        (await refused.Content.ReadAsStringAsync()).Should().Be("{\"detail\":\"injected\"}");
        accepted.StatusCode.Should().Be(HttpStatusCode.Created);
        emulator.Ledger.Sessions.Should().ContainSingle();
    }

    [Fact]
    public async Task A_worker_that_never_joins_ends_with_the_emulator_and_its_joined_task_says_so()
    {
        WorkerSessionRecord record;
        await using (AvatarWorkerEmulator emulator = await StartAsync())
        {
            using HttpClient http = Client(emulator);
            (await http.PostAsJsonAsync("v1/session", Body("a", LiveKitUrl, WorkerTokens.Mint()))).EnsureSuccessStatusCode();
            record = emulator.Ledger.Sessions.Single();
            record.Joined.IsCompleted.Should().BeFalse();
        }

        record.Left.IsCompleted.Should().BeTrue("disposing the emulator waits for every worker");
        record.LeaveReason.Should().Be(WorkerLeaveReason.NeverJoined);
        record.JoinedAt.Should().BeNull();
        await record.Awaiting(r => r.Joined).Should().ThrowAsync<InvalidOperationException>().WithMessage("*never joined*");
    }

    [Fact]
    public async Task Options_out_of_range_are_refused_with_the_setting_named()
    {
        await FluentActions.Awaiting(() => AvatarWorkerEmulator.StartAsync(new AvatarWorkerEmulatorOptions { AudioSampleRate = 1000 }))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithParameterName("AudioSampleRate");
        await FluentActions.Awaiting(() => AvatarWorkerEmulator.StartAsync(new AvatarWorkerEmulatorOptions { ApiKey = "" }))
            .Should().ThrowAsync<ArgumentException>();
    }

    internal static JsonObject Body(string? avatarId, string? url, string? token)
    {
        var body = new JsonObject();
        if (avatarId is not null)
        {
            body["avatar_id"] = avatarId;
        }

        if (url is not null)
        {
            body["livekit_url"] = url;
        }

        if (token is not null)
        {
            body["livekit_token"] = token;
        }

        return body;
    }

    private static async Task<AvatarWorkerEmulator> StartAsync(AvatarWorkerEmulatorOptions? options = null)
    {
        AvatarWorkerEmulator emulator = await AvatarWorkerEmulator.StartAsync(options ?? new AvatarWorkerEmulatorOptions());
        emulator.Faults.NeverJoin = true;
        return emulator;
    }

    private static HttpClient Client(AvatarWorkerEmulator emulator, string? key = null)
    {
        var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        http.DefaultRequestHeaders.Add("x-api-key", key ?? emulator.ApiKey);
        return http;
    }
}

internal static class RecordExtensions
{
    public static bool Running(this WorkerSessionRecord record) => record.LeftAt is null;
}
