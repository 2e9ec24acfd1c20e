using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.AvatarWorker.Emulator;
using Pipeline.BeyondPresence;
using Pipeline.Core.Avatars;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarProviders.Tests.Drivers;

/// <summary>
/// Everything the worker provider runs on, real: the loopback SFU (the room), the avatar-worker emulator (Beyond
/// Presence's API and its worker), the Beyond Presence REST client and dispatcher pointed at it, and the agent's
/// <see cref="LiveKitTransport"/>. <see cref="CreateService"/> gives the avatar service over them.
/// </summary>
internal sealed class WorkerRig : IAsyncDisposable
{
    private WorkerRig(LoopbackRoom room, AvatarWorkerEmulator emulator, BeyondPresenceApi api, BeyondPresenceDispatcher dispatcher, LiveKitTransport agent)
    {
        Room = room;
        Emulator = emulator;
        Api = api;
        Dispatcher = dispatcher;
        Agent = agent;
    }

    public LoopbackRoom Room { get; }

    public AvatarWorkerEmulator Emulator { get; }

    public BeyondPresenceApi Api { get; }

    public BeyondPresenceDispatcher Dispatcher { get; }

    public LiveKitTransport Agent { get; }

    public static async Task<WorkerRig> StartAsync(ILoggerFactory? loggerFactory = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        LoopbackRoom room = await LoopbackRoom.StartAsync();
        try
        {
            AvatarWorkerEmulator emulator = await AvatarWorkerEmulator.StartAsync(new AvatarWorkerEmulatorOptions
            {
                LiveKitApiSecret = LoopbackRoom.ApiSecret, // the emulated provider checks the worker token's signature too
                Avatar = new EmulatedAvatarOptions { Width = 160, Height = 90, FrameRate = 15 },
                LoggerFactory = loggerFactory,
            });
            var options = new BeyondPresenceOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.BaseAddress, MaxRetryAttempts = 0 };
            var api = new BeyondPresenceApi(options, loggerFactory);
            var agent = new LiveKitTransport(new LiveKitTransportOptions
            {
                Url = room.Url,
                Token = LoopbackRoom.TokenFor(LoopbackRoom.AgentIdentity, agent: true),
                PublishAudio = false, // the worker publishes the avatar's voice and video on the agent's behalf
                PublishVideo = false,
                EndWhenParticipantLeaves = false,
            }, loggerFactory);
            return new WorkerRig(room, emulator, api, new BeyondPresenceDispatcher(api, options), agent);
        }
        catch
        {
            await room.DisposeAsync();
            throw;
        }
    }

    /// <summary>The avatar service of one pipeline over this rig.</summary>
    /// <param name="options">The session's settings; <see cref="WorkerOptions"/> when null.</param>
    /// <param name="service">The service's settings; by default it does not wait for an output transport (there is none).</param>
    public AvatarVideoService CreateService(LiveKitAvatarWorkerOptions? options = null, AvatarVideoServiceOptions? service = null) =>
        new(new LiveKitAvatarWorkerSessionFactory(options ?? WorkerOptions(), Dispatcher, Agent), service ?? new AvatarVideoServiceOptions { WaitForOutputTransportReady = false });

    /// <summary>The session's settings for this room (generous bounds: real WebRTC on a loaded machine).</summary>
    public LiveKitAvatarWorkerOptions WorkerOptions(TimeSpan? joinTimeout = null) => new()
    {
        LiveKitUrl = Room.Url,
        ApiKey = LoopbackRoom.ApiKey,
        ApiSecret = LoopbackRoom.ApiSecret,
        RoomServiceUrl = Room.RoomServiceUrl,
        WorkerJoinTimeout = joinTimeout ?? TimeSpan.FromSeconds(30),
    };

    public async ValueTask DisposeAsync()
    {
        await Agent.DisposeAsync();
        await Emulator.DisposeAsync();
        Api.Dispose();
        await Room.DisposeAsync();
    }
}
