using System.Text;
using System.Text.Json;
using Pipeline.HeyGen.Realtime.Protocol;
using Pipeline.HeyGen.Realtime.Tests.Support;

namespace Pipeline.HeyGen.Realtime.Tests;

public sealed class EncodingTests
{
    [Fact]
    public void A_speak_message_is_the_wire_json_with_base64_pcm()
    {
        using var writer = new RealtimeMessageWriter();
        var pcm = TestAudio.Samples(100);

        var message = writer.WriteSpeak("utt-1", pcm, null);
        var text = Encoding.UTF8.GetString(message.Payload.Span);
        message.Release();

        text.Should().Be($"{{\"type\":\"agent.speak\",\"event_id\":\"utt-1\",\"audio\":\"{Convert.ToBase64String(pcm)}\"}}");
    }

    [Fact]
    public void A_control_message_without_an_id_gets_a_fresh_uuid()
    {
        using var writer = new RealtimeMessageWriter();

        var ids = Enumerable.Range(0, 3).Select(_ =>
        {
            var message = writer.WriteControl(RealtimeEventTypes.AgentStartListening, null);
            using var json = JsonDocument.Parse(message.Payload);
            message.Release();
            json.RootElement.GetProperty("type").GetString().Should().Be("agent.start_listening");
            return json.RootElement.GetProperty("event_id").GetString();
        }).ToList();

        ids.Should().OnlyHaveUniqueItems().And.OnlyContain(id => IsGuid(id));
    }

    [Fact]
    public void The_largest_allowed_chunk_fits_the_message_limit()
    {
        var id = new string('x', 36);
        var audio = RealtimeMessageWriter.MaxAudioBytesPerMessage(HeyGenRealtimeOptions.ServiceMessageLimitBytes, id.Length);
        using var writer = new RealtimeMessageWriter();

        var message = writer.WriteSpeak(id, new byte[audio], null);
        message.Release();

        message.Length.Should().BeLessThanOrEqualTo(HeyGenRealtimeOptions.ServiceMessageLimitBytes);
        audio.Should().BeGreaterThan(700_000);
    }

    [Fact]
    public void Encoding_a_steady_stream_of_speak_messages_allocates_nothing_per_message()
    {
        using var writer = new RealtimeMessageWriter();
        var pcm = TestAudio.Seconds(1);
        for (var i = 0; i < 16; i++) writer.WriteSpeak("utt-1", pcm, null).Release();

        // A per-message allocation shows in every round. The runtime's one-off work on this thread (tiered JIT
        // promoting WriteSpeak while it is being called: 536 B once in three full-suite runs) shows in one round only.
        const int rounds = 5, perRound = 500;
        var allocatedPerRound = new long[rounds];
        for (var round = 0; round < rounds; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < perRound; i++) writer.WriteSpeak("utt-1", pcm, null).Release();
            allocatedPerRound[round] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        allocatedPerRound.Should().Contain(0, "a steady stream of speak messages allocates nothing per message");
        allocatedPerRound.Sum().Should().BeLessThan(rounds * perRound, "less than one byte per message over all rounds");
    }

    private static bool IsGuid(string? id) => Guid.TryParse(id, out _);
}
