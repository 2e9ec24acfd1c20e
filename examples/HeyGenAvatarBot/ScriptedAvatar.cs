using HeyGenAvatarBot.Output;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Avatars;
using Pipeline.Core.Processors;
using Pipeline.Core.Frames;
using Pipeline.HeyGen.Video;
using Pipeline.LiveKit;

namespace HeyGenAvatarBot;

/// <summary>
/// The avatar stage of a scripted run, whichever the provider, and what it brings with it: HeyGen relays its media
/// through the pipeline to the recorder; a Beyond Presence worker publishes into a LiveKit room, so a
/// <see cref="RoomViewer"/> after it brings back what the room shows. The rest of the pipeline is the same.
/// </summary>
internal sealed class ScriptedAvatar : IAsyncDisposable
{
    private readonly Func<int> _opened;
    private readonly Func<int> _stillOpen;
    private readonly IAsyncDisposable[] _owned;

    private ScriptedAvatar(string description, AvatarVideoService service, FrameProcessor? viewer, Func<int> opened, Func<int> stillOpen, params IAsyncDisposable[] owned)
    {
        Description = description;
        Service = service;
        Viewer = viewer;
        _opened = opened;
        _stillOpen = stillOpen;
        _owned = owned;
    }

    /// <summary>One line for the console (no secrets).</summary>
    public string Description { get; }

    /// <summary>The avatar service, after the TTS.</summary>
    public AvatarVideoService Service { get; }

    /// <summary>What goes between the avatar and the recorder (the room viewer), if anything.</summary>
    public FrameProcessor? Viewer { get; }

    /// <summary>Billed sessions opened.</summary>
    public int SessionsOpened => _opened();

    /// <summary>Billed sessions still open (after the pipeline ended: none, or the run leaks).</summary>
    public int SessionsStillOpen => _stillOpen();

    public static async Task<ScriptedAvatar> OpenAsync(BotOptions options, int sampleRate, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (options.Provider == AvatarProvider.Bey)
        {
            WorkerRoom room = await WorkerRoom.OpenAsync(options, loggerFactory, cancellationToken);
            LiveKitTransport bot = room.CreateBotTransport(loggerFactory, endWhenUserLeaves: false); // the scripted user is not in the room
            AvatarVideoService worker = room.CreateAvatar(bot);
            var viewer = new RoomViewer(new LiveKitAvatarMediaConnector(loggerFactory), RoomViewer.Request(
                new Uri(room.Room.Url!), room.TokenFor(ViewerIdentity, "Viewer", agent: false), room.Dispatcher.WorkerIdentity, sampleRate), options.FrameRate);
            return new ScriptedAvatar(room.Description, worker, viewer, () => room.SessionsOpened(worker), () => room.SessionsRunning(pipelineEnded: true), bot, room);
        }

        AvatarConnection connection = await AvatarConnection.OpenAsync(options, loggerFactory, cancellationToken);
        var heygen = new HeyGenVideoService(connection.Api, connection.Connector, new HeyGenVideoServiceOptions
        {
            SessionRequest = connection.SessionRequest,
            VideoFormat = PixelFormat.I420, // what ffmpeg takes as is
            AudioSampleRate = sampleRate,
        });
        return new ScriptedAvatar(connection.Description, heygen, null, () => connection.SessionsOpened(heygen), () => connection.SessionsOpen(pipelineEnded: true), connection);
    }

    /// <summary>The identity of the participant that watches the room for the recording.</summary>
    public const string ViewerIdentity = "recorder";

    public async ValueTask DisposeAsync()
    {
        foreach (IAsyncDisposable owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }
}
