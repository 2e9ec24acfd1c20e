using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Emulator;

/// <summary>The emulator speaks HeyGen's protocol to any HTTP client: auth checks, envelopes, error shapes, faults.</summary>
public sealed class EmulatorHttpTests : EmulatorTest, IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public void It_listens_on_loopback_on_an_OS_chosen_port()
    {
        Emulator.BaseAddress.Host.Should().Be("127.0.0.1");
        Emulator.Port.Should().BePositive();
        Emulator.StreamingApiBaseUrl.Should().Be(new Uri($"http://127.0.0.1:{Emulator.Port}/v1"));
    }

    [Fact]
    public async Task Streaming_calls_without_an_api_key_get_401_with_code_400112()
    {
        using var response = await PostAsync("v1/streaming.new", """{"version":"v2"}""", apiKey: null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().Be("""{"code":400112,"message":"Unauthorized"}""");
    }

    [Fact]
    public async Task Streaming_new_without_version_v2_is_an_invalid_parameter()
    {
        using var response = await PostAsync("v1/streaming.new", """{"quality":"high"}""");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Json(response)).GetProperty("code").GetInt32().Should().Be(400175);
        Emulator.Sessions.OpenedCount.Should().Be(0);
    }

    [Theory]
    [InlineData("""{"version":"v2","quality":"ultra"}""", "quality")]
    [InlineData("""{"version":"v2","video_encoding":"AV1"}""", "video_encoding")]
    [InlineData("""{"version":"v2","activity_idle_timeout":10}""", "activity_idle_timeout")]
    [InlineData("""{"version":"v2","voice":{"emotion":"angry"}}""", "voice.emotion")]
    public async Task Streaming_new_checks_its_parameters(string body, string field)
    {
        using var response = await PostAsync("v1/streaming.new", body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Json(response)).GetProperty("message").GetString().Should().Contain(field);
    }

    [Fact]
    public async Task Start_without_a_session_id_is_a_missing_parameter()
    {
        using var response = await PostAsync("v1/streaming.start", "{}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Json(response)).GetProperty("code").GetInt32().Should().Be(40001);
    }

    [Fact]
    public async Task An_unknown_avatar_gets_code_10013_when_avatars_are_configured()
    {
        await using var emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions { KnownAvatarIds = { "Known_Avatar" } });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.BaseAddress, "v1/streaming.new"))
        {
            Content = new StringContent("""{"version":"v2","avatar_id":"Nobody"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", emulator.ApiKey);

        using var response = await _http.SendAsync(request);

        (await Json(response)).GetProperty("code").GetInt32().Should().Be(10013);
    }

    [Fact]
    public async Task Create_token_answers_the_error_null_shape()
    {
        using var response = await PostAsync("v1/streaming.create_token", "");

        var json = await Json(response);
        json.GetProperty("error").ValueKind.Should().Be(JsonValueKind.Null);
        json.GetProperty("data").GetProperty("token").GetString().Should().StartWith("emu-st-");
    }

    [Fact]
    public async Task LiveAvatar_token_without_avatar_id_is_a_FastAPI_422()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Emulator.BaseAddress, "v1/sessions/token"))
        {
            Content = JsonContent.Create(new { mode = "LITE" }),
        };
        request.Headers.Add("X-API-KEY", Emulator.LiveAvatarApiKey);

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var detail = (await Json(response)).GetProperty("detail")[0];
        detail.GetProperty("loc")[1].GetString().Should().Be("avatar_id");
        detail.GetProperty("msg").GetString().Should().Be("Field required");
    }

    [Fact]
    public async Task LiveAvatar_start_needs_the_bearer_session_token_not_the_api_key()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Emulator.BaseAddress, "v1/sessions/start"));
        request.Headers.Add("X-API-KEY", Emulator.LiveAvatarApiKey);

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var json = await Json(response);
        json.GetProperty("code").GetInt32().Should().Be(401);
        json.GetProperty("data").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task An_unknown_path_is_a_404_and_is_still_recorded()
    {
        using var response = await PostAsync("v1/streaming.bogus", "{}");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var recorded = Emulator.Requests.All.Should().ContainSingle().Subject;
        recorded.Endpoint.Should().BeNull();
        recorded.Path.Should().Be("/v1/streaming.bogus");
    }

    [Fact]
    public async Task A_fault_applies_to_exactly_the_next_N_calls_then_calls_are_served_again()
    {
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken, EmulatedFault.Status(503, retryAfter: TimeSpan.FromSeconds(2)), times: 2);
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken, EmulatedFault.Status(429));
        Emulator.Faults.Pending(EmulatorEndpoint.StreamingCreateToken).Should().Be(3);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await PostAsync("v1/streaming.create_token", "");
            statuses.Add(response.StatusCode);
            if (i == 0)
            {
                response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(2));
                (await response.Content.ReadAsStringAsync()).Should().Be("""{"code":503,"message":"Service Unavailable"}""");
            }
        }

        statuses.Should().Equal(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests, HttpStatusCode.OK);
        Emulator.Faults.Pending(EmulatorEndpoint.StreamingCreateToken).Should().Be(0);
    }

    [Fact]
    public async Task Faults_on_one_endpoint_do_not_touch_another()
    {
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingStop, EmulatedFault.Status(500));

        using var response = await PostAsync("v1/streaming.create_token", "");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Emulator.Faults.Pending(EmulatorEndpoint.StreamingStop).Should().Be(1);
    }

    [Fact]
    public async Task LiveAvatar_status_faults_use_LiveAvatars_error_shape()
    {
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarToken, EmulatedFault.Status(500));

        using var response = await PostAsync("v1/sessions/token", "{}");

        (await response.Content.ReadAsStringAsync()).Should().Be("""{"code":500,"data":null,"message":"Internal Server Error"}""");
    }

    [Fact]
    public async Task A_dropped_connection_fault_aborts_without_an_answer()
    {
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingList, EmulatedFault.DropConnection());

        var act = () => _http.GetAsync(new Uri(Emulator.BaseAddress, "v1/streaming.list"));

        await act.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task A_malformed_body_fault_answers_200_with_truncated_json()
    {
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingList, EmulatedFault.MalformedBody());

        using var response = await _http.GetAsync(new Uri(Emulator.BaseAddress, "v1/streaming.list"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.Content.ReadAsStringAsync();
        var act = () => JsonDocument.Parse(body);
        act.Should().Throw<JsonException>();
    }

    [Fact]
    public async Task A_delay_fault_on_the_emulator_clock_then_serves_the_call()
    {
        var time = new TimerObservingTimeProvider();
        await using var emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions { TimeProvider = time });
        emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken, EmulatedFault.Delayed(TimeSpan.FromSeconds(30)));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.BaseAddress, "v1/streaming.create_token"));
        request.Headers.Add("x-api-key", emulator.ApiKey);

        var pending = _http.SendAsync(request);
        (await time.AdvanceToNextTimerAsync()).Should().Be(TimeSpan.FromSeconds(30));
        using var response = await pending;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_LiveAvatar_success_code_is_configurable()
    {
        await using var emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions { LiveAvatarSuccessCode = 100 });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.BaseAddress, "v1/sessions/token"))
        {
            Content = JsonContent.Create(new { mode = "LITE", avatar_id = "a" }),
        };
        request.Headers.Add("X-API-KEY", emulator.LiveAvatarApiKey);

        using var response = await _http.SendAsync(request);
        var json = await Json(response);

        json.GetProperty("code").GetInt32().Should().Be(100);
        var session = emulator.FindSession(json.GetProperty("data").GetProperty("session_id").GetString()!)!;
        session.State.Should().Be(EmulatedSessionState.New);
        session.Product.Should().Be(EmulatedProduct.LiveAvatar);
    }

    [Fact]
    public void An_unknown_session_is_not_found()
    {
        Emulator.FindSession("nope").Should().BeNull();
        Emulator.Sessions.Find(null).Should().BeNull();
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string? apiKey = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Emulator.BaseAddress, path))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Add(path.StartsWith("v1/sessions", StringComparison.Ordinal) ? "X-API-KEY" : "x-api-key",
                apiKey.Length == 0 ? (path.StartsWith("v1/sessions", StringComparison.Ordinal) ? Emulator.LiveAvatarApiKey : Emulator.ApiKey) : apiKey);
        }

        return await _http.SendAsync(request);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
