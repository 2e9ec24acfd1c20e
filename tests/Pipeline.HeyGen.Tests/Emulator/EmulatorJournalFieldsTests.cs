using System.Net.Http.Json;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Emulator;

/// <summary>The journal names every body field an endpoint does not know, so a misnamed field is never silently taken
/// for the right one, and the library's clients are checked to send only documented names.</summary>
public sealed class EmulatorJournalFieldsTests : EmulatorTest
{
    protected override HeyGenEmulatorOptions EmulatorOptions() => new() { LoggerFactory = Logs.CreateFactory() };

    [Fact]
    public async Task A_whole_HeyGenApi_session_sends_only_known_fields()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest
        {
            AvatarId = "a-1",
            Quality = AvatarQuality.Medium,
            VideoEncoding = VideoEncoding.VP8,
            KnowledgeBase = "be brief",
            KnowledgeBaseId = "kb-1",
            ActivityIdleTimeout = 60,
            DisableIdleTimeout = false,
            Voice = new VoiceSettings
            {
                VoiceId = "v-1",
                Rate = 1.1,
                Emotion = VoiceEmotion.Friendly,
                ElevenLabsSettings = new ElevenLabsSettings { Stability = 0.5, SimilarityBoost = 0.7, Style = 0.1, UseSpeakerBoost = true, ModelId = "m" },
            },
        });
        await api.KeepAliveAsync(session.SessionId);
        await api.ListSessionsAsync();
        await api.CloseSessionAsync(session.SessionId);

        Emulator.Requests.All.Should().HaveCountGreaterThanOrEqualTo(5);
        Emulator.Requests.WithUnknownFields.Should().BeEmpty();
    }

    [Fact]
    public async Task A_whole_LiveAvatarApi_session_sends_only_known_fields()
    {
        var api = LiveAvatar();
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest
        {
            AvatarId = LiveAvatarNewSessionRequest.SandboxAvatarId,
            IsSandbox = true,
            VideoSettings = new LiveAvatarVideoSettings { Encoding = VideoEncoding.H264, Quality = LiveAvatarVideoQuality.Medium },
        });
        await api.KeepAliveAsync(session.SessionId);
        await api.StopSessionAsync(session.SessionId, LiveAvatarStopReason.UserClosed);

        Emulator.Requests.All.Should().HaveCount(4);
        Emulator.Requests.WithUnknownFields.Should().BeEmpty();
    }

    [Fact]
    public async Task A_misnamed_field_is_recorded_by_its_path_and_logged_as_a_warning_and_its_default_applies()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("x-api-key", Emulator.ApiKey);

        var response = await http.PostAsJsonAsync(Emulator.StreamingApiBaseUrl + "/streaming.new",
            new { version = "v2", avatarName = "Anna", activityIdleTimeout = 30, voice = new { voiceId = "v-1", rate = 1.0 } });

        response.IsSuccessStatusCode.Should().BeTrue("the real service most likely ignores unknown fields, so the emulator does too");
        var recorded = Emulator.Requests.For(EmulatorEndpoint.StreamingNew).Single();
        recorded.UnknownFields.Should().Equal("avatarName", "activityIdleTimeout", "voice.voiceId");
        Logs.Lines.Should().Contain(l => l.FullText.Contains("avatarName", StringComparison.Ordinal) && l.FullText.Contains("voice.voiceId", StringComparison.Ordinal));
        var session = Emulator.Sessions.Open.Single();
        session.IdleTimeout.Should().Be(TimeSpan.FromSeconds(120), "the misnamed timeout is not read: the default applies, visibly");
        await HeyGen().CloseSessionAsync(session.Id);
    }
}
