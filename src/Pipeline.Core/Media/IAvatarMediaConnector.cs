using Pipeline.Core.Frames;

namespace Pipeline.Core.Media;

/// <summary>
/// Opens the room where a remote avatar's video and audio arrive (a LiveKit room, for instance). Implementations:
/// the LiveKit client for real sessions, and an emulator's in-process room for offline runs and tests.
/// </summary>
public interface IAvatarMediaConnector
{
    /// <summary>Joins the room and starts receiving the avatar participant's media.</summary>
    /// <exception cref="AvatarMediaException">The room could not be joined (the message says why; never the token).</exception>
    ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Checks that the connector can join a room at all (for example that a native engine is installed), so that an
    /// avatar service can fail before it opens (and pays for) a provider session. The default does nothing.
    /// </summary>
    /// <exception cref="AvatarMediaException">The connector cannot work here (the message says what is missing and
    /// how to install it).</exception>
    ValueTask EnsureAvailableAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Where and how to join the avatar's room.</summary>
public sealed record AvatarMediaConnectRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="url">The room's URL (e.g. <c>wss://…livekit.cloud</c>).</param>
    /// <param name="token">The access token to join with. Secret: never logged, redacted by <see cref="ToString"/>.</param>
    /// <param name="avatarIdentity">Identity of the participant whose media is the avatar's; the avatar provider
    /// knows it (from its session or its room token). Other participants' media is ignored.</param>
    public AvatarMediaConnectRequest(Uri url, string token, string avatarIdentity)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        ArgumentException.ThrowIfNullOrWhiteSpace(avatarIdentity);
        Url = url;
        Token = token;
        AvatarIdentity = avatarIdentity;
    }

    /// <summary>The room's URL.</summary>
    public Uri Url { get; }

    /// <summary>The access token. Secret.</summary>
    public string Token { get; }

    /// <summary>Identity of the participant whose media is the avatar's. Others are ignored.</summary>
    public string AvatarIdentity { get; }

    /// <summary>Pixel format of the video frames to deliver. Default <see cref="PixelFormat.Rgb24"/>.</summary>
    public PixelFormat VideoFormat { get; init; } = PixelFormat.Rgb24;

    /// <summary>Sample rate of the audio frames to deliver, in Hz. Default 48 000.</summary>
    public int AudioSampleRate { get; init; } = 48_000;

    /// <summary>Channel count of the audio frames to deliver. Default 1.</summary>
    public int AudioChannels { get; init; } = 1;

    /// <summary>
    /// The pool video frames are delivered in (<see cref="RemoteVideoBuffer(FrameBuffer, int, int, PixelFormat, TimeSpan)"/>),
    /// so the reader can pass them on into pipeline frames without a copy. Default <see cref="FrameBufferPool.Shared"/>.
    /// </summary>
    public FrameBufferPool FramePool { get; init; } = FrameBufferPool.Shared;

    /// <summary>Gives up joining after this long. Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <inheritdoc />
    public override string ToString() => $"AvatarMediaConnectRequest {{ Url = {Url}, Token = ***, AvatarIdentity = {AvatarIdentity} }}";
}
