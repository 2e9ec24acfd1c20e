using System.Text.Json;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Api.Http;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>Each wire model round-trips through the source-generated JSON context with the wire names and values.</summary>
public sealed class ModelJsonTests
{
    private static readonly HeyGenJsonContext Json = HeyGenJsonContext.Default;

    [Theory]
    [InlineData(AvatarQuality.Low, "low")]
    [InlineData(AvatarQuality.Medium, "medium")]
    [InlineData(AvatarQuality.High, "high")]
    public void AvatarQuality_uses_the_wire_values(AvatarQuality value, string wire) =>
        AssertEnumWireValue(value, wire, Json.NewSessionRequest, q => new NewSessionRequest { Quality = q }, "quality");

    [Theory]
    [InlineData(VideoEncoding.H264, "H264")]
    [InlineData(VideoEncoding.VP8, "VP8")]
    public void VideoEncoding_uses_the_wire_values(VideoEncoding value, string wire) =>
        AssertEnumWireValue(value, wire, Json.NewSessionRequest, e => new NewSessionRequest { VideoEncoding = e }, "video_encoding");

    [Theory]
    [InlineData(VoiceEmotion.Excited, "excited")]
    [InlineData(VoiceEmotion.Serious, "serious")]
    [InlineData(VoiceEmotion.Friendly, "friendly")]
    [InlineData(VoiceEmotion.Soothing, "soothing")]
    [InlineData(VoiceEmotion.Broadcaster, "broadcaster")]
    public void VoiceEmotion_uses_the_wire_values(VoiceEmotion value, string wire)
    {
        var json = JsonSerializer.Serialize(new NewSessionRequest { Voice = new VoiceSettings { Emotion = value } }, Json.NewSessionRequest);

        JsonDocument.Parse(json).RootElement.GetProperty("voice").GetProperty("emotion").GetString().Should().Be(wire);
        JsonSerializer.Deserialize(json, Json.NewSessionRequest)!.Voice!.Emotion.Should().Be(value);
    }

    [Theory]
    [InlineData(LiveAvatarMode.Lite, "LITE")]
    [InlineData(LiveAvatarMode.Full, "FULL")]
    [InlineData(LiveAvatarMode.Custom, "CUSTOM")]
    public void LiveAvatarMode_uses_the_wire_values(LiveAvatarMode value, string wire) =>
        AssertEnumWireValue(value, wire, Json.LiveAvatarNewSessionRequest, m => new LiveAvatarNewSessionRequest { AvatarId = "a", Mode = m }, "mode");

    [Theory]
    [InlineData(LiveAvatarVideoQuality.Low, "low")]
    [InlineData(LiveAvatarVideoQuality.Medium, "medium")]
    [InlineData(LiveAvatarVideoQuality.High, "high")]
    [InlineData(LiveAvatarVideoQuality.VeryHigh, "very_high")]
    public void LiveAvatarVideoQuality_uses_the_wire_values(LiveAvatarVideoQuality value, string wire)
    {
        var json = JsonSerializer.Serialize(new LiveAvatarNewSessionRequest { AvatarId = "a", VideoSettings = new() { Quality = value } }, Json.LiveAvatarNewSessionRequest);

        JsonDocument.Parse(json).RootElement.GetProperty("video_settings").GetProperty("quality").GetString().Should().Be(wire);
    }

    [Theory]
    [InlineData(LiveAvatarStopReason.Unknown, "UNKNOWN")]
    [InlineData(LiveAvatarStopReason.UserDisconnected, "USER_DISCONNECTED")]
    [InlineData(LiveAvatarStopReason.ServerError, "SERVER_ERROR")]
    [InlineData(LiveAvatarStopReason.IdleTimeout, "IDLE_TIMEOUT")]
    [InlineData(LiveAvatarStopReason.NoCredits, "NO_CREDITS")]
    [InlineData(LiveAvatarStopReason.UserClosed, "USER_CLOSED")]
    [InlineData(LiveAvatarStopReason.AvatarDeleted, "AVATAR_DELETED")]
    [InlineData(LiveAvatarStopReason.MaxDurationReached, "MAX_DURATION_REACHED")]
    [InlineData(LiveAvatarStopReason.ZombieSessionReap, "ZOMBIE_SESSION_REAP")]
    [InlineData(LiveAvatarStopReason.AgentHangUp, "AGENT_HANG_UP")]
    public void LiveAvatarStopReason_uses_the_wire_values(LiveAvatarStopReason value, string wire) =>
        JsonSerializer.Serialize(new LiveAvatarStopBody("s", value), Json.LiveAvatarStopBody).Should().Be($$"""{"session_id":"s","reason":"{{wire}}"}""");

