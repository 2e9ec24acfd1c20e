// A small voice-bot-shaped pipeline built from Core pieces only: a "TTS" that turns text into a tone per word,
// a resampler stage, and a sink that measures what comes out. Runs offline in a second.
using CoreQuickstart;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Observers;
using Pipeline.Core.Pipelines;

using ILoggerFactory loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));

var tts = new ToneSpeaker(sampleRate: 16_000);
var resampler = new ResampleProcessor(outputRate: 24_000);
var meter = new AudioMeter();
var pipeline = new FramePipeline(tts, resampler, meter);

var task = new PipelineTask(pipeline, new PipelineTaskOptions
{
    EnableMetrics = true,
    Observers = [new DebugLogObserver(loggerFactory.CreateLogger<DebugLogObserver>())],
}, loggerFactory);

await task.QueueFramesAsync(
[
    new TextFrame("Hello from the dotnet pipeline"),
    new TextFrame("every word becomes a tone"),
    new EndFrame(),
]);

PipelineFinishReason reason = await task.RunAsync();
Console.WriteLine($"Finished: {reason}. {meter.Frames} audio frames, {meter.Duration.TotalSeconds:F2} s at {meter.SampleRate} Hz, peak level {meter.PeakDbfs:F1} dBFS.");
Console.WriteLine($"Tasks left running: {task.RunningTaskCount}");
return reason == PipelineFinishReason.Ended && meter.Frames > 0 ? 0 : 1;
