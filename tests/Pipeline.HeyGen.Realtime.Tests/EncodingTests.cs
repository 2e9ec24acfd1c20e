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

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 500; i++) writer.WriteSpeak("utt-1", pcm, null).Release();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
    }

    private static bool IsGuid(string? id) => Guid.TryParse(id, out _);
}
