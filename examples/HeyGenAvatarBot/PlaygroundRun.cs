using HeyGenAvatarBot.Engines;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Video;
using Pipeline.Silero;
using Pipeline.WebSocket;
using Pipeline.WebSocket.Frames;

namespace HeyGenAvatarBot;

/// <summary>
/// The default mode: the browser playground. The page's microphone comes in over the WebSocket transport and goes
/// through the same voice pipeline as the scripted mode (VAD → STT → LLM → sentences → TTS →
/// <see cref="HeyGenVideoService"/>); the avatar's video, audio and captions go back to the page. The avatar greets
/// each browser that connects. Runs until the page is closed (exit 0) or Ctrl+C (exit 130).
/// </summary>
internal static class PlaygroundRun
{
    /// <summary>What the avatar says when a browser connects.</summary>
    public const string Greeting = "Hello! I am a talking avatar in a dot net voice bot. Ask me who I am, or about the weather.";

    public static async Task<int> RunAsync(BotOptions options, TextWriter console, CancellationToken cancellationToken)
    {
        using ILoggerFactory loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(options.LogLevel));
        var turns = Conversation.ScriptedTurn.LoadAll(options.AssetsDirectory);
        TimeProvider clock = TimeProvider.System;

        using var engines = SpeechEngines.Create(options, turns);
        using var vadModel = SileroVadModel.Load();
        await using var transport = new WebSocketTransport(new WebSocketTransportOptions
        {
            Port = options.Port,
            LoggerFactory = loggerFactory,
            MaxVideoFramesPerSecond = options.FrameRate,
        });
        Uri page = await transport.StartAsync(cancellationToken);
        await using AvatarConnection connection = await AvatarConnection.OpenAsync(options, loggerFactory, cancellationToken);
        console.WriteLine($"Avatar : {connection.Description}");
        console.WriteLine($"Engines: {engines.Description}");
        console.WriteLine($"Open {page} in a browser (Chrome, Firefox), allow the microphone, and talk to the avatar. Ctrl+C ends.");

        var avatar = new HeyGenVideoService(connection.Api, connection.Connector, new HeyGenVideoServiceOptions
        {
            SessionRequest = connection.SessionRequest,
            AudioSampleRate = LiveVoicePipeline.OutputSampleRate,
        });
        await using var bot = new LiveVoicePipeline(
            transport.Input(), transport.Output(), avatar, engines, vadModel, console, loggerFactory, clock, static (frame, tracker) =>
            {
                switch (frame)
                {
                    case WebSocketClientConnectedFrame:
                        tracker.Say("browser connected · the avatar greets it");
                        return Greeting;
                    case WebSocketClientDisconnectedFrame gone:
                        tracker.Say($"browser disconnected ({gone.Reason}) · ending");
                        return null;
                    default:
                        return null;
                }
            });
        PipelineFinishReason reason = await bot.RunAsync(cancellationToken);
        int opened = connection.SessionsOpened(avatar);
        int stillOpen = connection.SessionsOpen(pipelineEnded: true);
        bot.Tracker.Say($"finished: {reason}; sessions: {opened} opened, {opened - stillOpen} closed");
        return reason switch
        {
            PipelineFinishReason.Cancelled => 130,
            PipelineFinishReason.Ended when stillOpen == 0 => 0,
            _ => 1,
        };
    }
}
