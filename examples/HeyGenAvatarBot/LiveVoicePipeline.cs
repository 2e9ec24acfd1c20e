using HeyGenAvatarBot.Engines;
using HeyGenAvatarBot.Progress;
using Microsoft.Extensions.Logging;
using Pipeline.AI.Llm;
using Pipeline.AI.Stt;
using Pipeline.AI.Tts;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.Silero;

namespace HeyGenAvatarBot;

/// <summary>
/// The voice pipeline of the live modes (playground and LiveKit): a transport's input → VAD → STT → LLM → sentences →
/// TTS → avatar → the transport's output, with the turn tracker on the console and the greetings a mode queues when
/// someone arrives (awaited when the run ends: no task outlives it).
/// </summary>
internal sealed class LiveVoicePipeline : IAsyncDisposable
{
    /// <summary>The TTS and avatar rate, in Hz.</summary>
    public const int OutputSampleRate = 24_000;

    /// <summary>The microphone rate the pipeline runs at, in Hz.</summary>
    public const int InputSampleRate = 16_000;

    private readonly List<Task> _greetings = [];

    /// <param name="arrivals">Given each frame that reached the end of the pipeline; returns the text to greet with, if any.</param>
    public LiveVoicePipeline(
        FrameProcessor input, FrameProcessor output, AvatarVideoService avatar, SpeechEngines engines, SileroVadModel vadModel,
        TextWriter console, ILoggerFactory loggerFactory, TimeProvider clock, Func<Frame, TurnTracker, string?> arrivals)
    {
        var vad = new SileroVadProcessor(vadModel, VadOptions.Default);
        var stt = new SpeechToTextProcessor(engines.Stt, new SpeechToTextProcessorOptions { Language = "en-US", SampleRate = InputSampleRate });
        var llm = new LLMProcessor(engines.Chat, new LLMProcessorOptions { SystemPrompt = engines.SystemPrompt });
        var tts = new TextToSpeechProcessor(engines.Tts, new TextToSpeechProcessorOptions { SampleRate = OutputSampleRate, SpeechOptions = engines.SpeechOptions });
        Tracker = new TurnTracker(new BotStages(vad, stt, llm, tts, avatar), console, clock);
        Runner = new PipelineTask(
            new FramePipeline(input, vad, stt, llm, new SentenceAggregator(), tts, avatar, output, llm.CreateAssistantAggregator()),
            new PipelineTaskOptions
            {
                AudioInSampleRate = InputSampleRate,
                AudioOutSampleRate = OutputSampleRate,
                EnableMetrics = true,
                Observers = [Tracker],
            },
            loggerFactory,
            clock);
        Runner.ErrorReceived += (_, error) => Tracker.Say($"! {error.ProcessorName}: {error.Message}");
        Runner.FrameReachedEnd += (_, frame) =>
        {
            if (arrivals(frame, Tracker) is { } greeting)
            {
                // The greeting is plain text: the TTS speaks it as an utterance of its own.
                lock (_greetings)
                {
                    _greetings.Add(Runner.QueueFrameAsync(new TextFrame(greeting), CancellationToken.None).AsTask());
                }
            }
        };
    }

    public TurnTracker Tracker { get; }

    public PipelineTask Runner { get; }

    /// <summary>Runs until the pipeline ends (Ctrl+C: <see cref="PipelineFinishReason.Cancelled"/>), then waits for the greetings.</summary>
    public async Task<PipelineFinishReason> RunAsync(CancellationToken cancellationToken)
    {
        PipelineFinishReason reason;
        try
        {
            reason = await Runner.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reason = PipelineFinishReason.Cancelled;
        }

        Task[] queued;
        lock (_greetings)
        {
            queued = [.. _greetings];
        }

        await Task.WhenAll(queued).ContinueWith(t => t.Exception, TaskScheduler.Default); // a greeting queued as the run ended has nowhere to go
        return reason;
    }

    public ValueTask DisposeAsync() => Runner.DisposeAsync();
}
