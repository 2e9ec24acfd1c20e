using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;
using ProtoPublishOptions = Pipeline.LiveKit.Protocol.TrackPublishOptions;

namespace Pipeline.LiveKit;

/// <summary>
/// This process in a connected <see cref="Room"/>: its identity and the tracks it publishes. Owns the engine's local
/// participant handle and every publication handle; the room closes it when it is disposed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification =
    "The closing source has no timer and the wait registrations linked to it are disposed per wait: nothing to release. " +
    "The room, not the user, ends the participant (Close).")]
public sealed class LocalParticipant
{
    private readonly FfiHandle _handle;
    private readonly Dictionary<string, LocalTrackPublication> _publications = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();

    internal LocalParticipant(OwnedParticipant owned)
    {
        _handle = FfiHandle.Own(owned.Handle);
        Sid = owned.Info.Sid;
        Identity = owned.Info.Identity;
        Name = owned.Info.Name;
    }

    /// <summary>Our server id (<c>PA_…</c>).</summary>
    public string Sid { get; }

    /// <summary>Our identity (from the access token).</summary>
    public string Identity { get; }

    /// <summary>Our display name.</summary>
    public string Name { get; }

    /// <summary>A snapshot of the tracks we publish.</summary>
    public IReadOnlyList<LocalTrackPublication> TrackPublications
    {
        get
        {
            lock (_publications)
            {
                return [.. _publications.Values];
            }
        }
    }

    internal bool IsClosed => _closing.IsCancellationRequested;

    internal async Task<LocalTrackPublication> PublishTrackAsync(LocalTrack track, TrackPublishOptions options, CancellationToken cancellationToken)
    {
        FfiClient client = FfiClient.Instance;
        ulong asyncId = client.Request(new FfiRequest
        {
            PublishTrack = new PublishTrackRequest
            {
                LocalParticipantHandle = HandleId,
                TrackHandle = track.HandleId,
                Options = ToProto(options, track.Kind),
            },
        }).PublishTrack.AsyncId;

        FfiEvent done = await WaitAsync(client, asyncId, $"publishing the {Describe(track)}", UnpublishAbandoned, cancellationToken).ConfigureAwait(false);
        PublishTrackCallback callback = done.PublishTrack;
        if (callback.MessageCase != PublishTrackCallback.MessageOneofCase.Publication)
        {
            throw new LiveKitException($"Publishing the {Describe(track)} failed: {client.Logs.Redact(callback.Error)}");
        }

        var publication = new LocalTrackPublication(callback.Publication, track, this);
        lock (_publications)
        {
            if (!IsClosed)
            {
                _publications[publication.Sid] = publication;
                return publication;
            }
        }

        // The room closed while the callback was on its way: the engine has unpublished everything with it.
        publication.Release();
        throw new ObjectDisposedException(nameof(Room), $"The room was closed while publishing the {Describe(track)}.");
    }

    internal async Task UnpublishTrackAsync(LocalTrackPublication publication, CancellationToken cancellationToken)
    {
        lock (_publications)
        {
            if (!_publications.Remove(publication.Sid))
            {
                return; // already unpublished
            }
        }

        try
        {
            FfiClient client = FfiClient.Instance;
            ulong asyncId = client.Request(new FfiRequest
            {
                UnpublishTrack = new UnpublishTrackRequest { LocalParticipantHandle = HandleId, TrackSid = publication.Sid, StopOnUnpublish = false },
            }).UnpublishTrack.AsyncId;
            FfiEvent done = await WaitAsync(client, asyncId, $"unpublishing {publication}", null, cancellationToken).ConfigureAwait(false);
            if (done.UnpublishTrack.HasError)
            {
                throw new LiveKitException($"Unpublishing {publication} failed: {done.UnpublishTrack.Error}");
            }
        }
        finally
        {
            // Released whatever happened: the engine's unpublish carries on if we stopped waiting.
            publication.Release();
        }
    }

