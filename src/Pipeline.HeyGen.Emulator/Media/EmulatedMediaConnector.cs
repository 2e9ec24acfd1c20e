using System.Runtime.CompilerServices;
using Pipeline.Core.Media;

namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>
/// Joins the emulator's in-process "room" of a session: the <see cref="EmulatedAvatar"/> plays the role of the
/// <c>heygen</c> participant. Only room URLs issued by the emulator (host <see cref="RoomHost"/>) are accepted, so
/// this connector can never be used by mistake for a real HeyGen session.
/// </summary>
public sealed class EmulatedMediaConnector : IAvatarMediaConnector
{
    /// <summary>The host of every room URL the emulator issues (a reserved, never-resolvable name).</summary>
    public const string RoomHost = "emulator.invalid";

    private readonly Func<string, string, EmulatedAvatar?> _findAvatar;

    /// <summary>Creates a connector over the emulator's sessions.</summary>
    /// <param name="findAvatar">Finds the avatar of (session id, token), or null if the pair is not valid.</param>
    public EmulatedMediaConnector(Func<string, string, EmulatedAvatar?> findAvatar)
    {
        ArgumentNullException.ThrowIfNull(findAvatar);
        _findAvatar = findAvatar;
    }

    /// <summary>The room URL the emulator issues for a session.</summary>
    public static Uri RoomUrl(string sessionId) => new($"wss://{RoomHost}/room/{Uri.EscapeDataString(sessionId)}");

    /// <inheritdoc />
    public ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (!string.Equals(request.Url.Host, RoomHost, StringComparison.OrdinalIgnoreCase))
        {
            throw new AvatarMediaException(
                $"The emulator's media connector only joins emulator rooms (host '{RoomHost}'), not '{request.Url.Host}'. " +
                "Use the LiveKit connector for a real HeyGen session.");
        }

        string sessionId = Uri.UnescapeDataString(request.Url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty);
        EmulatedAvatar avatar = _findAvatar(sessionId, request.Token)
            ?? throw new AvatarMediaException($"The emulator refused to join room '{sessionId}': unknown session or invalid token.");

        AvatarMediaSubscription subscription = avatar.Subscribe(request.VideoFormat, request.AudioSampleRate, request.AudioChannels);
        return ValueTask.FromResult<IAvatarMediaSession>(new EmulatedMediaSession(subscription, request.AvatarIdentity));
    }

    private sealed class EmulatedMediaSession(AvatarMediaSubscription subscription, string avatarIdentity) : IAvatarMediaSession
    {
        private int _joinedRaised;

        public event EventHandler<AvatarParticipantEventArgs>? ParticipantJoined;

        public event EventHandler<AvatarParticipantEventArgs>? ParticipantLeft;

        public bool AvatarPresent => !subscription.AvatarLeft;

        public async IAsyncEnumerable<RemoteVideoBuffer> ReadVideoAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            RaiseJoinedOnce();
            await foreach (RemoteVideoBuffer frame in subscription.Video.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return frame;
            }

            RaiseLeftIfAvatarLeft();
        }

        public async IAsyncEnumerable<RemoteAudioBuffer> ReadAudioAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            RaiseJoinedOnce();
            await foreach (RemoteAudioBuffer frame in subscription.Audio.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return frame;
            }

            RaiseLeftIfAvatarLeft();
        }

        public ValueTask DisposeAsync() => subscription.DisposeAsync();

        // The avatar is in the room from the start; the join is announced once a reader is attached.
        private void RaiseJoinedOnce()
        {
            if (Interlocked.Exchange(ref _joinedRaised, 1) == 0)
            {
                ParticipantJoined?.Invoke(this, new AvatarParticipantEventArgs(avatarIdentity, IsAvatar: true));
            }
        }

        private void RaiseLeftIfAvatarLeft()
        {
            if (subscription.AvatarLeft && Interlocked.Exchange(ref _joinedRaised, 2) == 1)
            {
                ParticipantLeft?.Invoke(this, new AvatarParticipantEventArgs(avatarIdentity, IsAvatar: true));
            }
        }
    }
}
