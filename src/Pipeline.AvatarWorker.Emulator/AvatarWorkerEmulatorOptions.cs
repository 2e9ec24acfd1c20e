using Microsoft.Extensions.Logging;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.LiveKit;

namespace Pipeline.AvatarWorker.Emulator;

/// <summary>Settings of <see cref="AvatarWorkerEmulator"/>.</summary>
public sealed class AvatarWorkerEmulatorOptions
{
    /// <summary>The API key the REST endpoints accept in <c>x-api-key</c>.</summary>
    public string ApiKey { get; init; } = "emulator-bey-api-key-0001";

    /// <summary>
    /// The LiveKit API secret the agent signs worker tokens with. When set, a token whose HS256 signature does not
    /// verify with it, or whose <c>exp</c> has passed, is refused (422). Null (the default): the emulator, like a
    /// provider that has no copy of your LiveKit secret, checks the token's claims only.
    /// </summary>
    public string? LiveKitApiSecret { get; init; }

    /// <summary>How the avatar renders and plays back (size, frame rate). Default 640×360 at 25 fps.</summary>
    public EmulatedAvatarOptions Avatar { get; init; } = new();

    /// <summary>Sample rate of the published microphone track, in Hz (the speech is resampled to it). Default 48 000.</summary>
    public int AudioSampleRate { get; init; } = 48_000;

    /// <summary>How the worker joins the room (timeouts, retries). Default: a 15 s join timeout.</summary>
    public RoomConnectOptions RoomConnectOptions { get; init; } = new();

    /// <summary>How long the worker waits for the agent's answer to <c>lk.playback_started</c> and
    /// <c>lk.playback_finished</c>. Default 5 s.</summary>
    public TimeSpan RpcResponseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock for timestamps, join delays, the playback clock and drop faults. Default: the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where Kestrel's warnings and the workers' logs go; none when null. Tokens never reach it.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ApiKey);
        ArgumentNullException.ThrowIfNull(Avatar);
        ArgumentNullException.ThrowIfNull(RoomConnectOptions);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (LiveKitApiSecret is { Length: 0 })
        {
            throw new ArgumentException("LiveKitApiSecret must be null (do not verify signatures) or the secret itself.", nameof(LiveKitApiSecret));
        }

        if (AudioSampleRate is < 8_000 or > 48_000)
        {
            throw new ArgumentOutOfRangeException(nameof(AudioSampleRate), AudioSampleRate, "The audio track's sample rate must be 8 000 to 48 000 Hz.");
        }

        if (RpcResponseTimeout < TimeSpan.FromSeconds(1) || RpcResponseTimeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(RpcResponseTimeout), RpcResponseTimeout, "The RPC response timeout must be 1 s to 1 h (LiveKit's bounds).");
        }
    }
}
