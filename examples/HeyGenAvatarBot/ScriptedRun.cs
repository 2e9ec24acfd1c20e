using HeyGenAvatarBot.Conversation;
using HeyGenAvatarBot.Engines;
using HeyGenAvatarBot.Output;
using HeyGenAvatarBot.Progress;
using Microsoft.Extensions.Logging;
using Pipeline.AI.Llm;
using Pipeline.AI.Stt;
using Pipeline.AI.Tts;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.Core.Video;
using Pipeline.HeyGen.Video;
using Pipeline.Silero;

namespace HeyGenAvatarBot;

/// <summary>What a scripted run produced.</summary>
internal sealed record ScriptedRunResult(
    PipelineFinishReason Reason,
    string? Mp4Path,
    string? Mp4Failure,
    string? ContactSheetPath,
    string TranscriptPath,
    int VideoFrames,
    ConversationLog Log,
    int RepliesSpoken,
    int SessionsOpened,
    int SessionsStillOpen)
{
    /// <summary>The process exit code: 0 when the conversation ran and its files were written, 130 when cancelled.</summary>
    public int ExitCode => Reason switch
    {
        PipelineFinishReason.Cancelled => 130,
        PipelineFinishReason.Ended when Mp4Path is not null && SessionsStillOpen == 0 => 0,
        _ => 1,
    };
}

/// <summary>
/// The scripted, headless mode: the shipped user recordings, played in real time, through the same voice pipeline as
/// the live modes: VAD → STT → LLM → sentences → TTS → the avatar (<see cref="HeyGenVideoService"/>, or a Beyond
/// Presence worker in a LiveKit room watched by a <see cref="RoomViewer"/>) → an MP4 recorder. It writes
/// <c>avatar.mp4</c>, <c>contact-sheet.png</c> and <c>transcript.txt</c>.
/// </summary>
internal static class ScriptedRun
{
    /// <summary>The avatar's audio rate in Hz (HeyGen's), also the recorder's and the TTS's output rate.</summary>
    private const int OutputSampleRate = 24_000;

    public static async Task<ScriptedRunResult> RunAsync(BotOptions options, TextWriter console, CancellationToken cancellationToken)
    {
        using ILoggerFactory loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(options.LogLevel));
        IReadOnlyList<ScriptedTurn> turns = [.. ScriptedTurn.LoadAll(options.AssetsDirectory).Take(options.Turns ?? int.MaxValue)];
        Directory.CreateDirectory(options.OutputDirectory);
        TimeProvider clock = TimeProvider.System;

        using var engines = SpeechEngines.Create(options, turns);
        using var vadModel = SileroVadModel.Load();
        await using ScriptedAvatar scriptedAvatar = await ScriptedAvatar.OpenAsync(options, OutputSampleRate, loggerFactory, cancellationToken);
        console.WriteLine($"Avatar : {scriptedAvatar.Description}");
        console.WriteLine($"Engines: {engines.Description}");
        console.WriteLine($"Input  : {turns.Count} scripted user turns from {options.AssetsDirectory}, played in real time");

        var vad = new SileroVadProcessor(vadModel, VadOptions.Default);
        var stt = new SpeechToTextProcessor(engines.Stt, new SpeechToTextProcessorOptions { Language = "en-US", SampleRate = ScriptedMicrophone.SampleRate });
        var llm = new LLMProcessor(engines.Chat, new LLMProcessorOptions { SystemPrompt = engines.SystemPrompt });
        var tts = new TextToSpeechProcessor(engines.Tts, new TextToSpeechProcessorOptions { SampleRate = OutputSampleRate, SpeechOptions = engines.SpeechOptions });
        AvatarVideoService avatar = scriptedAvatar.Service;
        var tracker = new TurnTracker(new BotStages(vad, stt, llm, tts, avatar), console, clock);
        string mp4 = Path.Combine(options.OutputDirectory, "avatar.mp4");
        var recorder = new Mp4Recorder(mp4, options.FrameRate, OutputSampleRate, tracker);
        await using var task = new PipelineTask(
            new FramePipeline([vad, stt, llm, new SentenceAggregator(), tts, avatar, .. Optional(scriptedAvatar.Viewer), recorder, llm.CreateAssistantAggregator()]),
            new PipelineTaskOptions
            {
                AudioInSampleRate = ScriptedMicrophone.SampleRate,
                AudioOutSampleRate = OutputSampleRate,
                EnableMetrics = true,
                Observers = [tracker],
            },
            loggerFactory,
            clock);
        task.ErrorReceived += (_, error) => tracker.Say($"! {error.ProcessorName}: {error.Message}");

