namespace Pipeline.LiveKit;

/// <summary>Tuning of <see cref="LiveKitAvatarMediaConnector"/>.</summary>
public sealed record LiveKitAvatarMediaConnectorOptions
{
    /// <summary>Extra join attempts the engine makes after a failed one. Default 1.</summary>
    public int JoinRetries { get; init; } = 1;

    /// <summary>Video frames buffered for a slow reader before the oldest is dropped. Default 8.</summary>
    public int VideoBufferFrames { get; init; } = 8;

    /// <summary>Audio blocks (10 ms each) buffered for a slow reader before the oldest is dropped. Default 100.</summary>
    public int AudioBufferFrames { get; init; } = 100;
}
