using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Realtime;

namespace Pipeline.HeyGen.Realtime.Tests.Support;

/// <summary>
/// An emulated session on a real 127.0.0.1 websocket (the emulator in its realtime-only mode), a client connected to
/// it, and one fake clock for both.
/// </summary>
internal sealed class RealtimeHarness : IAsyncDisposable
{
    private RealtimeHarness(HeyGenEmulator server, RealtimeSessionContext session, HeyGenRealtimeClient client,
        TimerWatchingTimeProvider time, ListLogger logger)
    {
        Server = server;
        Session = session;
        Client = client;
        Time = time;
        Logger = logger;
        Events = new ClientEventLog(client);
    }

    public HeyGenEmulator Server { get; }

    public RealtimeSessionContext Session { get; }

    public HeyGenRealtimeClient Client { get; }

    public TimerWatchingTimeProvider Time { get; }

    public ListLogger Logger { get; }

    public ClientEventLog Events { get; }

    public RealtimeEventRecorder Recorder => Session.Recorder;

    public Uri Endpoint => Server.RealtimeEndpointFor(Session);

    /// <summary>Starts a realtime-only emulator on the harness clock, with the given realtime behaviour.</summary>
    public static Task<HeyGenEmulator> StartEmulatorAsync(RealtimeEmulatorOptions? realtime = null, TimeProvider? time = null) =>
        HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions
        {
            RealtimeOnly = true,
            TimeProvider = time ?? TimeProvider.System,
            Realtime = realtime ?? new RealtimeEmulatorOptions(),
        });

    /// <summary>Starts the server and session, creates the client and (by default) connects and waits until ready.</summary>
    public static async Task<RealtimeHarness> StartAsync(
        Action<HeyGenRealtimeOptions>? configureClient = null,
        RealtimeEmulatorOptions? emulator = null,
        Action<SessionFaults>? faults = null,
        bool connect = true)
    {
        var time = new TimerWatchingTimeProvider();
        var server = await StartEmulatorAsync(emulator, time);
        var options = new HeyGenRealtimeOptions { Product = HeyGenProduct.LiveAvatar, ReconnectInitialDelay = TimeSpan.Zero };
        configureClient?.Invoke(options);
        // A session of the client's product: the emulator applies that product's idle rules (IdleRules).
        var session = server.OpenRealtimeSession(options.Product == HeyGenProduct.LiveAvatar ? EmulatedProduct.LiveAvatar : EmulatedProduct.InteractiveAvatar);
        faults?.Invoke(session.Faults);
        var logger = new ListLogger();
        var client = new HeyGenRealtimeClient(options, logger, time);
        var harness = new RealtimeHarness(server, session, client, time, logger);
        if (connect)
        {
            await client.ConnectAsync(harness.Endpoint);
            if (emulator is null || (emulator.SendConnectedState && emulator.ConnectedDelay == TimeSpan.Zero))
                (await client.WaitUntilReadyAsync()).Should().BeTrue();
        }

        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        // Bounded: a close waiting on the fake clock would otherwise hang the run instead of failing the test.
        await Client.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Wait);
        await Server.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Wait);
    }
}
