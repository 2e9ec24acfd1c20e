using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.HeyGen.Realtime;
using Pipeline.HeyGen.Video;

namespace Pipeline.HeyGen.Testing;

/// <summary>
/// A <see cref="PipelineHarness"/> plus the emulator: a pipeline of one <see cref="HeyGenVideoService"/> against a
/// real emulator on 127.0.0.1, everything timed on one fake clock (the test moves time forward, so media that would
/// take seconds is produced in milliseconds). Frame and error capture, waits and the clock pump are the pipeline
/// harness's; this adds the emulator, the API client, the service and (optionally) the captured logs.
/// </summary>
public sealed class AvatarHarness : IAsyncDisposable
{
    /// <summary>The real-time limit of every wait: only a hang reaches it.</summary>
    public static readonly TimeSpan Hang = PipelineHarness.DefaultHang;

    private readonly ILoggerFactory? _ownedLoggerFactory;

    private AvatarHarness(
        PipelineHarness pipeline, HeyGenEmulator emulator, BaseAvatarApi api, HeyGenVideoService service, CapturingLoggerProvider? logs, ILoggerFactory? ownedLoggerFactory)
    {
        Pipeline = pipeline;
        Emulator = emulator;
        Api = api;
        Service = service;
        _logs = logs;
        _ownedLoggerFactory = ownedLoggerFactory;
    }

    private readonly CapturingLoggerProvider? _logs;

    /// <summary>The pipeline harness underneath (frames at the end, errors, waits, the typed finish).</summary>
    public PipelineHarness Pipeline { get; }

    public FakeTimeProvider Clock => Pipeline.Clock!;

    public HeyGenEmulator Emulator { get; }

    public BaseAvatarApi Api { get; }

    public HeyGenVideoService Service { get; }

    public PipelineTask Task => Pipeline.Task;

    /// <summary>Every log line, when created with <see cref="AvatarHarnessOptions.CaptureLogs"/>.</summary>
    public CapturingLoggerProvider Logs => _logs ?? throw new InvalidOperationException("Create the harness with AvatarHarnessOptions.CaptureLogs to capture logs.");

    public Task<PipelineFinishReason>? Running => Pipeline.Running;

    public IReadOnlyList<Frame> AtEnd => Pipeline.AtEnd;

    public IReadOnlyList<OutputImageRawFrame> Video => [.. Pipeline.AtEnd.OfType<OutputImageRawFrame>()];

    public IReadOnlyList<SpeechOutputAudioRawFrame> Audio => [.. Pipeline.AtEnd.OfType<SpeechOutputAudioRawFrame>()];

    public IReadOnlyList<ErrorFrame> Errors => Pipeline.Errors;

    public RealtimeSessionContext Realtime => Emulator.FindRealtime(Service.SessionId!) ?? throw new InvalidOperationException("No realtime session yet.");

    public EmulatedAvatar Avatar => Emulator.FindAvatar(Service.SessionId!) ?? throw new InvalidOperationException("No avatar yet.");

