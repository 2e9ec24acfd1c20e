using System.Runtime.CompilerServices;
using System.Text;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;

namespace Pipeline.HeyGen.Video.Tests;

/// <summary>The avatar's identity comes from the session, and an avatar that never shows is reported, not waited for.</summary>
public sealed class AvatarIdentityTests
{
    [Fact]
    public async Task No_avatar_media_within_the_bound_is_an_error_naming_the_identity_waited_for()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(wrapConnector: inner => new SilentRoomConnector(inner));
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");

        await h.AdvanceAsync(TimeSpan.FromSeconds(19));
        h.Errors.Should().BeEmpty("the bound (20 s) has not passed yet");
        await h.AdvanceUntilAsync(() => h.Errors.Count > 0, TimeSpan.FromSeconds(3), "the no-media error");

        ErrorFrame error = h.Errors.Should().ContainSingle().Subject;
        error.Message.Should().Contain("'heygen'").And.Contain("20 s").And.Contain("AvatarIdentity");
        error.IsFatal.Should().BeFalse();
        h.Task.Cancel();
        await h.FinishAsync();
        h.Emulator.Sessions.Open.Should().BeEmpty();
    }

    [Fact]
    public async Task Avatar_media_arriving_keeps_the_watch_silent()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(liveAvatar: true);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        await h.QueueAsync(new OutputTransportReadyFrame());

        await h.AdvanceAsync(TimeSpan.FromSeconds(25));

        h.Video.Should().NotBeEmpty();
        h.Errors.Should().BeEmpty();
        h.Task.Cancel();
        await h.FinishAsync();
    }

    [Fact]
    public async Task A_LiveAvatar_room_of_your_own_takes_the_avatar_identity_from_its_token_and_the_bot_joins_with_its_own()
    {
        var seen = new RecordingConnector();
        string avatarToken = Jwt("""{"sub":"my-avatar","video":{"roomJoin":true,"room":"support-42"}}""");
        await using AvatarHarness h = await AvatarHarness.CreateAsync(
            liveAvatar: true,
            configure: o =>
            {
                o.SessionRequest = new LiveAvatarNewSessionRequest
                {
                    AvatarId = LiveAvatarNewSessionRequest.SandboxAvatarId,
                    LiveKitConfig = new CustomLiveKitConfig { LiveKitUrl = "wss://rooms.example.test", LiveKitRoom = "support-42", LiveKitClientToken = avatarToken },
                };
                o.RoomToken = "bot-own-token";
            },
            wrapConnector: _ => seen);
        h.Start();

        await FluentActions.Awaiting(h.FinishAsync).Should().ThrowAsync<PipelineException>();

        AvatarMediaConnectRequest request = seen.Request.Should().NotBeNull().And.Subject.As<AvatarMediaConnectRequest>();
        request.AvatarIdentity.Should().Be("my-avatar");
        request.Url.Host.Should().Be("rooms.example.test");
        request.Token.Should().Be("bot-own-token");
        h.Emulator.Sessions.Open.Should().BeEmpty("the failed join closed the billed session");
    }

    [Fact]
    public async Task An_explicit_identity_wins_over_the_session()
    {
        var seen = new RecordingConnector();
        await using AvatarHarness h = await AvatarHarness.CreateAsync(configure: o => o.AvatarIdentity = "avatar-7", wrapConnector: _ => seen);
        h.Start();

        await FluentActions.Awaiting(h.FinishAsync).Should().ThrowAsync<PipelineException>();

        seen.Request!.AvatarIdentity.Should().Be("avatar-7");
    }

    private static string Jwt(string payload)
    {
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{B64("""{"alg":"HS256","typ":"JWT"}""")}.{B64(payload)}.c2lnbmF0dXJl";
    }

    /// <summary>A room the avatar never publishes in: joined through the emulator, but no media ever arrives.</summary>
    private sealed class SilentRoomConnector(IAvatarMediaConnector inner) : IAvatarMediaConnector
    {
        public async ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken) =>
            new SilentSession(await inner.ConnectAsync(request, cancellationToken));
    }

    private sealed class SilentSession(IAvatarMediaSession inner) : IAvatarMediaSession
    {
        public event EventHandler<AvatarParticipantEventArgs>? ParticipantJoined { add { } remove { } }

        public event EventHandler<AvatarParticipantEventArgs>? ParticipantLeft { add { } remove { } }

        public bool AvatarPresent => false;

        public IAsyncEnumerable<RemoteVideoBuffer> ReadVideoAsync(CancellationToken cancellationToken) => Never<RemoteVideoBuffer>(cancellationToken);

        public IAsyncEnumerable<RemoteAudioBuffer> ReadAudioAsync(CancellationToken cancellationToken) => Never<RemoteAudioBuffer>(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        private static async IAsyncEnumerable<T> Never<T>([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            yield break;
        }
    }

    private sealed class RecordingConnector : IAvatarMediaConnector
    {
        public AvatarMediaConnectRequest? Request { get; private set; }

        public ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken)
        {
            Request = request;
            throw new AvatarMediaException("recorded, not joined");
        }
    }
}