        PipelineFinishReason reason = await RunConversationAsync(task, recorder, new ScriptedMicrophone(turns, tracker, clock), tracker, cancellationToken);
        int opened = scriptedAvatar.SessionsOpened;
        int stillOpen = scriptedAvatar.SessionsStillOpen;
        tracker.Say($"sessions: {opened} opened, {opened - stillOpen} closed");

        string? sheet = Path.Combine(options.OutputDirectory, "contact-sheet.png");
        if (!recorder.Sheet.Save(sheet, tracker.Log.CaptionAt))
        {
            sheet = null;
        }

        string transcript = Path.Combine(options.OutputDirectory, "transcript.txt");
        await File.WriteAllTextAsync(transcript, tracker.Log.ToTranscript(), CancellationToken.None);
        var result = new ScriptedRunResult(reason, recorder.Written ? mp4 : null, recorder.Failure, sheet, transcript, recorder.VideoFrames,
            tracker.Log, tracker.RepliesFinished, opened, stillOpen);
        PrintSummary(console, result, options);
        return result;
    }

    private static FrameProcessor[] Optional(FrameProcessor? processor) => processor is null ? [] : [processor];

    /// <summary>Runs the pipeline, plays the conversation once the avatar's video flows, then ends the pipeline.</summary>
    private static async Task<PipelineFinishReason> RunConversationAsync(
        PipelineTask task, Mp4Recorder recorder, ScriptedMicrophone microphone, TurnTracker tracker, CancellationToken cancellationToken)
    {
        Task<PipelineFinishReason> run = task.RunAsync(cancellationToken);
        try
        {
            tracker.Say("opening the avatar session · listening");
            await Task.WhenAny(recorder.FirstVideo, run).WaitAsync(cancellationToken);
            if (!run.IsCompleted)
            {
                await microphone.PlayAsync(task, cancellationToken);
                await task.QueueFrameAsync(new EndFrame(), cancellationToken);
            }

            return await run;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            tracker.Say("cancelled: closing the avatar session and finishing the files");
            try
            {
                return await run;
            }
            catch (OperationCanceledException)
            {
                return PipelineFinishReason.Cancelled;
            }
        }
    }

    private static void PrintSummary(TextWriter console, ScriptedRunResult result, BotOptions options)
    {
        console.WriteLine();
        console.WriteLine($"Finished: {result.Reason}; {result.RepliesSpoken} replies spoken; {result.VideoFrames} video frames ({result.VideoFrames / options.FrameRate:F1} s).");
        foreach (TurnLatency latency in result.Log.Latencies)
        {
            console.WriteLine($"  turn {latency.Turn}: {latency}");
        }

        console.WriteLine($"  sessions: {result.SessionsOpened} opened, {result.SessionsOpened - result.SessionsStillOpen} closed");
        console.WriteLine("Output:");
        console.WriteLine($"  {result.Mp4Path ?? $"(no MP4: {result.Mp4Failure ?? "no video arrived"})"}");
        if (result.ContactSheetPath is not null)
        {
            console.WriteLine($"  {result.ContactSheetPath}");
        }

        console.WriteLine($"  {result.TranscriptPath}");
    }
}
