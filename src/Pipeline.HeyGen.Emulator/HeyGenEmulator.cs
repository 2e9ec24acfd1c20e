using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.HeyGen.Emulator.Protocol;

namespace Pipeline.HeyGen.Emulator;

/// <summary>
/// A local stand-in for HeyGen's services: a real Kestrel server on 127.0.0.1 with an OS-chosen port that serves the
/// Interactive Avatar streaming API and the LiveAvatar API on their real paths, with their auth checks, envelopes and
/// error shapes; the realtime websocket of each started session, driving that session's one
/// <see cref="Media.EmulatedAvatar"/>; and the avatar's media room (<see cref="MediaConnector"/>). It keeps a ledger of
/// sessions, records every request, and injects faults on demand (<see cref="Faults"/>). With
/// <see cref="HeyGenEmulatorOptions.RealtimeOnly"/> it serves the websocket alone, for sessions opened with
/// <see cref="OpenRealtimeSession"/>.
/// </summary>
/// <example><code>
/// await using var emulator = await HeyGenEmulator.StartAsync();
/// using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
/// var session = await api.NewSessionAsync(new NewSessionRequest());
/// await api.CloseSessionAsync(session.SessionId);
/// emulator.Sessions.Open.Should().BeEmpty();
/// </code></example>
public sealed class HeyGenEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorState _state;
    private readonly LiveSessions _live;
    private int _disposed;

    private HeyGenEmulator(WebApplication app, EmulatorState state, LiveSessions live, Uri baseAddress)
    {
        _app = app;
        _state = state;
        _live = live;
        BaseAddress = baseAddress;
    }

    /// <summary>
    /// Joins the emulated room of a session (URL and client or agent token from the session response): the emulated
    /// avatar publishes video whose mouth follows the speech it was sent, and that speech as audio. It refuses any
    /// room that is not the emulator's, so it can never stand in for a real session by mistake.
    /// </summary>
    public IAvatarMediaConnector MediaConnector => _live.Connector;

    /// <summary>The realtime state of a session (received events, decoded audio, faults, its avatar), once its socket
    /// or room has been used.</summary>
    public RealtimeSessionContext? FindRealtime(string sessionId) => _live.Find(sessionId);

    /// <summary>The emulated avatar of a session, once its socket or room has been used.</summary>
    public Media.EmulatedAvatar? FindAvatar(string sessionId) => _live.Find(sessionId)?.Avatar;

    /// <summary>The server's root, <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The OS-chosen port.</summary>
    public int Port => BaseAddress.Port;

    /// <summary>The base URL to give <c>HeyGenApiOptions.BaseUrl</c>: <c>http://127.0.0.1:{port}/v1</c>.</summary>
    public Uri StreamingApiBaseUrl => new(BaseAddress, "v1");

    /// <summary>The base URL to give <c>LiveAvatarApiOptions.BaseUrl</c>: <c>http://127.0.0.1:{port}/v1</c>.</summary>
    public Uri LiveAvatarApiBaseUrl => new(BaseAddress, "v1");

    /// <summary>The Interactive Avatar API key the emulator accepts.</summary>
    public string ApiKey => _state.Options.ApiKey;

    /// <summary>The LiveAvatar API key the emulator accepts.</summary>
    public string LiveAvatarApiKey => _state.Options.LiveAvatarApiKey;

    /// <summary>Every session created so far and its lifecycle.</summary>
    public SessionLedger Sessions => _state.Sessions;

    /// <summary>Every fault the emulator injects: REST calls, websocket upgrades and room joins per endpoint, and each
    /// session's websocket faults.</summary>
    public EmulatorFaults Faults => _state.Faults;

    /// <summary>Every request received, as it arrived.</summary>
    public RequestJournal Requests => _state.Requests;

    /// <summary>Every key and token the emulator accepts or has handed out (API keys, session, access, agent, realtime
    /// and create_token tokens): a test can assert none of them appears in its logs.</summary>
    public IReadOnlyCollection<string> Secrets => _state.Secrets;

    /// <summary>Serves the realtime websocket paths (<see cref="EmulatorPaths.StreamingRealtime"/>,
    /// <see cref="EmulatorPaths.LiveAvatarRealtime"/>) for started sessions: the emulator's own handler unless replaced
    /// (wrap the value read here to extend it); null answers 501.</summary>
    public Func<System.Net.WebSockets.WebSocket, EmulatedSession, CancellationToken, Task>? RealtimeHandler
    {
        get => _state.RealtimeHandler;
        set => _state.RealtimeHandler = value;
    }

    /// <summary>Starts an emulator on 127.0.0.1 with an OS-chosen port.</summary>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>The running emulator; dispose it to stop.</returns>
    public static async Task<HeyGenEmulator> StartAsync(HeyGenEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new HeyGenEmulatorOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.LiveAvatarApiKey);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        var state = new EmulatorState(options);
        var live = new LiveSessions(state);
        state.RealtimeHandler ??= live.HandleRealtimeAsync;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(HeyGenEmulator).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton<ILoggerFactory>(new EmulatorLoggerFactory(loggerFactory));
        }

        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();

        var pipeline = new RequestPipeline(state);
        app.UseWebSockets();
        app.UseRouting();
        app.Use(pipeline.InvokeAsync);
        if (!options.RealtimeOnly)
        {
            var streaming = new StreamingApiEndpoints(state);
            streaming.Map(app);
            new StreamingTaskEndpoints(streaming, live).Map(app);
            new LiveAvatarApiEndpoints(state).Map(app);
        }

        new RealtimeEndpoints(state, live).Map(app);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        state.Port = port;
        return new HeyGenEmulator(app, state, live, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>
    /// Opens a started session without the REST calls (what <c>streaming.new</c> + <c>streaming.start</c>, or LiveAvatar's
    /// token + start, would leave behind) and returns its realtime side, ready for a websocket at
    /// <see cref="RealtimeSessionContext.Session"/>'s <c>RealtimeUrl</c>. The way in for
    /// <see cref="HeyGenEmulatorOptions.RealtimeOnly"/> emulators; works in full mode too.
    /// </summary>
    /// <param name="product">Which product's websocket path the session uses.</param>
    /// <returns>The session's realtime side (its avatar is already running).</returns>
    public RealtimeSessionContext OpenRealtimeSession(EmulatedProduct product = EmulatedProduct.InteractiveAvatar)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _live.GetOrCreate(_state.OpenStartedSession(product))
            ?? throw new InvalidOperationException("The session stopped as soon as it was opened.");
    }

    /// <summary>The websocket URL of a session, optionally with another token (to test how a wrong one is refused).</summary>
    /// <param name="session">The session.</param>
    /// <param name="token">The <c>session_token</c> to put in the URL; the session's own when null.</param>
    /// <returns>The <c>ws://127.0.0.1:{port}/...?session_id=..&amp;session_token=..</c> URL.</returns>
    public Uri RealtimeEndpointFor(RealtimeSessionContext session, string? token = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        return _state.RealtimeUrl(EmulatorState.RealtimePath(session.Session.Product), session.SessionId, token ?? session.SessionToken);
    }

    /// <summary>Finds a session by id (for example to validate a realtime connection or to assert its state).</summary>
    /// <param name="sessionId">The session id.</param>
    /// <returns>The session, or null when the emulator never created it.</returns>
    public EmulatedSession? FindSession(string sessionId) => _state.Sessions.Find(sessionId);

    /// <summary>Stops the server; websocket handlers still running are cancelled.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _state.SignalStopping();
        await _live.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _state.Dispose();
    }
}
