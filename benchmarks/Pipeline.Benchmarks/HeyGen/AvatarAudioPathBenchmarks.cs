using BenchmarkDotNet.Attributes;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;

namespace Pipeline.Benchmarks.HeyGen;

/// <summary>
/// The avatar's input path: 20 ms TTS frames at 16 kHz through HeyGenVideoService (resample to 24 kHz, chunk,
/// base64 + JSON into agent.speak) onto a real websocket to the emulator on 127.0.0.1. One operation = one TTS frame;
/// an invocation sends 10 s of speech and waits until the emulator has received all of it.
/// </summary>
[MemoryDiagnoser]
public class AvatarAudioPathBenchmarks
{
    private const int FramesPerUtterance = 500;
    private AvatarBenchmarkHost _host = null!;
    private byte[] _speech = null!;
    private int _utterance;

    [GlobalSetup]
    public void Setup()
    {
        _host = AvatarBenchmarkHost.StartAsync().GetAwaiter().GetResult();
        _speech = Pcm16.Sine(220, TimeSpan.FromMilliseconds(20 * FramesPerUtterance), 16_000, 0.4);
    }

    [Benchmark(OperationsPerInvoke = FramesPerUtterance)]
    public async Task TtsFrameToSpeakMessage()
    {
        string id = $"bench-{++_utterance}";
        int frameBytes = PcmFormat.BytesFor(TimeSpan.FromMilliseconds(20), 16_000);
        await _host.Task.QueueFrameAsync(new TTSStartedFrame { ContextId = id });
        for (int offset = 0; offset < _speech.Length; offset += frameBytes)
        {
            await _host.Task.QueueFrameAsync(new TTSAudioRawFrame(_speech.AsMemory(offset, frameBytes), 16_000, 1) { ContextId = id });
        }

        await _host.Task.QueueFrameAsync(new TTSStoppedFrame { ContextId = id });
        var recorder = _host.Emulator.FindRealtime(_host.Service.SessionId!)!.Recorder;
        await recorder.WaitForAsync(events => events.Any(e => e.Type == "agent.speak_end" && e.EventId == id));
    }

    [GlobalCleanup]
    public void Cleanup() => _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
