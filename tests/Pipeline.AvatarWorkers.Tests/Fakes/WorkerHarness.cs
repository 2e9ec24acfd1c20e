using System.Collections.Concurrent;
using System.Diagnostics;
using Pipeline.Core.Avatars;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>
/// One agent in the loopback SFU's room with a worker-session factory over it: the test provider, its worker and the
/// test RoomService. Records every speech chunk the session sends (when, how many bytes) and every event it reports.
/// </summary>
internal sealed class WorkerHarness : IAsyncDisposable
{
    public const string ApiKey = "APIworkerkey";
    public const string ApiSecret = "worker-secret-0123456789abcdefghijklmnop";
    public const int SampleRate = 24_000;
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    private readonly ConcurrentQueue<(long At, int Bytes)> _chunks = new();
    private readonly ConcurrentQueue<AvatarEvent> _events = new();
    private Task _eventReader = Task.CompletedTask;

    private WorkerHarness(LoopbackSfu sfu, Room agent, TestDispatcher dispatcher, TestRoomService roomService)
    {
        Sfu = sfu;
        Agent = agent;
        Dispatcher = dispatcher;
        RoomService = roomService;
    }

    public LoopbackSfu Sfu { get; }

    public Room Agent { get; }

    public TestDispatcher Dispatcher { get; }

    public TestRoomService RoomService { get; }

    public LiveKitAvatarWorkerSessionFactory Factory { get; private set; } = null!;

    public Signal Changed { get; } = new();

    public IReadOnlyList<(long At, int Bytes)> Chunks => [.. _chunks];

    public IReadOnlyList<AvatarEvent> Events => [.. _events];

    public static async Task<WorkerHarness> StartAsync(
        DispatchMode mode, WorkerBehaviour? behaviour = null, TimeSpan? joinTimeout = null, TimeSpan? clearBufferTimeout = null,
        Func<CancellationToken, Task<Room>>? roomProvider = null)
    {
        LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar", "--api-key", ApiKey, "--api-secret", ApiSecret);
        var agent = new Room(TestLogging.Factory);
        using var timeout = new CancellationTokenSource(Budget);
        await agent.ConnectAsync(sfu.Url, "identity:agent", new RoomConnectOptions { ConnectTimeout = Budget }, timeout.Token);
        behaviour ??= new WorkerBehaviour();
        var dispatcher = new TestDispatcher(mode, behaviour);
        var harness = new WorkerHarness(sfu, agent, dispatcher, TestRoomService.Forwarding(sfu.RoomServiceUrl));
        agent.ParticipantConnected += (_, _) => harness.Changed.Pulse();
        agent.ParticipantDisconnected += (_, _) => harness.Changed.Pulse();
        var options = new LiveKitAvatarWorkerOptions
        {
            LiveKitUrl = sfu.Url,
            ApiKey = ApiKey,
            ApiSecret = ApiSecret,
            RoomServiceUrl = harness.RoomService.Url,
            WaitForWorkerVideo = behaviour.PublishVideo,
            WorkerJoinTimeout = joinTimeout ?? TimeSpan.FromSeconds(30),
            ClearBufferTimeout = clearBufferTimeout ?? TimeSpan.FromSeconds(2),
            SpeechSampleRate = SampleRate,
        };
        harness.Factory = new LiveKitAvatarWorkerSessionFactory(options, dispatcher, roomProvider ?? (_ => Task.FromResult(agent)))
        {
            ChunkSent = bytes =>
            {
                harness._chunks.Enqueue((Stopwatch.GetTimestamp(), bytes));
                harness.Changed.Pulse();
            },
        };
        return harness;
    }

    /// <summary>Opens a session and starts recording its events.</summary>
    public async Task<IAvatarSession> OpenAsync(CancellationToken cancellationToken)
    {
        IAvatarSession session = await Factory.OpenAsync(Context, cancellationToken);
        _eventReader = Task.Run(async () =>
        {
            await foreach (AvatarEvent e in session.ReadEventsAsync(CancellationToken.None))
            {
                _events.Enqueue(e);
                Changed.Pulse();
            }
        }, CancellationToken.None);
        return session;
    }

    /// <summary>The identities in the SFU's room, as LiveKit's RoomService lists them.</summary>
    public async Task<IReadOnlyList<string>> ParticipantsAsync()
    {
        using var http = new HttpClient();
        var service = new LiveKitRoomService(http, Sfu.RoomServiceUrl, ApiKey, ApiSecret);
        return [.. (await service.ListParticipantsAsync(Agent.Name)).Select(p => p.Identity)];
    }

    /// <summary>Completes when the session's event stream has ended (it closed).</summary>
    public Task EventsEnded => _eventReader;

    public static AvatarSessionContext Context => new(48_000, TestLogging.Factory, TimeProvider.System);

    /// <summary>Deterministic, non-periodic 16-bit PCM: byte-equality catches any lost, repeated or reordered chunk.</summary>
    public static byte[] Speech(TimeSpan duration, int seed)
    {
        byte[] pcm = new byte[(int)(SampleRate * duration.TotalSeconds) * 2];
        new Random(seed).NextBytes(pcm);
        return pcm;
    }

    public async ValueTask DisposeAsync()
    {
        await Dispatcher.DisposeAsync();
        await Agent.DisposeAsync();
        await RoomService.DisposeAsync();
        await Sfu.DisposeAsync();
    }
}
