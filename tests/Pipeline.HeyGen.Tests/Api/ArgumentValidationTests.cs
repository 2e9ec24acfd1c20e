using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>Bad arguments fail before anything is sent, with a message that says what to fix.</summary>
public sealed class ArgumentValidationTests : EmulatorTest
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_api_key_is_rejected_at_construction(string key)
    {
        var heyGen = () => new HeyGenApi(new HeyGenApiOptions { ApiKey = key });
        var liveAvatar = () => new LiveAvatarApi(new LiveAvatarApiOptions { ApiKey = key });

        heyGen.Should().Throw<ArgumentException>().WithMessage("An API key is required: set HeyGenApiOptions.ApiKey.*");
        liveAvatar.Should().Throw<ArgumentException>().WithMessage("An API key is required: set LiveAvatarApiOptions.ApiKey.*");
    }

    [Fact]
    public void A_relative_or_non_http_base_url_is_rejected()
    {
        var act = () => new HeyGenApi(new HeyGenApiOptions { ApiKey = "k", BaseUrl = new Uri("ftp://example.com/v1") });

        act.Should().Throw<ArgumentException>().WithMessage("*BaseUrl must be an absolute http(s) URL*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(7_200_000)]
    public void An_out_of_range_attempt_timeout_is_rejected(int milliseconds)
    {
        var options = new HeyGenApiOptions { ApiKey = "k", AttemptTimeout = TimeSpan.FromMilliseconds(milliseconds) };

        var act = () => new HeyGenApi(options);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*AttemptTimeout must be between 10 ms and 1 hour*");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(11)]
    public void An_out_of_range_retry_count_is_rejected(int retries)
    {
        var options = new HeyGenApiOptions { ApiKey = "k" };
        options.Retry.MaxRetryAttempts = retries;

        var act = () => new HeyGenApi(options);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaxRetryAttempts must be between 0 and 10*");
    }

    [Fact]
    public void A_max_delay_below_the_base_delay_is_rejected()
    {
        var options = new LiveAvatarApiOptions { ApiKey = "k" };
        options.Retry.BaseDelay = TimeSpan.FromSeconds(10);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);

        var act = () => new LiveAvatarApi(options);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaxDelay must be at least BaseDelay*");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public async Task An_empty_session_id_is_rejected_by_every_session_call(string? sessionId)
    {
        var heyGen = HeyGen();
        var liveAvatar = LiveAvatar();

        await heyGen.Invoking(a => a.CloseSessionAsync(sessionId!)).Should().ThrowAsync<ArgumentException>().WithMessage("A session id is required*");
        await heyGen.Invoking(a => a.KeepAliveAsync(sessionId!)).Should().ThrowAsync<ArgumentException>().WithMessage("A session id is required*");
        await liveAvatar.Invoking(a => a.CloseSessionAsync(sessionId!)).Should().ThrowAsync<ArgumentException>().WithMessage("A session id is required*");
        await liveAvatar.Invoking(a => a.KeepAliveAsync(sessionId!)).Should().ThrowAsync<ArgumentException>().WithMessage("A session id is required*");
        await liveAvatar.Invoking(a => a.StopSessionAsync(sessionId!, LiveAvatarStopReason.UserClosed)).Should().ThrowAsync<ArgumentException>();
        await liveAvatar.Invoking(a => a.StartSessionAsync(sessionId!)).Should().ThrowAsync<ArgumentException>().WithMessage("A session token is required*");
        Emulator.Requests.All.Should().BeEmpty();
    }

    [Theory]
    [InlineData(29)]
    [InlineData(3601)]
    public async Task An_idle_timeout_outside_30_to_3600_seconds_is_rejected(int seconds)
    {
        var api = HeyGen();

        await api.Invoking(a => a.NewSessionAsync(new NewSessionRequest { ActivityIdleTimeout = seconds }))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("activity_idle_timeout must be between 30 and 3600 seconds*");
        Emulator.Requests.All.Should().BeEmpty();
    }

    [Theory]
    [InlineData(0.49)]
    [InlineData(1.51)]
    [InlineData(double.NaN)]
    public async Task A_voice_rate_outside_the_documented_range_is_rejected(double rate)
    {
        var api = HeyGen();

        await api.Invoking(a => a.NewSessionAsync(new NewSessionRequest { Voice = new VoiceSettings { Rate = rate } }))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("voice.rate must be between 0.5 and 1.5*");
    }

    [Fact]
    public async Task ElevenLabs_settings_outside_0_to_1_are_rejected()
    {
        var api = HeyGen();
        var request = new NewSessionRequest { Voice = new VoiceSettings { ElevenLabsSettings = new ElevenLabsSettings { Stability = 1.5 } } };

        await api.Invoking(a => a.NewSessionAsync(request))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("voice.elevenlabs_settings.stability must be between 0 and 1*");
    }

    [Fact]
    public async Task A_LiveAvatar_request_needs_an_avatar_id_and_a_complete_LiveKit_config()
    {
        var api = LiveAvatar();

        await api.Invoking(a => a.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = " " }))
            .Should().ThrowAsync<ArgumentException>().WithMessage("avatar_id is required*");
        await api.Invoking(a => a.NewSessionAsync(new LiveAvatarNewSessionRequest
        {
            AvatarId = "a",
            LiveKitConfig = new CustomLiveKitConfig { LiveKitUrl = "wss://x", LiveKitRoom = "", LiveKitClientToken = "t" },
        })).Should().ThrowAsync<ArgumentException>().WithMessage("livekit_config needs*");
        await api.Invoking(a => a.NewSessionAsync(new LiveAvatarNewSessionRequest
        {
            AvatarId = "a",
            Mode = LiveAvatarMode.Full,
            LiveKitConfig = new CustomLiveKitConfig { LiveKitUrl = "wss://x", LiveKitRoom = "r", LiveKitClientToken = "t" },
        })).Should().ThrowAsync<ArgumentException>().WithMessage("livekit_config applies to LITE*");
        Emulator.Requests.All.Should().BeEmpty();
    }

    [Fact]
    public async Task A_negative_minimum_age_for_leak_cleanup_is_rejected()
    {
        var api = HeyGen();

        await api.Invoking(a => a.CloseLeakedSessionsAsync(TimeSpan.FromSeconds(-1))).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }
}
