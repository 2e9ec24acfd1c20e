using Pipeline.Core.Audio;

namespace Pipeline.HeyGen.Video;

/// <summary>
/// Cuts one utterance's speech (16-bit mono PCM at 24 kHz) into <c>agent.speak</c> chunks: the first as soon as
/// <see cref="FirstChunk"/> of audio is buffered (so the avatar starts talking quickly), then chunks of
/// <see cref="Chunk"/> (about one second, as HeyGen recommends), and the remainder on <see cref="TakeRemainder"/>.
/// </summary>
/// <remarks>Not thread-safe: one instance per service, used from its processing task.</remarks>
public sealed class AgentSpeakChunker
{
    private readonly int _firstChunkBytes;
    private readonly int _chunkBytes;
    private byte[] _buffer;
    private int _count;
    private bool _firstTaken;

    /// <summary>Creates a chunker.</summary>
    /// <param name="firstChunk">Audio buffered before the first chunk goes out (default 400 ms).</param>
    /// <param name="chunk">Audio per later chunk (default 1 s).</param>
    /// <param name="sampleRate">Sample rate of the audio, in Hz (HeyGen takes 24 000).</param>
    public AgentSpeakChunker(TimeSpan firstChunk, TimeSpan chunk, int sampleRate = 24_000)
    {
        if (firstChunk <= TimeSpan.Zero || chunk <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(chunk), "Chunk durations must be positive.");
        }

        _firstChunkBytes = Math.Max(2, PcmFormat.BytesFor(firstChunk, sampleRate));
        _chunkBytes = Math.Max(2, PcmFormat.BytesFor(chunk, sampleRate));
        FirstChunk = firstChunk;
        Chunk = chunk;
        _buffer = new byte[Math.Max(_firstChunkBytes, _chunkBytes) * 2];
    }

    /// <summary>Audio buffered before the first chunk goes out.</summary>
    public TimeSpan FirstChunk { get; }

    /// <summary>Audio per later chunk.</summary>
    public TimeSpan Chunk { get; }

    /// <summary>Bytes buffered and not yet taken.</summary>
    public int BufferedBytes => _count;

    /// <summary>Whether the first chunk of the current utterance has been taken.</summary>
    public bool FirstChunkTaken => _firstTaken;

    /// <summary>Adds audio to the current utterance.</summary>
    public void Append(ReadOnlySpan<byte> pcm)
    {
        if ((pcm.Length & 1) != 0)
        {
            throw new ArgumentException("16-bit PCM needs an even number of bytes.", nameof(pcm));
        }

        if (_count + pcm.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + pcm.Length));
        }

        pcm.CopyTo(_buffer.AsSpan(_count));
        _count += pcm.Length;
    }

    /// <summary>Takes the next full chunk, if enough audio is buffered.</summary>
    public bool TryTakeChunk(out byte[] chunk)
    {
        int size = _firstTaken ? _chunkBytes : _firstChunkBytes;
        if (_count < size)
        {
            chunk = [];
            return false;
        }

        chunk = Take(size);
        _firstTaken = true;
        return true;
    }

    /// <summary>Takes whatever is buffered (the end of the utterance) and starts a new utterance.</summary>
    /// <returns>The remaining audio, or an empty array.</returns>
    public byte[] TakeRemainder()
    {
        byte[] rest = Take(_count);
        _firstTaken = false;
        return rest;
    }

    /// <summary>Drops everything buffered (after an interruption) and starts a new utterance.</summary>
    public void Reset()
    {
        _count = 0;
        _firstTaken = false;
    }

    private byte[] Take(int size)
    {
        byte[] chunk = _buffer.AsSpan(0, size).ToArray();
        _buffer.AsSpan(size, _count - size).CopyTo(_buffer);
        _count -= size;
        return chunk;
    }
}
