using Pipeline.Core.Frames;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;

namespace Pipeline.HeyGen.Video.Tests;

/// <summary>The keep-alive follows the session's idle timeout (at most a third of it), whatever the product.</summary>
public sealed class IdleTimeoutKeepAliveTests
{
    private static readonly TimeSpan Silence = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Third = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Interactive_session_with_a_30_s_idle_timeout_survives_two_silent_minutes_on_rest_keep_alives()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(
            configure: o => o.SessionRequest = new NewSessionRequest { ActivityIdleTimeout = 30 },
            configureEmulator: e => e.EnforceSessionLimits = true);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        DateTimeOffset started = h.Clock.GetUtcNow();

        await h.AdvanceAsync(Silence);

        IReadOnlyList<DateTimeOffset> sent = h.Emulator.Requests.For(EmulatorEndpoint.StreamingKeepAlive).Select(r => r.ReceivedAt).ToList();
        sent.Should().HaveCountGreaterThanOrEqualTo(11, "one keep-alive every 10 s over 2 minutes");
        Gaps(started, sent).Should().OnlyContain(gap => gap <= Third + TimeSpan.FromMilliseconds(100), "a third of the 30 s idle timeout");
        h.Emulator.Sessions.Open.Should().ContainSingle("the session did not die of IDLE_TIMEOUT");
        h.Errors.Should().BeEmpty();
        h.Task.Cancel();
        await h.FinishAsync();
    }

    [Fact]
    public async Task LiveAvatar_session_with_a_30_s_idle_timeout_survives_two_silent_minutes_on_websocket_keep_alives()
    {
        // The emulated LiveAvatar ends a session after 30 s without activity that resets its timer (see IdleRules).
        await using AvatarHarness h = await AvatarHarness.CreateAsync(
            liveAvatar: true,
            configure: o => o.Realtime.IdleTimeout = TimeSpan.FromSeconds(30),
            configureEmulator: e =>
            {
                e.EnforceSessionLimits = true;
                e.IdleRules.LiveAvatarIdleTimeout = TimeSpan.FromSeconds(30);
            });
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        DateTimeOffset started = h.Clock.GetUtcNow();

        await h.AdvanceAsync(Silence);

        IReadOnlyList<DateTimeOffset> sent = h.Realtime.Recorder.OfType("session.keep_alive").Select(e => e.ReceivedAt).ToList();
        sent.Should().HaveCountGreaterThanOrEqualTo(11, "one keep-alive every 10 s over 2 minutes");
        Gaps(started, sent).Should().OnlyContain(gap => gap <= Third + TimeSpan.FromMilliseconds(100), "a third of the 30 s idle timeout");
        h.Emulator.Requests.CountFor(EmulatorEndpoint.LiveAvatarKeepAlive).Should().Be(0, "LiveAvatar is kept alive on its websocket");
        h.Emulator.Sessions.Open.Should().ContainSingle("the session did not die of IDLE_TIMEOUT");
        h.Task.Cancel();
        await h.FinishAsync();
    }

    [Fact]
    public void An_explicit_keep_alive_interval_longer_than_the_requested_idle_timeout_is_refused_before_any_session()
    {
        var options = new HeyGenVideoServiceOptions
        {
            SessionRequest = new NewSessionRequest { ActivityIdleTimeout = 30 },
            Realtime = new Realtime.HeyGenRealtimeOptions { KeepAliveInterval = TimeSpan.FromSeconds(40) },
        };
        using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = "k", BaseUrl = new Uri("http://127.0.0.1:1/") });

        FluentActions.Invoking(() => new HeyGenVideoService(api, new NoConnector(), options))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*shorter than the idle timeout*");
    }

    private static IEnumerable<TimeSpan> Gaps(DateTimeOffset start, IReadOnlyList<DateTimeOffset> times)
    {
        DateTimeOffset previous = start;
        foreach (DateTimeOffset time in times)
        {
            yield return time - previous;
            previous = time;
        }
    }

    private sealed class NoConnector : Core.Media.IAvatarMediaConnector
    {
        public ValueTask<Core.Media.IAvatarMediaSession> ConnectAsync(Core.Media.AvatarMediaConnectRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not used");
    }
}
