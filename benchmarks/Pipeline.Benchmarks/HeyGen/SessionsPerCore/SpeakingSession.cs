using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Video;

namespace Pipeline.Benchmarks.HeyGen.SessionsPerCore;

/// <summary>
/// One avatar session speaking in real time: a pipeline [HeyGenVideoService → counting sink] fed by a TTS stand-in
/// that delivers 20 ms of 24 kHz speech every 20 ms: <see cref="Utterance"/> of speech (one TTS context), then
/// <see cref="Pause"/> of silence, over and over, as a talkative bot would.
/// </summary>
internal sealed class SpeakingSession : IAsyncDisposable
{
    public static readonly TimeSpan Utterance = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private static readonly byte[] Chunk = MakeChunk();

    private readonly PipelineTask _task;
    private readonly Task<PipelineFinishReason> _running;
    private readonly CountingSink _sink = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _speaker = Task.CompletedTask;

    private SpeakingSession(HeyGenVideoService service)
    {
        Service = service;
        _task = new PipelineTask(new FramePipeline(service, _sink), new PipelineTaskOptions { AudioOutSampleRate = 24_000 }, NullLoggerFactory.Instance);
        _running = _task.RunAsync();
    }

    public HeyGenVideoService Service { get; }

    /// <summary>Media frames (video and audio) that reached the end of the pipeline.</summary>
    public long MediaFrames => _sink.Media;

    /// <summary>Times the avatar started talking.</summary>
    public long Utterances => _sink.Started;

    public bool Failed => _running.IsCompleted;

    public static async Task<SpeakingSession> OpenAsync(BaseAvatarApi api, IAvatarMediaConnector? relay, HeyGenVideoServiceOptions options)
    {
        HeyGenVideoService service = relay is null ? new HeyGenVideoService(api, options) : new HeyGenVideoService(api, relay, options);
        var session = new SpeakingSession(service);
        if (relay is not null)
        {
            await session._task.QueueFrameAsync(new OutputTransportReadyFrame());
        }

        while (service.SessionId is null)
        {
            if (session._running.IsCompleted)
            {
                await session._running; // a start failure surfaces here
                throw new InvalidOperationException("The session ended before it opened.");
            }

            await Task.Delay(10);
        }

        return session;
    }

    /// <summary>Starts talking after <paramref name="offset"/> (sessions are staggered, as real conversations are).</summary>
    public void StartSpeaking(TimeSpan offset) => _speaker = SpeakAsync(offset, _stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _speaker;
        await _task.QueueFrameAsync(new EndFrame());
        await _running;
        _stop.Dispose();
    }

    private async Task SpeakAsync(TimeSpan offset, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(offset, cancellationToken);
            using var timer = new PeriodicTimer(Tick);
            long speechTicks = Utterance.Ticks / Tick.Ticks, cycleTicks = (Utterance + Pause).Ticks / Tick.Ticks, next = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                // Every chunk that is due, late ones included: a loaded machine delays the timer, not the TTS's audio.
                for (long due = clock.Elapsed.Ticks / Tick.Ticks; next <= due; next++)
                {
                    long inCycle = next % cycleTicks;
                    string context = $"u{next / cycleTicks}";
                    if (inCycle == 0)
                    {
                        await _task.QueueFrameAsync(new TTSStartedFrame { ContextId = context }, cancellationToken);
                    }

                    if (inCycle < speechTicks)
                    {
                        await _task.QueueFrameAsync(new TTSAudioRawFrame(Chunk, 24_000, 1) { ContextId = context }, cancellationToken);
                    }
                    else if (inCycle == speechTicks)
                    {
                        await _task.QueueFrameAsync(new TTSStoppedFrame { ContextId = context }, cancellationToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Done.
        }
    }

    // A 220 Hz tone at about -12 dBFS: the avatar's mouth moves, the content does not matter.
    private static byte[] MakeChunk()
    {
        var pcm = new byte[480 * 2];
        for (int i = 0; i < 480; i++)
        {
            short sample = (short)(8000 * Math.Sin(2 * Math.PI * 220 * i / 24_000.0));
            BitConverter.TryWriteBytes(pcm.AsSpan(i * 2), sample);
        }

        return pcm;
    }

    private sealed class CountingSink : FrameProcessor
    {
        private long _media;
        private long _started;

        public long Media => Interlocked.Read(ref _media);

        public long Started => Interlocked.Read(ref _started);

        protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            switch (frame)
            {
                case OutputImageRawFrame or SpeechOutputAudioRawFrame:
                    Interlocked.Increment(ref _media);
                    return ValueTask.CompletedTask; // the end of the line: an output transport would take it here
                case BotStartedSpeakingFrame when direction == FrameDirection.Downstream:
                    Interlocked.Increment(ref _started);
                    break;
            }

            return PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
