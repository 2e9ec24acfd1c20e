using Microsoft.Extensions.Time.Testing;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Emulator;

/// <summary>With limits enforced, sessions idle out and hit their maximum duration on the emulator's (fake) clock.</summary>
public sealed class EmulatorSessionLimitsTests : EmulatorTest
{
    private readonly FakeTimeProvider _serverTime = new();

    protected override HeyGenEmulatorOptions EmulatorOptions() => new() { TimeProvider = _serverTime, EnforceSessionLimits = true };

    [Fact]
    public async Task A_streaming_session_without_activity_ends_after_its_idle_timeout()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest { ActivityIdleTimeout = 60 });

        _serverTime.Advance(TimeSpan.FromSeconds(59));
        Emulator.FindSession(session.SessionId)!.IsOpen.Should().BeTrue();
        _serverTime.Advance(TimeSpan.FromSeconds(1));

        var emulated = Emulator.FindSession(session.SessionId)!;
        emulated.IsOpen.Should().BeFalse();
        emulated.StopReason.Should().Be("IDLE_TIMEOUT");
        (await api.Invoking(a => a.KeepAliveAsync(session.SessionId)).Should().ThrowAsync<HeyGenApiException>()).Which.ErrorCode.Should().Be("10005");
    }

    [Fact]
    public async Task Keep_alives_hold_off_the_idle_timeout()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());

        for (var i = 0; i < 4; i++)
        {
            _serverTime.Advance(TimeSpan.FromSeconds(100));
            await api.KeepAliveAsync(session.SessionId);
        }

        Emulator.FindSession(session.SessionId)!.IsOpen.Should().BeTrue("400 s passed but never 120 s without a keep-alive");
        _serverTime.Advance(TimeSpan.FromSeconds(120));
        Emulator.FindSession(session.SessionId)!.StopReason.Should().Be("IDLE_TIMEOUT");
    }

    [Fact]
    public async Task Realtime_activity_recorded_by_a_handler_counts_as_activity()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        var emulated = Emulator.FindSession(session.SessionId)!;

        _serverTime.Advance(TimeSpan.FromSeconds(100));
        emulated.RecordActivity();
        _serverTime.Advance(TimeSpan.FromSeconds(100));

        emulated.IsOpen.Should().BeTrue();
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task A_sandbox_LiveAvatar_session_ends_after_a_minute_even_when_kept_alive()
    {
        var api = LiveAvatar();
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = LiveAvatarNewSessionRequest.SandboxAvatarId, IsSandbox = true });

        _serverTime.Advance(TimeSpan.FromSeconds(30));
        await api.KeepAliveAsync(session.SessionId);
        _serverTime.Advance(TimeSpan.FromSeconds(30));

        Emulator.FindSession(session.SessionId)!.StopReason.Should().Be("MAX_DURATION_REACHED");
    }

    [Fact]
    public async Task A_stopped_session_is_not_ended_again_by_its_timers()
    {
        var api = LiveAvatar();
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });
        await api.StopSessionAsync(session.SessionId, LiveAvatarStopReason.UserClosed);

        _serverTime.Advance(TimeSpan.FromHours(2));

        Emulator.FindSession(session.SessionId)!.StopReason.Should().Be("USER_CLOSED");
    }
}
