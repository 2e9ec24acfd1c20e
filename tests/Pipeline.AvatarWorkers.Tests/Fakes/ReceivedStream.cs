using System.Diagnostics;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>One audio byte stream as the test worker received it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A memory stream and a timer-less cancellation source hold nothing to release.")]
internal sealed class ReceivedStream(string sender, IReadOnlyDictionary<string, string> attributes)
{
    private readonly MemoryStream _bytes = new();

    public string Sender { get; } = sender;

    public IReadOnlyDictionary<string, string> Attributes { get; } = attributes;

    /// <summary>True once it ended normally (the sender closed it), false once it ended abnormally; null while open.</summary>
    public bool? EndedNormally { get; set; }

    /// <summary>When it ended (Stopwatch timestamp), 0 while open.</summary>
    public long EndedAt { get; set; }

    private readonly CancellationTokenSource _cleared = new();

    /// <summary>Whether a clear arrived while it was being received or played.</summary>
    public bool Cleared => _cleared.IsCancellationRequested;

    /// <summary>Cancelled by a clear: playing stops.</summary>
    public CancellationToken ClearedToken => _cleared.Token;

    /// <summary>When its first chunk arrived (Stopwatch timestamp), 0 before.</summary>
    public long FirstChunkAt { get; set; }

    public void MarkCleared() => _cleared.Cancel();

    public int Length
    {
        get
        {
            lock (_bytes)
            {
                return (int)_bytes.Length;
            }
        }
    }

    public byte[] Bytes
    {
        get
        {
            lock (_bytes)
            {
                return _bytes.ToArray();
            }
        }
    }

    public void Append(ReadOnlySpan<byte> chunk)
    {
        lock (_bytes)
        {
            _bytes.Write(chunk);
        }
    }

    public void End(bool normally)
    {
        EndedAt = Stopwatch.GetTimestamp();
        EndedNormally = normally;
    }
}
