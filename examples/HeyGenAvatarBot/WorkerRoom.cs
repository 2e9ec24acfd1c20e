using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Pipeline.AvatarWorker.Emulator;
using Pipeline.BeyondPresence;
using Pipeline.Core.Avatars;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;
using Pipeline.LiveKit.Testing;

namespace HeyGenAvatarBot;

/// <summary>
/// Where the bot meets the Beyond Presence worker (<c>--avatar bey</c>): with <c>BEY_API_KEY</c>, your LiveKit room
/// and Beyond Presence itself (billed); offline, the loopback SFU (a stand-in LiveKit server on 127.0.0.1) and the
/// emulated worker (a Beyond-Presence-compatible REST server whose worker joins that room). Either way the avatar
/// service is the same: <see cref="LiveKitAvatarWorkerSessionFactory"/> with the Beyond Presence dispatcher.
/// </summary>
internal sealed class WorkerRoom : IAsyncDisposable
{
    private readonly LoopbackSfu? _sfu;

    private WorkerRoom(LiveKitRoomSettings room, BeyondPresenceOptions bey, ILoggerFactory loggerFactory, LoopbackSfu? sfu, AvatarWorkerEmulator? emulator, string description)
    {
        Room = room;
        _sfu = sfu;
        Emulator = emulator;
        Description = description;
        Api = new BeyondPresenceApi(bey, loggerFactory);
        Dispatcher = new BeyondPresenceDispatcher(Api, bey);
    }

    /// <summary>The room: your LiveKit room, or the loopback one (its URL, and a key and secret made up for this run).</summary>
    public LiveKitRoomSettings Room { get; }

    /// <summary>The emulated worker's provider, offline; null against Beyond Presence.</summary>
    public AvatarWorkerEmulator? Emulator { get; }

    public BeyondPresenceApi Api { get; }

    public BeyondPresenceDispatcher Dispatcher { get; }

    /// <summary>One line for the console (no secrets).</summary>
    public string Description { get; }

    /// <summary>Opens the keyed room (nothing starts: the worker is dispatched when the pipeline starts) or starts the
    /// offline one (the loopback SFU and the emulated worker's REST server).</summary>
    public static async Task<WorkerRoom> OpenAsync(BotOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        BeyondPresenceSettings bey = options.Bey ?? new BeyondPresenceSettings();
        if (bey.ApiKey is { } key)
        {
            LiveKitRoomSettings room = options.LiveKit ?? throw new InvalidOperationException("A keyed --avatar bey run needs the LiveKit room settings.");
            var real = new BeyondPresenceOptions { ApiKey = key, AvatarId = options.AvatarId ?? BeyondPresenceOptions.StockAvatarId };
            if (bey.ApiUrl is not null)
            {
                real.BaseUrl = new Uri(bey.ApiUrl);
            }

            return new WorkerRoom(room, real, loggerFactory, null, null, $"Beyond Presence (billed), its worker publishing into {room}");
        }

        // Offline: a LiveKit project of this run's own (a fresh secret): the loopback server verifies every token with it,
        // as LiveKit does, and the emulated provider checks the worker's token too.
        var loopback = new LiveKitRoomSettings { ApiKey = "APIloopback", ApiSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)), Room = options.LiveKit?.Room ?? LiveKitRoomSettings.DefaultRoom };
        LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar", "--room", loopback.Room, "--api-key", loopback.ApiKey, "--api-secret", loopback.ApiSecret);
        loopback = new LiveKitRoomSettings { Url = sfu.Url.ToString(), ApiKey = loopback.ApiKey, ApiSecret = loopback.ApiSecret, Room = loopback.Room };
        try
        {
            AvatarWorkerEmulator emulator = await AvatarWorkerEmulator.StartAsync(new AvatarWorkerEmulatorOptions
            {
                LoggerFactory = loggerFactory,
                LiveKitApiSecret = loopback.ApiSecret,
                Avatar = new EmulatedAvatarOptions { Width = options.Width, Height = options.Height, FrameRate = options.FrameRate },
            }, cancellationToken);
            var emulated = new BeyondPresenceOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.BaseAddress, AvatarId = options.AvatarId ?? BeyondPresenceOptions.StockAvatarId };
            return new WorkerRoom(loopback, emulated, loggerFactory, sfu, emulator,
                $"emulated Beyond Presence worker at {emulator.BaseAddress} in a loopback LiveKit room at {sfu.Url} (offline, {options.Width}x{options.Height} at {options.FrameRate:G} fps)");
        }
        catch
        {
            await sfu.DisposeAsync();
            throw;
        }
    }

    /// <summary>A token to join the room as <paramref name="identity"/>, minted locally.</summary>
    public string TokenFor(string identity, string name, bool agent) => Room.MintToken(identity, name, agent);

    /// <summary>The bot's presence in the room: the session's RPCs and speech streams go through it. It publishes
    /// nothing (the worker publishes the avatar on the bot's behalf).</summary>
    public LiveKitTransport CreateBotTransport(ILoggerFactory loggerFactory, bool endWhenUserLeaves) => new(new LiveKitTransportOptions
    {
        Url = new Uri(Room.Url!),
        Token = TokenFor(LiveKitRoomSettings.BotIdentity, "Voice bot", agent: true),
        PublishAudio = false,
        PublishVideo = false,
        EndWhenParticipantLeaves = endWhenUserLeaves,
    }, loggerFactory);

    /// <summary>The avatar service: the worker protocol over <paramref name="bot"/>'s room, Beyond Presence dispatching.</summary>
    public AvatarVideoService CreateAvatar(LiveKitTransport bot) => new(
        new LiveKitAvatarWorkerSessionFactory(new LiveKitAvatarWorkerOptions
        {
            LiveKitUrl = SignalUrl(new Uri(Room.Url!)),
            ApiKey = Room.ApiKey,
            ApiSecret = Room.ApiSecret,
            RoomServiceUrl = _sfu?.RoomServiceUrl, // the loopback server serves RoomService on a port of its own
            WorkerJoinTimeout = TimeSpan.FromSeconds(30),
        }, Dispatcher, bot),
        new AvatarVideoServiceOptions(),
        "BeyondPresenceAvatar");

    /// <summary>Sessions dispatched so far (the emulator counts them; against Beyond Presence, the service's one session).</summary>
    public int SessionsOpened(AvatarVideoService avatar) => Emulator?.Ledger.Sessions.Count ?? (avatar.SessionId is null ? 0 : 1);

    /// <summary>Workers still running (against Beyond Presence: none once the pipeline has ended, which removes its worker).</summary>
    public int SessionsRunning(bool pipelineEnded) => Emulator?.Ledger.Running.Count ?? (pipelineEnded ? 0 : 1);

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        if (_sfu is not null)
        {
            await _sfu.DisposeAsync();
        }
    }

    // LIVEKIT_URL may be given as http(s)://; the worker is handed the signal address, ws(s)://.
    private static Uri SignalUrl(Uri url) => url.Scheme switch
    {
        "http" => new UriBuilder(url) { Scheme = "ws" }.Uri,
        "https" => new UriBuilder(url) { Scheme = "wss" }.Uri,
        _ => url,
    };
}
