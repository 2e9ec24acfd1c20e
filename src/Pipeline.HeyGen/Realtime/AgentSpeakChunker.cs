namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// Cuts one utterance's speech (16-bit mono PCM at 24 kHz) into <c>agent.speak</c> chunks: the first as soon as the
/// first chunk's size is buffered (so the avatar starts talking quickly), then chunks of the later size (about one
/// second, as HeyGen recommends), and the remainder on <see cref="TakeRemainder"/>.
/// </summary>
/// <remarks>Not thread-safe: one instance per utterance, used by its one caller at a time.</remarks>
internal sealed class AgentSpeakChunker
{
    private readonly int _firstChunkBytes;
    private readonly int _chunkBytes;
    private byte[] _buffer;
    private int _count;
    private bool _firstTaken;

    /// <summary>Creates a chunker.</summary>
    /// <param name="firstChunkBytes">Audio buffered before the first chunk goes out, in bytes (even).</param>
    /// <param name="chunkBytes">Audio per later chunk, in bytes (even).</param>
    public AgentSpeakChunker(int firstChunkBytes, int chunkBytes)
    {
        if (firstChunkBytes < 2 || chunkBytes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkBytes), "Chunks must hold at least one sample.");
        }

        _firstChunkBytes = firstChunkBytes & ~1;
        _chunkBytes = chunkBytes & ~1;
        _buffer = new byte[Math.Max(_firstChunkBytes, _chunkBytes) * 2];
    }

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
