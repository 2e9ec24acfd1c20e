using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.HeyGen.Realtime;
using Pipeline.HeyGen.Video;

namespace Pipeline.Reliability.Tests;

/// <summary>
/// A pipeline of one <see cref="HeyGenVideoService"/> against a real emulator on 127.0.0.1, everything timed on one
/// fake clock (adapted from the video service tests' harness); every log line is captured.
/// </summary>
internal sealed class ReliabilityHarness : IAsyncDisposable
{
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(20);
    /// <summary>The HTTP attempt, websocket connect and room join timeout: long against the clock's strides (20–50 ms
    /// of emulated time per ~1 ms of wall time), so real I/O on a busy machine never looks like a timeout.</summary>
    public static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<Frame> _atEnd = new();
    private readonly ConcurrentQueue<ErrorFrame> _errors = new();
    private readonly ILoggerFactory _loggerFactory;

    private ReliabilityHarness(FakeTimeProvider clock, HeyGenEmulator emulator, BaseAvatarApi api, HeyGenVideoService service, CapturingLoggerProvider logs, ILoggerFactory loggerFactory)
    {
        Clock = clock;
        Emulator = emulator;
        Api = api;
        Service = service;
        Logs = logs;
        _loggerFactory = loggerFactory;
        Task = new PipelineTask(service, new PipelineTaskOptions { AudioOutSampleRate = 24_000 }, loggerFactory, clock);
        Task.FrameReachedEnd += (_, frame) =>
        {
            if (frame is not OutputImageRawFrame and not SpeechOutputAudioRawFrame)
            {
                _atEnd.Enqueue(frame);
            }
        };
        Task.ErrorReceived += (_, error) => _errors.Enqueue(error);
    }

    public FakeTimeProvider Clock { get; }

    public HeyGenEmulator Emulator { get; }

    public BaseAvatarApi Api { get; }

    public HeyGenVideoService Service { get; }

    public PipelineTask Task { get; }

    public CapturingLoggerProvider Logs { get; }

    public Task<PipelineFinishReason>? Running { get; private set; }

    public IReadOnlyList<Frame> AtEnd => _atEnd.ToList();

    public IReadOnlyList<ErrorFrame> Errors => _errors.ToList();

    public RealtimeSessionContext Realtime => Emulator.FindRealtime(Service.SessionId!) ?? throw new InvalidOperationException("No realtime session yet.");

    public static async Task<ReliabilityHarness> CreateAsync(
        Action<HeyGenVideoServiceOptions>? configure = null,
        DateTimeOffset? start = null,
        bool liveAvatar = false)
    {
        var clock = new FakeTimeProvider(start ?? DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var logs = new CapturingLoggerProvider();
        ILoggerFactory loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions
        {
            TimeProvider = clock,
            EnforceSessionLimits = true,
            Avatar = new EmulatedAvatarOptions { Width = 16, Height = 16, FrameRate = 5 },
        });
        AvatarApiOptions apiOptions = liveAvatar
            ? new LiveAvatarApiOptions { ApiKey = emulator.LiveAvatarApiKey, BaseUrl = emulator.LiveAvatarApiBaseUrl, AttemptTimeout = IoTimeout }
            : new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl, AttemptTimeout = IoTimeout };
        apiOptions.CleanupTimeout = IoTimeout;
        apiOptions.Retry.BaseDelay = TimeSpan.FromMilliseconds(200);
        apiOptions.Retry.UseJitter = false;
        BaseAvatarApi api = apiOptions is LiveAvatarApiOptions la
            ? new LiveAvatarApi(la, loggerFactory, clock)
            : new HeyGenApi((HeyGenApiOptions)apiOptions, loggerFactory, clock);
        var options = new HeyGenVideoServiceOptions
        {
            SessionRequest = liveAvatar ? new LiveAvatarNewSessionRequest { AvatarId = "reliability-avatar" } : new NewSessionRequest(),
            MediaConnectTimeout = IoTimeout,
            EndDrainTimeout = TimeSpan.FromSeconds(5),
            Realtime = new HeyGenRealtimeOptions
            {
                ConnectTimeout = IoTimeout,
                KeepAliveInterval = TimeSpan.FromSeconds(5),
                MaxReconnectAttempts = 3,
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(200),
                ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            },
        };
        configure?.Invoke(options);
        return new ReliabilityHarness(clock, emulator, api, new HeyGenVideoService(api, emulator.MediaConnector, options), logs, loggerFactory);
    }

    public ReliabilityHarness Start()
    {
        Running = Task.RunAsync();
        return this;
    }

    public ValueTask QueueAsync(params Frame[] frames) => Task.QueueFramesAsync(frames);

    /// <summary>Waits (in real time, without moving the clock) until the condition holds.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what) => FakeClockPump.WaitUntilAsync(condition, what, Hang);

    /// <summary>Moves the fake clock forward in steps until the condition holds, letting the system catch up after each.</summary>
    public Task AdvanceUntilAsync(Func<bool> condition, TimeSpan limit, string what, TimeSpan? step = null) =>
        FakeClockPump.AdvanceUntilAsync(Clock, condition, limit, what, step ?? TimeSpan.FromMilliseconds(20), wallLimit: Hang);

    /// <summary>Waits for the run to end, keeping the clock moving (closing may wait on it).</summary>
    public async Task<(PipelineFinishReason? Reason, PipelineException? Failure)> FinishAsync(TimeSpan? limit = null)
    {
        Task<PipelineFinishReason> running = Running ?? throw new InvalidOperationException("Not started.");
        await AdvanceUntilAsync(() => running.IsCompleted, limit ?? TimeSpan.FromMinutes(2), "the pipeline run ending", TimeSpan.FromMilliseconds(50));
        try
        {
            return (await running, null);
        }
        catch (PipelineException ex)
        {
            return (null, ex);
        }
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
        _loggerFactory.Dispose();
    }
}

/// <summary>Keeps every log line (level, category, message, exception) of every logger.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " | " + exception.Message)}");
    }
}
