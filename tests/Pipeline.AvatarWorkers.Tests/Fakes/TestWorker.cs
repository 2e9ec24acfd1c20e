using System.Collections.Concurrent;
using System.Diagnostics;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>What the test worker does besides recording (each part of the protocol can be switched off).</summary>
internal sealed record WorkerBehaviour
{
    /// <summary>Publishes a (black) camera track once joined.</summary>
    public bool PublishVideo { get; init; }

    /// <summary>Calls lk.playback_started at the first chunk of each stream.</summary>
    public bool ReportStarted { get; init; } = true;

    /// <summary>Calls lk.playback_finished(interrupted=false) when a stream ends normally and was not cleared
    /// (settable: a test may switch it on later).</summary>
    public bool ReportFinished { get; set; } = true;

    /// <summary>Calls lk.playback_finished(interrupted=true) after answering lk.clear_buffer.</summary>
    public bool ConfirmClear { get; init; } = true;
}

/// <summary>
/// A stand-in avatar worker: a second participant in the loopback SFU's room that records every audio stream the
/// agent sends it (attributes and bytes), answers lk.clear_buffer, and reports playback the way the protocol says.
/// It "plays" a stream as soon as it has it: finished is reported when the stream ends.
/// </summary>
internal sealed class TestWorker : IAsyncDisposable
{
    private readonly Room _room = new(TestLogging.Factory);
    private readonly WorkerBehaviour _behaviour;
    private readonly string _agent;
    private readonly ConcurrentQueue<ReceivedStream> _streams = new();
    private readonly ConcurrentQueue<long> _clears = new();
    private readonly List<Task> _calls = [];
    private readonly CancellationTokenSource _gone = new();
    private VideoSource? _videoSource;
    private LocalVideoTrack? _videoTrack;
    private ReceivedStream? _current;
    private int _disposed;

    private TestWorker(string agent, WorkerBehaviour behaviour)
    {
        _agent = agent;
        _behaviour = behaviour;
    }

    public Signal Changed { get; } = new();

    public IReadOnlyList<ReceivedStream> Streams => [.. _streams];

    /// <summary>When each lk.clear_buffer arrived (Stopwatch timestamps).</summary>
    public IReadOnlyList<long> Clears => [.. _clears];

    public bool Left => Volatile.Read(ref _disposed) != 0;

    public static async Task<TestWorker> JoinAsync(Uri url, string token, string agentIdentity, WorkerBehaviour behaviour, CancellationToken cancellationToken)
    {
        var worker = new TestWorker(agentIdentity, behaviour);
        worker._room.RegisterByteStreamHandler(AvatarWorkerProtocol.AudioStreamTopic, worker.ReceiveAsync);
        await worker._room.ConnectAsync(url, token, new RoomConnectOptions { ConnectTimeout = TimeSpan.FromSeconds(30) }, cancellationToken);
        worker._room.LocalParticipant!.RegisterRpcMethod(AvatarWorkerProtocol.ClearBufferMethod, worker.OnClearBuffer);
        if (behaviour.PublishVideo)
        {
            worker._videoSource = new VideoSource(64, 64);
            worker._videoTrack = LocalVideoTrack.Create("avatar-camera", worker._videoSource);
            await worker._room.PublishTrackAsync(worker._videoTrack, cancellationToken: cancellationToken);
        }

        return worker;
    }

    /// <summary>Leaves the room (as a crashed or removed worker would).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _gone.CancelAsync();
        await _room.DisposeAsync();
        Task[] calls;
        lock (_calls)
        {
            calls = [.. _calls];
        }

        await Task.WhenAll(calls);
        _videoTrack?.Dispose();
        _videoSource?.Dispose();
        Changed.Pulse();
    }

    private async Task ReceiveAsync(ByteStreamReader reader)
    {
        var stream = new ReceivedStream(reader.SenderIdentity, reader.Info.Attributes);
        _streams.Enqueue(stream);
        Volatile.Write(ref _current, stream);
        Changed.Pulse();
        bool first = true;
        try
        {
            await foreach (ReadOnlyMemory<byte> chunk in reader.ReadChunksAsync())
            {
                stream.Append(chunk.Span);
                if (first)
                {
                    stream.FirstChunkAt = Stopwatch.GetTimestamp();
                    if (_behaviour.ReportStarted)
                    {
                        Call(AvatarWorkerProtocol.PlaybackStartedMethod, "");
                    }
                }

                first = false;
                Changed.Pulse();
            }

            stream.End(normally: true);
        }
        catch (Exception e) when (e is LiveKitException or ObjectDisposedException)
        {
            stream.End(normally: false);
        }

        Changed.Pulse();
        if (stream.EndedNormally != true || !_behaviour.ReportFinished)
        {
            return;
        }

        // "Plays" the stream in real time from its first chunk, as an avatar would: a clear meanwhile stops it, and
        // then only the clear's own confirmation (if any) reports its end.
        int rate = int.Parse(stream.Attributes[AvatarWorkerProtocol.SampleRateAttribute], System.Globalization.CultureInfo.InvariantCulture);
        double seconds = stream.Length / 2.0 / rate;
        TimeSpan left = TimeSpan.FromSeconds(seconds) - Stopwatch.GetElapsedTime(stream.FirstChunkAt == 0 ? Stopwatch.GetTimestamp() : stream.FirstChunkAt);
        try
        {
            if (left > TimeSpan.Zero)
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(stream.ClearedToken, _gone.Token);
                await Task.Delay(left, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!stream.Cleared)
        {
            Call(AvatarWorkerProtocol.PlaybackFinishedMethod, AvatarWorkerProtocol.FormatPlaybackFinished(seconds, interrupted: false));
        }
    }

    private Task<string> OnClearBuffer(RpcInvocation call)
    {
        _clears.Enqueue(Stopwatch.GetTimestamp());
        if (Volatile.Read(ref _current) is { } current)
        {
            current.MarkCleared();
        }

        Changed.Pulse();
        if (_behaviour.ConfirmClear)
        {
            Call(AvatarWorkerProtocol.PlaybackFinishedMethod, AvatarWorkerProtocol.FormatPlaybackFinished(0, interrupted: true));
        }

        return Task.FromResult("ok");
    }

    // Off the handler's task: the agent answers after the handler returned.
    private void Call(string method, string payload)
    {
        if (Left)
        {
            return;
        }

        Task call = Task.Run(async () =>
        {
            try
            {
                await _room.LocalParticipant!.PerformRpcAsync(_agent, method, payload);
            }
            catch (Exception e) when (e is LiveKitException or ObjectDisposedException)
            {
                // The agent may have closed its session, or this worker left.
            }
        });
        lock (_calls)
        {
            _calls.Add(call);
        }
    }
}
