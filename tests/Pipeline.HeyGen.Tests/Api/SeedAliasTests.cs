using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Api.Http;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>
/// Settings written with the seed's camelCase names (<c>voiceId</c>, <c>elevenlabsSettings</c>, <c>model</c>) bind,
/// from appsettings and from JSON, instead of silently falling back to the default voice; the wire stays snake_case.
/// </summary>
public sealed class SeedAliasTests : EmulatorTest
{
    private const string SeedJson = """
        {
          "voiceId": "seed-voice",
          "rate": 1.1,
          "elevenlabsSettings": { "stability": 0.4, "similarityBoost": 0.7, "model": "eleven_flash_v2_5", "useSpeakerBoost": true }
        }
        """;

    private static readonly ElevenLabsSettings ExpectedElevenLabs = new()
    {
        Stability = 0.4, SimilarityBoost = 0.7, ModelId = "eleven_flash_v2_5", UseSpeakerBoost = true,
    };

    [Fact]
    public void Appsettings_written_the_seed_way_bind_through_configuration()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes($$"""{ "HeyGen": { "Voice": {{SeedJson}} } }""")))
            .Build();

        VoiceSettings voice = configuration.GetSection("HeyGen:Voice").Get<VoiceSettings>()!;

        voice.VoiceId.Should().Be("seed-voice");
        voice.Rate.Should().Be(1.1);
        voice.ElevenLabsSettings.Should().Be(ExpectedElevenLabs);
    }

    [Fact]
    public void Json_written_the_seed_way_deserializes_with_the_wire_context_and_with_default_options()
    {
        VoiceSettings viaContext = JsonSerializer.Deserialize(SeedJson, HeyGenJsonContext.Default.VoiceSettings)!;
        VoiceSettings viaReflection = JsonSerializer.Deserialize<VoiceSettings>(SeedJson)!;

        foreach (VoiceSettings voice in new[] { viaContext, viaReflection })
        {
            voice.VoiceId.Should().Be("seed-voice");
            voice.ElevenLabsSettings.Should().Be(ExpectedElevenLabs);
        }
    }

    [Fact]
    public void The_snake_case_wire_names_still_deserialize_and_win_over_nothing()
    {
        VoiceSettings voice = JsonSerializer.Deserialize(
            """{ "voice_id": "wire-voice", "elevenlabs_settings": { "model_id": "m" } }""", HeyGenJsonContext.Default.VoiceSettings)!;

        voice.VoiceId.Should().Be("wire-voice");
        voice.ElevenLabsSettings!.ModelId.Should().Be("m");
    }

    [Fact]
    public async Task A_seed_spelled_voice_goes_on_the_wire_in_snake_case_only()
    {
        VoiceSettings voice = JsonSerializer.Deserialize(SeedJson, HeyGenJsonContext.Default.VoiceSettings)!;
        var api = HeyGen();

        var session = await api.NewSessionAsync(new NewSessionRequest { Voice = voice });

        RecordedRequest wire = Emulator.Requests.For(EmulatorEndpoint.StreamingNew).Should().ContainSingle().Subject;
        using (JsonDocument body = wire.BodyJson())
        {
            JsonElement sent = body.RootElement.GetProperty("voice");
            sent.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("voice_id", "rate", "elevenlabs_settings");
            sent.GetProperty("voice_id").GetString().Should().Be("seed-voice");
            JsonElement eleven = sent.GetProperty("elevenlabs_settings");
            eleven.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("stability", "similarity_boost", "model_id", "use_speaker_boost");
            eleven.GetProperty("model_id").GetString().Should().Be("eleven_flash_v2_5");
        }

        await api.CloseSessionAsync(session.SessionId);
    }
}
