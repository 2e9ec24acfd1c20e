using Pipeline.Core.Media;

namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>
/// Joins the emulator's in-process "room" of a session: the <see cref="EmulatedAvatar"/> plays the role of the
/// avatar participant. Only room URLs issued by the emulator (host <see cref="RoomHost"/>) are accepted, so this
/// connector can never be used by mistake for a real HeyGen session. Faults injected on
/// <see cref="EmulatorEndpoint.MediaRoomJoin"/> apply to each join.
/// </summary>
internal sealed class EmulatedMediaConnector : IAvatarMediaConnector
{
    /// <summary>The host of every room URL the emulator issues (a reserved, never-resolvable name).</summary>
    public const string RoomHost = "emulator.invalid";

    private readonly Func<string, string, EmulatedAvatar?> _findAvatar;
    private readonly EmulatorFaults _faults;
    private readonly TimeProvider _time;

    /// <summary>Creates a connector over the emulator's sessions.</summary>
    /// <param name="findAvatar">Finds the avatar of (session id, token), or null if the pair is not valid.</param>
    /// <param name="faults">The emulator's faults (room-join faults are taken from it).</param>
    /// <param name="time">The emulator's clock (for delayed joins).</param>
    internal EmulatedMediaConnector(Func<string, string, EmulatedAvatar?> findAvatar, EmulatorFaults faults, TimeProvider time)
    {
        _findAvatar = findAvatar;
        _faults = faults;
        _time = time;
    }

    /// <summary>The room URL the emulator issues for a session.</summary>
    public static Uri RoomUrl(string sessionId) => new($"wss://{RoomHost}/room/{Uri.EscapeDataString(sessionId)}");

    /// <inheritdoc />
    public async ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (_faults.TakeNext(EmulatorEndpoint.MediaRoomJoin) is { } fault)
        {
            await ApplyFaultAsync(fault, cancellationToken).ConfigureAwait(false);
        }

        if (!string.Equals(request.Url.Host, RoomHost, StringComparison.OrdinalIgnoreCase))
        {
            throw new AvatarMediaException(
                $"The emulator's media connector only joins emulator rooms (host '{RoomHost}'), not '{request.Url.Host}'. " +
                "Use the LiveKit connector for a real HeyGen session.");
        }

        string sessionId = Uri.UnescapeDataString(request.Url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty);
        EmulatedAvatar avatar = _findAvatar(sessionId, request.Token)
            ?? throw new AvatarMediaException($"The emulator refused to join room '{sessionId}': unknown session or invalid token.");

        AvatarMediaSubscription subscription = avatar.Subscribe(request.VideoFormat, request.AudioSampleRate, request.AudioChannels, request.FramePool);
        return new EmulatedMediaSession(subscription, request.AvatarIdentity);
    }

    // A room join is not HTTP, so the HTTP-shaped faults become the nearest thing a room does: refuse the join.
    private async Task ApplyFaultAsync(EmulatedFault fault, CancellationToken cancellationToken)
    {
        if (fault.Delay > TimeSpan.Zero)
        {
            await Task.Delay(fault.Delay, _time, cancellationToken).ConfigureAwait(false);
        }

        string? refusal = fault.Kind switch
        {
            EmulatedFaultKind.Status => $"the room refused the join (HTTP {fault.StatusCode}, injected fault)",
            EmulatedFaultKind.DropConnection => "the room refused the join (connection reset, injected fault)",
            EmulatedFaultKind.MalformedBody => "the room refused the join (malformed answer, injected fault)",
            _ => null, // delays only: the join then goes ahead
        };
        if (refusal is not null)
        {
            throw new AvatarMediaException(refusal);
        }
    }
}
