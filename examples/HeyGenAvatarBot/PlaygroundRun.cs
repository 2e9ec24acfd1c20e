using HeyGenAvatarBot.Engines;
using HeyGenAvatarBot.Progress;
using Microsoft.Extensions.Logging;
using Pipeline.AI.Llm;
using Pipeline.AI.Stt;
using Pipeline.AI.Tts;
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
    private const int OutputSampleRate = 24_000;
    private const int InputSampleRate = 16_000;

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

        var vad = new SileroVadProcessor(vadModel, VadOptions.Default);
        var stt = new SpeechToTextProcessor(engines.Stt, new SpeechToTextProcessorOptions { Language = "en-US", SampleRate = InputSampleRate });
        var llm = new LLMProcessor(engines.Chat, new LLMProcessorOptions { SystemPrompt = engines.SystemPrompt });
        var tts = new TextToSpeechProcessor(engines.Tts, new TextToSpeechProcessorOptions { SampleRate = OutputSampleRate, SpeechOptions = engines.SpeechOptions });
        var avatar = new HeyGenVideoService(connection.Api, connection.Connector, new HeyGenVideoServiceOptions
        {
            SessionRequest = connection.SessionRequest,
            AudioSampleRate = OutputSampleRate,
        });
        var tracker = new TurnTracker(new BotStages(vad, stt, llm, tts, avatar), console, clock);
        await using var task = new PipelineTask(
            new FramePipeline(transport.Input(), vad, stt, llm, new SentenceAggregator(), tts, avatar, transport.Output(), llm.CreateAssistantAggregator()),
            new PipelineTaskOptions
            {
                AudioInSampleRate = InputSampleRate,
                AudioOutSampleRate = OutputSampleRate,
                EnableMetrics = true,
                Observers = [tracker],
            },
            loggerFactory,
            clock);
        task.ErrorReceived += (_, error) => tracker.Say($"! {error.ProcessorName}: {error.Message}");
        var greetings = new List<Task>(); // awaited below: no task outlives the run
        task.FrameReachedEnd += (_, frame) =>
        {
            switch (frame)
            {
                case WebSocketClientConnectedFrame:
                    tracker.Say("browser connected · the avatar greets it");
                    // The greeting is plain text: the TTS speaks it as an utterance of its own.
                    lock (greetings)
                    {
                        greetings.Add(task.QueueFrameAsync(new TextFrame(Greeting), CancellationToken.None).AsTask());
                    }

                    break;
                case WebSocketClientDisconnectedFrame gone:
                    tracker.Say($"browser disconnected ({gone.Reason}) · ending");
                    break;
                default:
                    break;
            }
        };

        PipelineFinishReason reason;
        try
        {
            reason = await task.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reason = PipelineFinishReason.Cancelled;
        }

        Task[] queued;
        lock (greetings)
        {
            queued = [.. greetings];
        }

        await Task.WhenAll(queued).ContinueWith(t => t.Exception, TaskScheduler.Default); // a greeting queued as the run ended has nowhere to go
        int opened = connection.SessionsOpened(avatar);
        int stillOpen = connection.SessionsOpen(pipelineEnded: true);
        tracker.Say($"finished: {reason}; sessions: {opened} opened, {opened - stillOpen} closed");
        return reason switch
        {
            PipelineFinishReason.Cancelled => 130,
            PipelineFinishReason.Ended when stillOpen == 0 => 0,
            _ => 1,
        };
    }
}
