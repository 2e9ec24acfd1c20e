namespace Pipeline.WebSocket.Server;

/// <summary>
/// The timestamps of one client's output media, in microseconds since the client joined. Video frames are stamped
/// when they reach the transport; audio chunks are stamped where they will play: at the clock, or right after the
/// previous chunk when chunks arrive faster than real time. The page plays both on this one timeline, which keeps
/// an avatar's lips (video) on its voice (audio) when the source pushes them in step.
/// </summary>
internal sealed class MediaClock(TimeProvider clock)
{
    private readonly long _start = clock.GetTimestamp();

    /// <summary>The wall-clock time of timestamp 0, in microseconds since 1970 (lets a client on the same machine measure delays).</summary>
    public long EpochMicroseconds { get; } = (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
    private long _audioEnd;

    /// <summary>Now, in microseconds since the client joined.</summary>
    public long NowMicroseconds => (long)clock.GetElapsedTime(_start).TotalMicroseconds;

    /// <summary>Stamps an audio chunk of <paramref name="duration"/> and moves the audio timeline past it.</summary>
    public long StampAudio(TimeSpan duration)
    {
        long at = Math.Max(NowMicroseconds, _audioEnd);
        _audioEnd = at + (long)duration.TotalMicroseconds;
        return at;
    }

    /// <summary>Forgets the audio that was ahead of the clock (an interruption: the page drops it too).</summary>
    public void ResetAudio() => _audioEnd = 0;
}
