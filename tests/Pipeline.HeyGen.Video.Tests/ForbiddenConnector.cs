using Pipeline.Core.Media;

namespace Pipeline.HeyGen.Video.Tests;

/// <summary>A media connector direct-room mode must never use: it counts every call and refuses it.</summary>
internal sealed class ForbiddenConnector : IAvatarMediaConnector
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        throw new AvatarMediaException("direct-room mode must not join a room for the avatar's media");
    }

    public ValueTask EnsureAvailableAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return ValueTask.CompletedTask;
    }
}
