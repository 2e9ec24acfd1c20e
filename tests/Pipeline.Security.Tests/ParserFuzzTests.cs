using System.Text;
using System.Text.Json;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.Security.Tests.Infrastructure;

namespace Pipeline.Security.Tests;

/// <summary>
/// Fuzzes the realtime message parser and the REST envelope parser with 20 000 deterministic inputs each, and the
/// whole REST client with a few hundred bodies served by the emulator: only the documented exceptions escape.
/// </summary>
public sealed class ParserFuzzTests
{
    private const int Seed = 20_261_125;
    private const int Count = 20_000;

    /// <summary>The one known failure (see <see cref="BadServerJsonTests.RealtimeSurrogateBug"/>), tolerated by the
    /// everyday runs so they keep guarding against everything else; the strict runs below are skipped until it is fixed.</summary>
    private static bool IsKnownTranscodingBug(Exception ex) =>
        ex is InvalidOperationException && ex.Message.Contains("UTF-16", StringComparison.Ordinal); // lone surrogates, invalid UTF-8

    private static readonly string[] RealtimeCorpus =
    [
        "{\"type\":\"session.state_updated\",\"event_id\":\"e1\",\"state\":\"connected\"}",
        "{\"type\":\"session.state_updated\",\"state\":\"closed\"}",
        "{\"type\":\"agent.speak_started\",\"event_id\":\"u1\",\"task\":{\"id\":\"t-1\"}}",
        "{\"type\":\"agent.speak_ended\",\"event_id\":\"u1\",\"task\":{\"id\":42}}",
        "{\"type\":\"agent.speak_interrupted\",\"event_id\":\"u1\"}",
        "{\"type\":\"agent.state_updated\",\"previous_state\":\"idle\",\"new_state\":\"talking\"}",
        "{\"type\":\"agent.state\",\"state\":\"listening\"}",
        "{\"type\":\"agent.audio_buffer_appended\",\"source_event_id\":\"u1\"}",
        "{\"type\":\"agent.audio_buffer_committed\",\"source_event_id\":\"u1\"}",
        "{\"type\":\"agent.audio_buffer_cleared\"}",
        "{\"type\":\"warning\",\"message\":\"slow down\"}",
        "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request\",\"message\":\"bad\",\"code\":400},\"source_event_id\":\"x\"}",
        "{\"type\":\"error\",\"error\":\"rate_limited\",\"message\":\"m\",\"code\":\"429\"}",
        "{\"type\":\"agent.unknown_future_event\",\"payload\":[1,2,{\"a\":null}]}",
    ];

    private static readonly string[] RealtimeKeys =
        ["type", "event_id", "source_event_id", "state", "task", "id", "previous_state", "new_state", "message", "error", "code",
         "session.state_updated", "agent.speak_started", "agent.speak_ended", "agent.speak_interrupted", "agent.state_updated",
         "agent.state", "warning", "connected", "closing", "talking", "idle"];

    private static readonly string[] RestCorpus =
    [
        "{\"code\":100,\"message\":\"success\",\"data\":{\"session_id\":\"s\",\"access_token\":\"a\",\"livekit_agent_token\":\"b\",\"realtime_endpoint\":\"wss://x/y?session_token=t\",\"url\":\"wss://x\",\"session_duration_limit\":600,\"is_paid\":false}}",
        "{\"code\":1000,\"message\":\"success\",\"data\":{\"session_id\":\"s\",\"session_token\":\"t\"}}",
        "{\"code\":\"SUCCESS\",\"data\":{\"token\":\"t\"}}",
        "{\"error\":null,\"data\":{\"token\":\"t\"}}",
        "{\"code\":100,\"data\":{\"sessions\":[{\"session_id\":\"s\",\"status\":\"connected\",\"created_at\":1700000000}]}}",
        "{\"code\":400,\"message\":\"invalid avatar\"}",
        "{\"error\":{\"code\":\"10013\",\"message\":\"avatar not found\"}}",
        "{\"error\":\"unauthorized\"}",
        "{\"detail\":[{\"loc\":[\"body\",\"avatar_id\"],\"msg\":\"field required\",\"type\":\"value_error\"}]}",
        "{\"detail\":\"Not Found\"}",
        "{\"code\":4000,\"data\":[{\"message\":\"quota exceeded\"}]}",
    ];

    private static readonly string[] RestKeys =
        ["code", "message", "data", "error", "detail", "msg", "session_id", "access_token", "livekit_agent_token", "realtime_endpoint",
         "url", "session_token", "token", "sessions", "status", "100", "1000", "success"];

    [Fact]
    public void The_realtime_parser_survives_20000_fuzzed_messages() => FuzzRealtime(tolerateKnownBug: true);

    [Fact]
    public void The_realtime_parser_survives_20000_fuzzed_messages_strictly() => FuzzRealtime(tolerateKnownBug: false);

    [Fact]
    public void The_REST_envelope_parser_survives_20000_fuzzed_bodies() => FuzzRest(tolerateKnownBug: true);

    [Fact]
    public void The_REST_envelope_parser_survives_20000_fuzzed_bodies_strictly() => FuzzRest(tolerateKnownBug: false);

