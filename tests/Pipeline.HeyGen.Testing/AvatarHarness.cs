using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.HeyGen.Video;

namespace Pipeline.HeyGen.Testing;

/// <summary>
/// A pipeline of one <see cref="HeyGenVideoService"/> against a real emulator on 127.0.0.1, everything timed on one
/// fake clock: the test moves time forward, so media that would take seconds is produced in milliseconds.
/// </summary>
public sealed class AvatarHarness : IAsyncDisposable
{
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(20);

    private readonly ConcurrentQueue<Frame> _atEnd = new();
    private readonly ConcurrentQueue<ErrorFrame> _errors = new();

    private AvatarHarness(FakeTimeProvider clock, HeyGenEmulator emulator, BaseAvatarApi api, HeyGenVideoService service, ILoggerFactory? loggerFactory)
    {
        Clock = clock;
        Emulator = emulator;
        Api = api;
        Service = service;
        Task = new PipelineTask(service, new PipelineTaskOptions { AudioOutSampleRate = 24_000, EnableMetrics = true }, loggerFactory, clock);
        Task.FrameReachedEnd += (_, frame) => _atEnd.Enqueue(frame);
        Task.ErrorReceived += (_, error) => _errors.Enqueue(error);
    }

    public FakeTimeProvider Clock { get; }

    public HeyGenEmulator Emulator { get; }

    public BaseAvatarApi Api { get; }

    public HeyGenVideoService Service { get; }

    public PipelineTask Task { get; }

    public Task<PipelineFinishReason>? Running { get; private set; }

    public IReadOnlyList<Frame> AtEnd => _atEnd.ToList();

    public IReadOnlyList<OutputImageRawFrame> Video => _atEnd.OfType<OutputImageRawFrame>().ToList();

    public IReadOnlyList<SpeechOutputAudioRawFrame> Audio => _atEnd.OfType<SpeechOutputAudioRawFrame>().ToList();

    public IReadOnlyList<ErrorFrame> Errors => _errors.ToList();

    public RealtimeSessionContext Realtime => Emulator.FindRealtime(Service.SessionId!) ?? throw new InvalidOperationException("No realtime session yet.");

    public EmulatedAvatar Avatar => Emulator.FindAvatar(Service.SessionId!) ?? throw new InvalidOperationException("No avatar yet.");

    public static async Task<AvatarHarness> CreateAsync(
        bool liveAvatar = false,
        Action<HeyGenVideoServiceOptions>? configure = null,
        Action<HeyGenEmulatorOptions>? configureEmulator = null,
        Func<IAvatarMediaConnector, IAvatarMediaConnector>? wrapConnector = null,
        ILoggerFactory? loggerFactory = null,
        ILoggerFactory? emulatorLoggerFactory = null)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var emulatorOptions = new HeyGenEmulatorOptions
        {
            TimeProvider = clock,
            Avatar = new EmulatedAvatarOptions { Width = 64, Height = 36, FrameRate = 25 },
            LoggerFactory = emulatorLoggerFactory,
        };
        configureEmulator?.Invoke(emulatorOptions);
        HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(emulatorOptions);
        BaseAvatarApi api = liveAvatar
            ? new LiveAvatarApi(new LiveAvatarApiOptions { ApiKey = emulator.LiveAvatarApiKey, BaseUrl = emulator.LiveAvatarApiBaseUrl }, loggerFactory, clock)
            : new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl }, loggerFactory, clock);
        var options = new HeyGenVideoServiceOptions
        {
            SessionRequest = liveAvatar
                ? new LiveAvatarNewSessionRequest { AvatarId = LiveAvatarNewSessionRequest.SandboxAvatarId }
                : new NewSessionRequest(),
        };
        configure?.Invoke(options);
        return new AvatarHarness(clock, emulator, api, new HeyGenVideoService(api, wrapConnector is null ? emulator.MediaConnector : wrapConnector(emulator.MediaConnector), options), loggerFactory);
    }

    public AvatarHarness Start(CancellationToken cancellationToken = default)
    {
        Running = Task.RunAsync(cancellationToken);
        return this;
    }

    public ValueTask QueueAsync(params Frame[] frames) => Task.QueueFramesAsync(frames);

    /// <summary>Waits (in real time, without moving the clock) until the condition holds.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what) => FakeClockPump.WaitUntilAsync(condition, what, Hang);

    /// <summary>Moves the fake clock forward in steps until the condition holds, letting the system catch up after each.</summary>
    public Task AdvanceUntilAsync(Func<bool> condition, TimeSpan limit, string what, TimeSpan? step = null) =>
        FakeClockPump.AdvanceUntilAsync(Clock, condition, limit, what, step ?? TimeSpan.FromMilliseconds(20));

    /// <summary>Moves the fake clock forward by <paramref name="duration"/>, in 20 ms steps.</summary>
    public async Task AdvanceAsync(TimeSpan duration)
    {
        TimeSpan stride = TimeSpan.FromMilliseconds(20);
        for (TimeSpan moved = TimeSpan.Zero; moved < duration; moved += stride)
        {
            Clock.Advance(stride);
            await System.Threading.Tasks.Task.Delay(1, CancellationToken.None);
        }
    }

    public async Task<PipelineFinishReason> FinishAsync()
    {
        Task<PipelineFinishReason> running = Running ?? throw new InvalidOperationException("Not started.");
        // Closing may wait on the clock (drain, close timeouts): keep time moving until the run ends.
        await AdvanceUntilAsync(() => running.IsCompleted, TimeSpan.FromMinutes(2), "the pipeline run ending", TimeSpan.FromMilliseconds(100));
        return await running;
    }

    public async ValueTask DisposeAsync()
    {
        if (Running is { IsCompleted: false })
        {
            Task.Cancel();
            try
            {
                await FinishAsync();
            }
            catch (Exception)
            {
                // Already failing; disposal only cleans up.
            }
        }

        Api.Dispose();
        await Emulator.DisposeAsync();
    }
}
