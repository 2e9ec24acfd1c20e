using HeyGenAvatarBot.Engines;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Video;
using Pipeline.LiveKit;
using Pipeline.Silero;

namespace HeyGenAvatarBot;

/// <summary>
/// The <c>--livekit</c> mode (and <c>--avatar bey</c>): the bot, the avatar and the user meet in your LiveKit room.
/// The bot joins with <see cref="LiveKitTransport"/> and listens to the first person in the room; the avatar
/// (LiveAvatar in direct-room mode, <c>livekit_config</c> with a token minted here; or Beyond Presence's worker, sent
/// into the room with a token minted here and fed the bot's speech over the room) publishes its video and lip-synced
/// voice straight into the room, so the bot relays no media. All three tokens are minted locally from the API key and secret; the user's is
/// written to a file (never printed). Ends when the user leaves (exit 0) or on Ctrl+C (exit 130).
/// </summary>
internal static class LiveKitRun
{
    public static async Task<int> RunAsync(BotOptions options, TextWriter console, CancellationToken cancellationToken)
    {
        LiveKitRoomSettings room = options.LiveKit ?? throw new InvalidOperationException("--livekit runs need the room settings.");
        using ILoggerFactory loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(options.LogLevel));
        var turns = Conversation.ScriptedTurn.LoadAll(options.AssetsDirectory);
        TimeProvider clock = TimeProvider.System;

        string userTokenFile = WriteUserToken(room, options.OutputDirectory);
        console.WriteLine($"Room   : {room}");
        console.WriteLine($"Join the room as '{LiveKitRoomSettings.UserIdentity}' with the token in {userTokenFile} (valid 6 hours), e.g. in LiveKit Meet:");
        console.WriteLine($"         https://meet.livekit.io/custom?liveKitUrl={Uri.EscapeDataString(room.Url!)}&token=<the token in that file>");

        using var engines = SpeechEngines.Create(options, turns);
        using var vadModel = SileroVadModel.Load();
        await using var transport = new LiveKitTransport(new LiveKitTransportOptions
        {
            Url = new Uri(room.Url!),
            Token = room.MintToken(LiveKitRoomSettings.BotIdentity, "Voice bot", agent: true, clock),
            // The avatar publishes its own video and voice into the room; the bot only listens.
            PublishVideo = false,
            PublishAudio = false,
        }, loggerFactory);
        await using WorkerRoom? worker = options.Provider == AvatarProvider.Bey ? await WorkerRoom.OpenAsync(options, loggerFactory, cancellationToken) : null;
        using LiveAvatarApi? api = worker is null ? new LiveAvatarApi(new LiveAvatarApiOptions { ApiKey = options.Avatar.ApiKey! }, loggerFactory) : null;
        AvatarVideoService avatar = worker is not null ? worker.CreateAvatar(transport) : LiveAvatar(api!, room, options, clock);
        console.WriteLine(worker is not null
            ? $"Avatar : {worker.Description} (the bot streams its speech to the worker over the room)"
            : "Avatar : HeyGen LiveAvatar API (billed), publishing into your room (direct-room mode)");
        console.WriteLine($"Engines: {engines.Description}");

        await using var bot = new LiveVoicePipeline(
            transport.Input(), transport.Output(), avatar, engines, vadModel, console, loggerFactory, clock, static (frame, tracker) =>
            {
                switch (frame)
                {
                    case ParticipantJoinedFrame { IsUser: true } joined:
                        tracker.Say($"{joined.Identity} joined · the avatar greets them");
                        return PlaygroundRun.Greeting;
                    case ParticipantLeftFrame { IsUser: true } left:
                        tracker.Say($"{left.Identity} left · ending");
                        return null;
                    default:
                        return null;
                }
            });
        PipelineFinishReason reason = await bot.RunAsync(cancellationToken);
        int opened = worker?.SessionsOpened(avatar) ?? (avatar.SessionId is null ? 0 : 1);
        int stillOpen = worker?.SessionsRunning(pipelineEnded: true) ?? 0;
        bot.Tracker.Say($"finished: {reason}; sessions: {opened} opened, {opened - stillOpen} closed");
        return reason switch
        {
            PipelineFinishReason.Cancelled => 130,
            PipelineFinishReason.Ended when stillOpen == 0 => 0,
            _ => 1,
        };
    }

    /// <summary>HeyGen LiveAvatar in direct-room mode: it joins your room with a token minted here.</summary>
    private static HeyGenVideoService LiveAvatar(LiveAvatarApi api, LiveKitRoomSettings room, BotOptions options, TimeProvider clock) =>
        new HeyGenVideoService(api, new HeyGenVideoServiceOptions
        {
            MediaMode = AvatarMediaMode.DirectRoom,
            AudioSampleRate = LiveVoicePipeline.OutputSampleRate,
            SessionRequest = new LiveAvatarNewSessionRequest
            {
                AvatarId = options.AvatarId ?? LiveAvatarNewSessionRequest.SandboxAvatarId,
                IsSandbox = options.AvatarId is null,
                LiveKitConfig = new CustomLiveKitConfig
                {
                    LiveKitUrl = room.Url!,
                    LiveKitRoom = room.Room,
                    LiveKitClientToken = room.MintToken(LiveKitRoomSettings.AvatarIdentity, "Avatar", agent: true, clock),
                },
            },
        });

    /// <summary>Writes the user's token to a file only the current user can read, and returns its path.</summary>
    internal static string WriteUserToken(LiveKitRoomSettings room, string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "livekit-user-token.txt");
        string token = room.MintToken(LiveKitRoomSettings.UserIdentity, "You", agent: false);
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // a token lets anyone join the room
        }

        using (var file = new FileStream(path, create))
        using (var writer = new StreamWriter(file))
        {
            writer.WriteLine(token);
        }

        return path;
    }
}