    [Fact]
    public void NewSessionRequest_always_sends_version_v2_and_omits_unset_fields()
    {
        JsonSerializer.Serialize(new NewSessionRequest(), Json.NewSessionRequest).Should().Be("""{"version":"v2"}""");
        new NewSessionRequest().Version.Should().Be("v2");
    }

    [Fact]
    public void NewSessionRequest_round_trips_every_field()
    {
        var request = new NewSessionRequest
        {
            Quality = AvatarQuality.High,
            AvatarId = "avatar",
            Voice = new VoiceSettings
            {
                VoiceId = "voice",
                Rate = 0.75,
                Emotion = VoiceEmotion.Excited,
                ElevenLabsSettings = new ElevenLabsSettings { Stability = 0.5, SimilarityBoost = 0.25, ModelId = "eleven_flash_v2_5", Style = 1, UseSpeakerBoost = true },
            },
            VideoEncoding = VideoEncoding.VP8,
            KnowledgeBaseId = "kb",
            KnowledgeBase = "You are helpful.",
            DisableIdleTimeout = false,
            ActivityIdleTimeout = 600,
        };

        var json = JsonSerializer.Serialize(request, Json.NewSessionRequest);

        json.Should().Be("""
            {"quality":"high","avatar_id":"avatar","voice":{"voice_id":"voice","rate":0.75,"emotion":"excited","elevenlabs_settings":{"stability":0.5,"similarity_boost":0.25,"model_id":"eleven_flash_v2_5","style":1,"use_speaker_boost":true}},"video_encoding":"VP8","knowledge_base_id":"kb","knowledge_base":"You are helpful.","version":"v2","disable_idle_timeout":false,"activity_idle_timeout":600}
            """);
        JsonSerializer.Deserialize(json, Json.NewSessionRequest).Should().Be(request with { });
        JsonSerializer.Deserialize(json, Json.NewSessionRequest)!.Voice.Should().Be(request.Voice);
    }

    [Fact]
    public void HeyGenSession_reads_the_documented_response_and_ignores_unknown_fields()
    {
        const string json = """
            {"session_id":"s-1","url":"wss://lk","access_token":"at","livekit_agent_token":"agent","realtime_endpoint":"wss://rt",
             "session_duration_limit":600,"is_paid":true,"sdp":null,"ice_servers":null,"ice_servers2":null,"brand_new_field":{"x":1}}
            """;

        var session = JsonSerializer.Deserialize(json, Json.HeyGenSession)!;

        session.Should().Be(new HeyGenSession
        {
            SessionId = "s-1",
            Url = "wss://lk",
            AccessToken = "at",
            LiveKitAgentToken = "agent",
            RealtimeEndpoint = "wss://rt",
            SessionDurationLimit = 600,
            IsPaid = true,
        });
        JsonSerializer.Deserialize(JsonSerializer.Serialize(session, Json.HeyGenSession), Json.HeyGenSession).Should().Be(session);
    }

    [Fact]
    public void HeyGenSession_without_a_required_field_does_not_parse()
    {
        var act = () => JsonSerializer.Deserialize("""{"session_id":"s","url":"u","access_token":"a","realtime_endpoint":"r"}""", Json.HeyGenSession);

        act.Should().Throw<JsonException>().WithMessage("*livekit_agent_token*");
    }

