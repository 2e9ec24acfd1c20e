using System.Runtime.CompilerServices;
using Pipeline.Core.Media;

namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>
/// One reader's view of an <see cref="EmulatedAvatar"/> as an avatar room: its video and audio as the media session the
/// pipeline reads, and the avatar's join (announced once a reader is attached) and leave (when the avatar stops).
/// Used by <see cref="EmulatedMediaConnector"/> and by <see cref="EmulatedAvatar.OpenMediaSession"/>.
/// </summary>
internal sealed class EmulatedMediaSession(AvatarMediaSubscription subscription, string avatarIdentity) : IAvatarMediaSession
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
