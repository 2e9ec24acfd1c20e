using Pipeline.Core.Frames;

namespace Pipeline.LiveKit;

/// <summary>What the output side publishes: set once the pipeline's output rate is known.</summary>
/// <param name="VideoWidth">Width of the video track in pixels, or 0 for no video track.</param>
/// <param name="VideoHeight">Height of the video track in pixels, or 0 for no video track.</param>
/// <param name="AudioSampleRate">Sample rate of the audio track in Hz, or 0 for no audio track.</param>
/// <param name="AudioChannels">Channels of the audio track.</param>
internal readonly record struct OutputMediaFormat(int VideoWidth, int VideoHeight, int AudioSampleRate, int AudioChannels)
{
    public bool HasVideo => VideoWidth > 0;

    public bool HasAudio => AudioSampleRate > 0;
}

/// <summary>
/// The published tracks as the output processor sees them: the seam between its frame handling (pacing,
/// validation, interruption) and the room, so that frame handling is testable without WebRTC.
/// </summary>
internal interface IOutputMediaSink
{
    /// <summary>Queues PCM for the audio track; completes once the engine took it (at real time once its queue is full).</summary>
    Task CaptureAudioAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken);

    /// <summary>Sends one picture on the video track (RGBA or I420, the track's size); the engine copies it at once.</summary>
    void CaptureVideo(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, long timestampMicroseconds);

    /// <summary>Drops the queued audio that has not been sent yet.</summary>
    void ClearAudio();
}

/// <summary>The transport as its output processor needs it: publish once (connecting if needed), release once.</summary>
internal interface IOutputTransportLink
{
    /// <summary>Joins the room if not joined yet and publishes the tracks of <paramref name="format"/>.</summary>
    Task<IOutputMediaSink> OpenOutputAsync(OutputMediaFormat format, CancellationToken cancellationToken);

    /// <summary>The output is done with the room (end, cancel or disposal); the last side to release leaves it.</summary>
    ValueTask ReleaseOutputAsync();
}
