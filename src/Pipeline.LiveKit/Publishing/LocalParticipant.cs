using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
    private readonly RpcEndpoint _rpc;
    private readonly ParticipantAttributes _attributes;

    internal LocalParticipant(OwnedParticipant owned, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _attributes = new ParticipantAttributes(owned.Info.Attributes);
        _handle = FfiHandle.Own(owned.Handle);
        Sid = owned.Info.Sid;
        Identity = owned.Info.Identity;
        Name = owned.Info.Name;
        _rpc = new RpcEndpoint(() => HandleId, timeProvider ?? TimeProvider.System, logger ?? NullLogger.Instance, _closing.Token);

        // RPC invocations name our participant handle; they are routed to the endpoint like room events to a room.
        FfiClient.Instance.Router.Register(_handle.Id, _rpc);
    }

    /// <summary>Default time <see cref="PerformRpcAsync"/> waits for the answer: 10 s, as in LiveKit's other SDKs.</summary>
    public static readonly TimeSpan DefaultRpcResponseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Our server id (<c>PA_…</c>).</summary>
    public string Sid { get; }

    /// <summary>Our identity (from the access token).</summary>
    public string Identity { get; }

    /// <summary>Our display name.</summary>
    public string Name { get; }

    /// <summary>
    /// Our attributes (from the access token, e.g. <c>lk.publish_on_behalf</c> for an avatar worker), a snapshot kept
    /// current by the server's updates; <see cref="Room.ParticipantAttributesChanged"/> is raised after each change.
    /// </summary>
    public IReadOnlyDictionary<string, string> Attributes => _attributes.Current;

    internal ParticipantAttributes AttributeSet => _attributes;

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

    /// <summary>
    /// Answers calls of <paramref name="method"/> from other participants. The handler runs on the thread pool, one
    /// call per task; what it returns is the answer (UTF-8 text up to 15 KiB). Throw a
    /// <see cref="LiveKitRpcException"/> to send a chosen error code; any other exception sends an application error
    /// (1500) and is logged, never sent. A handler still running when the caller's timeout passes is cancelled through
    /// <see cref="RpcInvocation.CancellationToken"/>, and the caller gets a response timeout (1502).
    /// </summary>
    /// <param name="method">The method name (non-empty).</param>
    /// <param name="handler">Computes the answer.</param>
    /// <exception cref="InvalidOperationException">A handler for the method is already registered.</exception>
    /// <exception cref="ObjectDisposedException">The room was closed.</exception>
    public void RegisterRpcMethod(string method, Func<RpcInvocation, Task<string>> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        _rpc.Register(method, handler);
    }

    /// <summary>Stops answering <paramref name="method"/>: callers then get unsupported method (1400). Unknown names are ignored.</summary>
    /// <param name="method">The method name.</param>
    /// <exception cref="ObjectDisposedException">The room was closed.</exception>
    public void UnregisterRpcMethod(string method)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        _rpc.Unregister(method);
    }

    /// <summary>Calls <paramref name="method"/> on another participant and returns its answer.</summary>
    /// <param name="destinationIdentity">The participant to call.</param>
    /// <param name="method">The method it registered.</param>
    /// <param name="payload">The request (UTF-8 text up to 15 KiB; may be empty).</param>
    /// <param name="responseTimeout">How long to wait for the answer once the peer has acknowledged the request
    /// (the acknowledgement itself may take up to 7 s); default <see cref="DefaultRpcResponseTimeout"/>, 1 s to 1 h.</param>
    /// <param name="cancellationToken">Stops waiting (the engine still ends the call within its timeouts).</param>
    /// <returns>The peer's answer.</returns>
    /// <exception cref="LiveKitRpcException">The peer answered with an error, has no such method, is not in the room,
    /// or did not answer in time; <see cref="LiveKitRpcException.Code"/> tells which (<see cref="RpcErrorCodes"/>).</exception>
    /// <exception cref="ObjectDisposedException">The room was closed before the answer came.</exception>
    public Task<string> PerformRpcAsync(
        string destinationIdentity, string method, string payload, TimeSpan? responseTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(destinationIdentity);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(payload);
        if (System.Text.Encoding.UTF8.GetByteCount(payload) > RpcEndpoint.MaxPayloadBytes)
        {
            throw new ArgumentException($"An RPC payload may hold at most {RpcEndpoint.MaxPayloadBytes} UTF-8 bytes; send larger data as a byte stream.", nameof(payload));
        }

        TimeSpan timeout = responseTimeout ?? DefaultRpcResponseTimeout;
        if (timeout < TimeSpan.FromSeconds(1) || timeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(responseTimeout), timeout, "The RPC response timeout must be between 1 s and 1 h.");
        }

        return _rpc.PerformAsync(destinationIdentity, method, payload, timeout, cancellationToken);
    }

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

    /// <summary>
    /// Opens a byte stream to the other participants (or to <see cref="ByteStreamOptions.DestinationIdentities"/>).
    /// Write chunks, then close it; dispose it in every case.
    /// </summary>
    /// <param name="options">Topic, attributes and addressees.</param>
    /// <param name="cancellationToken">Stops waiting for the engine (a stream opened anyway is released).</param>
    /// <returns>The open stream.</returns>
    /// <exception cref="ArgumentException">The options have no topic.</exception>
    /// <exception cref="LiveKitException">The engine could not open it.</exception>
    public async Task<ByteStreamWriter> StreamBytesAsync(ByteStreamOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Protocol.StreamByteOptions proto = options.ToProto();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        try
        {
            return await ByteStreamWriter.OpenAsync(HandleId, proto, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(Room), $"The room was closed while opening a byte stream on '{options.Topic}'.");
        }
    }

    /// <summary>Sends <paramref name="data"/> as one whole byte stream (open, write, close).</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="options">Topic, attributes and addressees (<see cref="ByteStreamOptions.TotalLength"/> is set from <paramref name="data"/> when absent).</param>
    /// <param name="cancellationToken">Stops sending; the stream is then closed as interrupted.</param>
    /// <returns>The stream's header.</returns>
    /// <exception cref="LiveKitException">The engine could not send it.</exception>
    public async Task<ByteStreamInfo> SendBytesAsync(ReadOnlyMemory<byte> data, ByteStreamOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using ByteStreamWriter writer = await StreamBytesAsync(options with { TotalLength = options.TotalLength ?? data.Length }, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        await writer.CloseAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return writer.Info;
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

        FfiClient.Instance.Router.Unregister(_handle.Id);
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
