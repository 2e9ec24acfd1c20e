namespace Pipeline.AI.Audio;

/// <summary>Cuts a stream of PCM into chunks of a fixed size, keeping the remainder for the next call.</summary>
internal sealed class PcmChunker(int chunkBytes)
{
    private readonly byte[] _pending = new byte[chunkBytes];
    private int _pendingLength;

    /// <summary>Adds PCM; returns the whole chunks now available.</summary>
    public List<byte[]> Add(ReadOnlySpan<byte> pcm)
    {
        var chunks = new List<byte[]>((_pendingLength + pcm.Length) / chunkBytes);
        while (pcm.Length > 0)
        {
            int take = Math.Min(chunkBytes - _pendingLength, pcm.Length);
            pcm[..take].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += take;
            pcm = pcm[take..];
            if (_pendingLength == chunkBytes)
            {
                chunks.Add(_pending.ToArray());
                _pendingLength = 0;
            }
        }

        return chunks;
    }

    /// <summary>The partial chunk left, if any (then empty).</summary>
    public byte[] Flush()
    {
        byte[] rest = _pending.AsSpan(0, _pendingLength).ToArray();
        _pendingLength = 0;
        return rest;
    }
}