    public static async Task<AvatarHarness> CreateAsync(
        bool liveAvatar = false,
        Action<HeyGenVideoServiceOptions>? configure = null,
        Action<HeyGenEmulatorOptions>? configureEmulator = null,
        Func<IAvatarMediaConnector, IAvatarMediaConnector>? wrapConnector = null,
        ILoggerFactory? loggerFactory = null,
        ILoggerFactory? emulatorLoggerFactory = null,
        AvatarHarnessOptions? harness = null)
    {
        harness ??= new AvatarHarnessOptions();
        var clock = new FakeTimeProvider(harness.Start);
        CapturingLoggerProvider? logs = null;
        ILoggerFactory? owned = null;
        if (harness.CaptureLogs)
        {
            logs = new CapturingLoggerProvider();
            if (loggerFactory is null)
            {
                owned = logs.CreateFactory();
                loggerFactory = owned;
            }
            else
            {
                loggerFactory.AddProvider(logs);
            }
        }

        var emulatorOptions = new HeyGenEmulatorOptions
        {
            TimeProvider = clock,
            EnforceSessionLimits = harness.EnforceSessionLimits,
            Avatar = new EmulatedAvatarOptions { Width = harness.Width, Height = harness.Height, FrameRate = harness.FrameRate },
            LoggerFactory = emulatorLoggerFactory,
        };
        configureEmulator?.Invoke(emulatorOptions);
        HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(emulatorOptions);
        BaseAvatarApi api = CreateApi(emulator, liveAvatar, harness.FastRecovery, loggerFactory, clock);
        var options = new HeyGenVideoServiceOptions
        {
            SessionRequest = liveAvatar
                ? new LiveAvatarNewSessionRequest { AvatarId = harness.LiveAvatarId ?? LiveAvatarNewSessionRequest.SandboxAvatarId }
                : new NewSessionRequest(),
        };
        if (harness.FastRecovery)
        {
            options.MediaConnectTimeout = AvatarHarnessOptions.IoTimeout;
            options.EndDrainTimeout = TimeSpan.FromSeconds(5);
            options.Realtime = new HeyGenRealtimeOptions
            {
                ConnectTimeout = AvatarHarnessOptions.IoTimeout,
                KeepAliveInterval = TimeSpan.FromSeconds(5),
                MaxReconnectAttempts = 3,
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(200),
                ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            };
        }

        configure?.Invoke(options);
        IAvatarMediaConnector media = wrapConnector is null ? emulator.MediaConnector : wrapConnector(emulator.MediaConnector);
        var service = new HeyGenVideoService(api, media, options);
        var task = new PipelineTask(service, new PipelineTaskOptions { AudioOutSampleRate = 24_000, EnableMetrics = harness.EnableMetrics, MeterFactory = harness.MeterFactory }, loggerFactory, clock);
        return new AvatarHarness(new PipelineHarness(task, clock) { FinishClockLimit = harness.FinishClockLimit }, emulator, api, service, logs, owned);
    }

    public AvatarHarness Start(CancellationToken cancellationToken = default)
    {
        Pipeline.Start(cancellationToken);
        return this;
    }

    public ValueTask QueueAsync(params Frame[] frames) => Pipeline.QueueAsync(frames);

    /// <summary>Waits (in real time, without moving the clock) until the condition holds.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what) => FakeClockPump.WaitUntilAsync(condition, what, Hang);

    /// <summary>Moves the fake clock forward in steps (default 20 ms) until the condition holds, letting the system catch up after each.</summary>
    public Task AdvanceUntilAsync(Func<bool> condition, TimeSpan limit, string what, TimeSpan? step = null) =>
        Pipeline.AdvanceUntilAsync(condition, limit, what, step);

    /// <summary>Moves the fake clock forward by <paramref name="duration"/>, in 20 ms steps.</summary>
    public Task AdvanceAsync(TimeSpan duration) => Pipeline.AdvanceAsync(duration);

    /// <summary>
    /// Waits for the run to end (keeping the clock moving: closing may wait on it) and returns why it ended; throws what
    /// the run threw (a <see cref="PipelineException"/> for a fatal error).
    /// </summary>
    public async Task<PipelineFinishReason> FinishAsync()
    {
        PipelineFinish finish = await Pipeline.FinishAsync();
        if (finish.Exception is not null)
        {
            ExceptionDispatchInfo.Throw(finish.Exception);
        }

        return finish.Reason;
    }

    /// <summary>Waits for the run to end (keeping the clock moving) and reports how it ended, without throwing.</summary>
    public Task<PipelineFinish> EndAsync() => Pipeline.FinishAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Pipeline.DisposeAsync();
        }
        catch (Exception)
        {
            // Already failing; disposal only cleans up.
        }

        Api.Dispose();
        await Emulator.DisposeAsync();
        _ownedLoggerFactory?.Dispose();
    }

    private static BaseAvatarApi CreateApi(HeyGenEmulator emulator, bool liveAvatar, bool fastRecovery, ILoggerFactory? loggerFactory, FakeTimeProvider clock)
    {
        AvatarApiOptions apiOptions = liveAvatar
            ? new LiveAvatarApiOptions { ApiKey = emulator.LiveAvatarApiKey, BaseUrl = emulator.LiveAvatarApiBaseUrl }
            : new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl };
        if (fastRecovery)
        {
            apiOptions.AttemptTimeout = AvatarHarnessOptions.IoTimeout;
            apiOptions.CleanupTimeout = AvatarHarnessOptions.IoTimeout;
            apiOptions.Retry.BaseDelay = TimeSpan.FromMilliseconds(200);
            apiOptions.Retry.UseJitter = false;
        }

        return apiOptions is LiveAvatarApiOptions la
            ? new LiveAvatarApi(la, loggerFactory, clock)
            : new HeyGenApi((HeyGenApiOptions)apiOptions, loggerFactory, clock);
    }
}