    [Fact]
    public async Task The_REST_client_turns_300_fuzzed_bodies_into_results_or_HeyGenApiExceptions_only()
    {
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
        var fuzzer = new JsonFuzzer(Seed + 2, RestCorpus, RestKeys);
        int[] statuses = [200, 200, 200, 400, 401, 404, 422, 500];
        var random = new Random(Seed + 3);
        var unexpected = new List<string>();
        int apiErrors = 0, succeeded = 0;

        for (int i = 0; i < 300; i++)
        {
            string body = Encoding.UTF8.GetString(fuzzer.Next());
            int status = statuses[random.Next(statuses.Length)];
            emulator.Faults.Clear();
            emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(status, body));
            try
            {
                StandardSessionResponse session = await api.NewSessionAsync(new NewSessionRequest());
                session.SessionId.Should().NotBeNullOrEmpty();
                succeeded++;
            }
            catch (HeyGenApiException ex)
            {
                ex.Message.Should().StartWith("HeyGen streaming.");
                apiErrors++;
            }
            catch (Exception ex) when (IsKnownTranscodingBug(ex))
            {
                // Pinned by BadServerJsonTests' skipped REST theory.
            }
            catch (Exception ex)
            {
                unexpected.Add($"HTTP {status} {Describe(body)} -> {ex.GetType().Name}: {ex.Message}");
            }
        }

        unexpected.Should().BeEmpty();
        apiErrors.Should().BeGreaterThan(200, "most fuzzed bodies are errors");
        (apiErrors + succeeded).Should().BeGreaterThan(290);
    }

    private static void FuzzRealtime(bool tolerateKnownBug)
    {
        var fuzzer = new JsonFuzzer(Seed, RealtimeCorpus, RealtimeKeys);
        var outcomes = new Dictionary<string, int>();
        var failures = new List<string>();
        for (int i = 0; i < Count; i++)
        {
            byte[] input = fuzzer.Next();
            RealtimeParse parsed;
            try
            {
                parsed = Parsers.ParseRealtime(input);
            }
            catch (Exception ex) when (tolerateKnownBug && IsKnownTranscodingBug(ex))
            {
                continue;
            }
            catch (Exception ex)
            {
                failures.Add($"#{i} {Describe(input)} -> {ex.GetType().Name}: {ex.Message}");
                continue;
            }

            outcomes[parsed.Outcome] = outcomes.GetValueOrDefault(parsed.Outcome) + 1;
            string? broken = parsed.Outcome switch
            {
                "Parsed" when parsed.Event is null || parsed.Event.Type != parsed.TypeOrError || parsed.Event.RawJson != Encoding.UTF8.GetString(input)
                    => "Parsed without a consistent event",
                "UnknownType" or "Malformed" when parsed.Event is not null => $"{parsed.Outcome} with an event",
                "Malformed" when string.IsNullOrEmpty(parsed.TypeOrError) => "Malformed without a reason",
                "Parsed" or "UnknownType" or "Malformed" => null,
                _ => "unknown outcome",
            };
            if (broken is not null)
            {
                failures.Add($"#{i} {Describe(input)} -> {broken}");
            }
        }

        failures.Should().BeEmpty();
        outcomes.Keys.Should().BeEquivalentTo(["Parsed", "UnknownType", "Malformed"], "the fuzzer reaches every outcome");
        outcomes.Values.Should().OnlyContain(n => n > Count / 50, "each outcome is well exercised");
    }

    private static void FuzzRest(bool tolerateKnownBug)
    {
        var fuzzer = new JsonFuzzer(Seed + 1, RestCorpus, RestKeys);
        int successes = 0, errors = 0, rejected = 0;
        var failures = new List<string>();
        for (int i = 0; i < Count; i++)
        {
            // As HttpContent.ReadAsStringAsync would hand it over: invalid UTF-8 becomes U+FFFD.
            string body = Encoding.UTF8.GetString(fuzzer.Next());
            try
            {
                Envelope envelope = Parsers.ParseSuccessBody(body);
                if (envelope.IsSuccess)
                {
                    successes++;
                }
                else
                {
                    errors++;
                }
            }
            catch (JsonException)
            {
                rejected++; // documented: the body is not a JSON object
            }
            catch (Exception ex) when (tolerateKnownBug && IsKnownTranscodingBug(ex))
            {
            }
            catch (Exception ex)
            {
                failures.Add($"#{i} ParseSuccessBody {Describe(body)} -> {ex.GetType().Name}: {ex.Message}");
            }

            try
            {
                _ = Parsers.ParseErrorBody(body);
            }
            catch (Exception ex) when (tolerateKnownBug && IsKnownTranscodingBug(ex))
            {
            }
            catch (Exception ex)
            {
                failures.Add($"#{i} ParseErrorBody {Describe(body)} -> {ex.GetType().Name}: {ex.Message}");
            }
        }

        failures.Should().BeEmpty();
        successes.Should().BeGreaterThan(Count / 50, "success envelopes are exercised");
        errors.Should().BeGreaterThan(Count / 50, "error envelopes are exercised");
        rejected.Should().BeGreaterThan(Count / 50, "bodies that are not JSON objects are exercised");
    }

    private static string Describe(byte[] input) => Describe(Encoding.UTF8.GetString(input));

    private static string Describe(string input) => JsonSerializer.Serialize(input.Length > 200 ? input[..200] + "…" : input);
}