    [Fact]
    public void LiveAvatarNewSessionRequest_defaults_match_pipecat_LITE_VP8_high_not_sandbox()
    {
        var json = JsonSerializer.Serialize(new LiveAvatarNewSessionRequest { AvatarId = "a" }, Json.LiveAvatarNewSessionRequest);

        json.Should().Be("""{"mode":"LITE","avatar_id":"a","video_settings":{"encoding":"VP8","quality":"high"},"is_sandbox":false}""");
    }

    [Fact]
    public void LiveAvatarNewSessionRequest_round_trips_every_field()
    {
        var request = new LiveAvatarNewSessionRequest
        {
            Mode = LiveAvatarMode.Full,
            AvatarId = "a",
            VideoSettings = new LiveAvatarVideoSettings { Encoding = VideoEncoding.H264, Quality = LiveAvatarVideoQuality.Low },
            IsSandbox = true,
            AvatarPersona = new AvatarPersona { VoiceId = "v", ContextId = "c", Language = "de" },
        };

        var json = JsonSerializer.Serialize(request, Json.LiveAvatarNewSessionRequest);
        var back = JsonSerializer.Deserialize(json, Json.LiveAvatarNewSessionRequest)!;

        back.Should().Be(request);
        json.Should().Contain("""
            "avatar_persona":{"voice_id":"v","context_id":"c","language":"de"}
            """);
    }

    [Fact]
    public void CustomLiveKitConfig_round_trips()
    {
        var config = new CustomLiveKitConfig { LiveKitUrl = "wss://lk", LiveKitRoom = "r", LiveKitClientToken = "t" };
        var request = new LiveAvatarNewSessionRequest { AvatarId = "a", LiveKitConfig = config };

        var json = JsonSerializer.Serialize(request, Json.LiveAvatarNewSessionRequest);

        json.Should().Contain("""
            "livekit_config":{"livekit_url":"wss://lk","livekit_room":"r","livekit_client_token":"t"}
            """);
        JsonSerializer.Deserialize(json, Json.LiveAvatarNewSessionRequest)!.LiveKitConfig.Should().Be(config);
    }

    [Fact]
    public void LiveAvatarSessionData_accepts_null_room_fields_and_round_trips()
    {
        const string json = """{"session_id":"s","livekit_url":null,"livekit_client_token":null,"livekit_agent_token":"agent","max_session_duration":null,"ws_url":"wss://w"}""";

        var data = JsonSerializer.Deserialize(json, Json.LiveAvatarSessionData)!;

        data.Should().Be(new LiveAvatarSessionData { SessionId = "s", LiveKitAgentToken = "agent", WsUrl = "wss://w" });
        JsonSerializer.Deserialize(JsonSerializer.Serialize(data, Json.LiveAvatarSessionData), Json.LiveAvatarSessionData).Should().Be(data);
    }

    [Fact]
    public void LiveAvatarSessionToken_round_trips()
    {
        var token = new LiveAvatarSessionToken { SessionId = "s", SessionToken = "t" };

        var json = JsonSerializer.Serialize(token, Json.LiveAvatarSessionToken);

        json.Should().Be("""{"session_id":"s","session_token":"t"}""");
        JsonSerializer.Deserialize(json, Json.LiveAvatarSessionToken).Should().Be(token);
    }

    [Fact]
    public void StreamingSessionInfo_reads_the_list_entry()
    {
        var list = JsonSerializer.Deserialize("""{"sessions":[{"session_id":"s","status":"connecting","created_at":1700000000}]}""", Json.StreamingSessionList)!;

        list.Sessions.Should().ContainSingle().Which.CreatedAtTime.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1700000000));
    }

    private static void AssertEnumWireValue<TEnum, TModel>(TEnum value, string wire, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TModel> info,
        Func<TEnum, TModel> make, string property)
    {
        var json = JsonSerializer.Serialize(make(value), info);

        JsonDocument.Parse(json).RootElement.GetProperty(property).GetString().Should().Be(wire);
        JsonSerializer.Deserialize(json, info).Should().Be(make(value));
    }
}
