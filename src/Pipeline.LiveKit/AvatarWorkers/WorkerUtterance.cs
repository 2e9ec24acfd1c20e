using Pipeline.Core.Avatars;

namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>
/// One utterance streamed to an avatar worker: its own byte stream on <see cref="AvatarWorkerProtocol.AudioStreamTopic"/>
/// to the worker only, opened with its first audio, written in paced chunks, and closed at its end (the protocol's
/// end-of-utterance marker). Its <see cref="Completion"/> is completed by the session's <see cref="WorkerPlayback"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification =
    "The cancellation source has no timer and the semaphore's wait handle is never created: nothing to release. The utterance " +
    "has no owner that could dispose it (callers hold it past its completion).")]
internal sealed class WorkerUtterance : IAvatarUtterance
{
    private readonly WorkerSpeech _speech;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _stream = new(1, 1); // one writer of the stream at a time: appends, the end, an interruption
    private ByteStreamWriter? _writer;
    private long _bytesSent;
    private int _interrupted;
    private int _ended;
    private bool _opened;

    public WorkerUtterance(string id, WorkerSpeech speech)
    {
        Id = id;
        _speech = speech;
    }

    public string Id { get; }

    public bool HasSpeech => Interlocked.Read(ref _bytesSent) > 0;

    public Task Completion => _done.Task;

    public bool IsInterrupted => Volatile.Read(ref _interrupted) != 0;

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Whether its stream is open (to be closed by the end, an interruption or the session's close).</summary>
    public bool HasOpenStream => Volatile.Read(ref _writer) is not null;

    public async ValueTask AppendAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken)
    {
        if (pcm.Length % 2 != 0)
        {
            throw new ArgumentException($"16-bit PCM has an even number of bytes; got {pcm.Length}.", nameof(pcm));
        }

        if (IsInterrupted || pcm.IsEmpty)
        {
            return;
        }

        if (Volatile.Read(ref _ended) != 0)
        {
            throw new InvalidOperationException($"Utterance {Id} has ended; begin a new utterance for more speech.");
        }

        ThrowIfSessionFailed();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        try
        {
            await _stream.WaitAsync(stop.Token).ConfigureAwait(false);
            try
            {
                await SendAsync(pcm, stop.Token).ConfigureAwait(false);
            }
            finally
            {
                _stream.Release();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            ThrowIfSessionFailed(); // interrupted: the rest of the audio is dropped on purpose
        }
        catch (Exception e) when ((e is LiveKitException or ObjectDisposedException) && !Completion.IsFaulted)
        {
            var lost = new LiveKitException($"Speech of utterance {Id} could not be streamed to the avatar worker '{_speech.WorkerIdentity}': {e.Message}", e);
            Fail(lost);
            throw lost;
        }
    }

    public async ValueTask EndAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0 || IsInterrupted)
        {
            return;
        }

        await _stream.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_opened)
            {
                Complete(); // nothing was streamed: nothing to play
                return;
            }

            if (IsInterrupted || _writer is not { } writer)
            {
                return;
            }

            _writer = null;
            try
            {
                await writer.CloseAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is LiveKitException or ObjectDisposedException)
            {
                var lost = new LiveKitException($"The end of utterance {Id} could not be sent to the avatar worker '{_speech.WorkerIdentity}': {e.Message}", e);
                Fail(lost);
                throw lost;
            }
            finally
            {
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _stream.Release();
        }
    }

    /// <summary>Marks it interrupted (under the playback's lock): further audio is dropped.</summary>
    public void MarkInterrupted() => Volatile.Write(ref _interrupted, 1);

    /// <summary>Stops its sending and closes its stream (the worker is told to clear separately), within <paramref name="bound"/>.</summary>
    public async Task StopStreamingAsync(TimeSpan bound)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(bound, _speech.Time);
        try
        {
            await _stream.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // a send that does not give way: the session's close releases the stream
        }

        try
        {
            await CloseWriterAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _stream.Release();
        }
    }

    public void Complete() => _done.TrySetResult();

    public void Fail(Exception failure)
    {
        _done.TrySetException(failure);
        _stop.Cancel();
    }

    private async Task SendAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken)
    {
        if (IsInterrupted)
        {
            return;
        }

        if (_writer is null)
        {
            await _speech.AfterClearAsync(cancellationToken).ConfigureAwait(false);
            if (IsInterrupted)
            {
                return;
            }

            // Not cancellable: an open abandoned half-way leaves the engine a writer nobody closes, and the engine
            // cannot release an unclosed writer from a thread of ours. Opening only sends the header; an interruption
            // meanwhile closes the stream right after.
            _writer = await _speech.Local.StreamBytesAsync(new ByteStreamOptions
            {
                Topic = AvatarWorkerProtocol.AudioStreamTopic,
                Attributes = _speech.StreamAttributes,
                DestinationIdentities = [_speech.WorkerIdentity],
                Name = "AUDIO_" + Id,
            }, CancellationToken.None).ConfigureAwait(false);
            _opened = true;
            if (!_speech.Playback.Streaming(this))
            {
                ThrowIfSessionFailed();
                return; // interrupted while the stream opened: StopStreamingAsync closes it
            }
        }

        for (int offset = 0; offset < pcm.Length; offset += _speech.ChunkBytes)
        {
            ReadOnlyMemory<byte> chunk = pcm.Slice(offset, Math.Min(_speech.ChunkBytes, pcm.Length - offset));
            TimeSpan duration = _speech.DurationOf(chunk.Length);
            TimeSpan wait = _speech.Pacer.DelayBefore(duration);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _speech.Time, cancellationToken).ConfigureAwait(false);
            }

            _speech.ChunkSent?.Invoke(chunk.Length);
            await _writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            _speech.Pacer.Sent(duration);
            if (Interlocked.Add(ref _bytesSent, chunk.Length) == chunk.Length)
            {
                _speech.Playback.FirstChunkSent();
            }
        }
    }

    /// <summary>Closes and releases the stream, if any (after an interruption or when the session closes).</summary>
    internal async Task CloseWriterAsync(CancellationToken cancellationToken)
    {
        if (_writer is not { } writer)
        {
            return;
        }

        _writer = null;
        try
        {
            await writer.CloseAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LiveKitException or ObjectDisposedException or OperationCanceledException)
        {
            // The stream goes with the room or the worker; releasing the handle below ends it either way.
        }
        finally
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void ThrowIfSessionFailed()
    {
        if (_speech.Failure is { } failure)
        {
            var lost = new LiveKitException($"Speech of utterance {Id} was lost: {failure.Message}", failure);
            Fail(lost);
            throw lost;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"worker utterance {Id}";
}