    internal async Task PublishDataAsync(ReadOnlyMemory<byte> data, string? topic, bool reliable, IReadOnlyCollection<string>? destinationIdentities, CancellationToken cancellationToken)
    {
        FfiClient client = FfiClient.Instance;
        ulong asyncId = SendData(client, data.Span, topic, reliable, destinationIdentities);
        FfiEvent done = await WaitAsync(client, asyncId, "sending a data message", null, cancellationToken).ConfigureAwait(false);
        if (done.PublishData.HasError)
        {
            throw new LiveKitException($"Sending a data message of {data.Length} bytes failed: {done.PublishData.Error}");
        }
    }

    /// <summary>Stops pending operations and releases the participant and publication handles (the room is leaving).</summary>
    internal void Close()
    {
        lock (_publications)
        {
            _closing.Cancel();
            foreach (LocalTrackPublication publication in _publications.Values)
            {
                publication.Release();
            }

            _publications.Clear();
        }

        _handle.Dispose();
    }

    private ulong HandleId
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed || _handle.IsClosed, typeof(Room));
            return _handle.Id;
        }
    }

    private unsafe ulong SendData(FfiClient client, ReadOnlySpan<byte> data, string? topic, bool reliable, IReadOnlyCollection<string>? destinationIdentities)
    {
        var request = new PublishDataRequest { LocalParticipantHandle = HandleId, DataLen = (ulong)data.Length, Reliable = reliable };
        if (topic is not null)
        {
            request.Topic = topic;
        }

        if (destinationIdentities is not null)
        {
            request.DestinationIdentities.AddRange(destinationIdentities);
        }

        // The engine copies the payload inside the request: pinned for the call only.
        fixed (byte* bytes = data)
        {
            request.DataPtr = (ulong)bytes;
            return client.Request(new FfiRequest { PublishData = request }).PublishData.AsyncId;
        }
    }

    private async Task<FfiEvent> WaitAsync(FfiClient client, ulong asyncId, string what, Action<FfiEvent>? abandoned, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        try
        {
            return await client.WaitForCallbackAsync(asyncId, linked.Token, abandoned).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(Room), $"The room was closed while {what}.");
        }
    }

    // A publish whose caller gave up still completes in the engine: take the track down again, so that nothing is
    // published that nobody owns (its handle is released after this by the client).
    private void UnpublishAbandoned(FfiEvent late)
    {
        if (late.PublishTrack.Publication?.Info?.Sid is not { Length: > 0 } sid || IsClosed || _handle.IsClosed)
        {
            return;
        }

        FfiClient client = FfiClient.Instance;
        ulong asyncId = client.Request(new FfiRequest
        {
            UnpublishTrack = new UnpublishTrackRequest { LocalParticipantHandle = _handle.Id, TrackSid = sid, StopOnUnpublish = false },
        }).UnpublishTrack.AsyncId;
        _ = client.WaitForCallbackAsync(asyncId, _closing.Token).ContinueWith(
            static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static ProtoPublishOptions ToProto(TrackPublishOptions options, TrackKind kind)
    {
        var proto = new ProtoPublishOptions
        {
            Source = (Protocol.TrackSource)options.SourceFor(kind),
            Simulcast = options.Simulcast,
        };
        if (kind == TrackKind.Video)
        {
            proto.VideoCodec = (Protocol.VideoCodec)options.VideoCodec;
            if (options.VideoEncoding is { } encoding)
            {
                proto.VideoEncoding = new VideoEncoding { MaxBitrate = (ulong)encoding.MaxBitrate, MaxFramerate = encoding.MaxFramerate };
            }
        }
        else if (options.AudioMaxBitrate is { } bitrate)
        {
            proto.AudioEncoding = new AudioEncoding { MaxBitrate = (ulong)bitrate };
        }

        return proto;
    }

    private static string Describe(LocalTrack track) => $"{track.Kind.ToString().ToLowerInvariant()} track '{track.Name}'";

    /// <inheritdoc />
    public override string ToString() => $"local participant {Identity} ({Sid})";
}
