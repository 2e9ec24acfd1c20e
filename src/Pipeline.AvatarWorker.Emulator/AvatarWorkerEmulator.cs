using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.AvatarWorker.Emulator.Api;
using Pipeline.AvatarWorker.Emulator.Worker;

namespace Pipeline.AvatarWorker.Emulator;

/// <summary>
/// A local stand-in for an avatar-worker provider in LiveKit's avatar-worker protocol, with Beyond Presence's REST API:
/// a real Kestrel server on 127.0.0.1 (an OS-chosen port) serving <c>POST /v1/session</c> and
/// <c>GET /v1/session/{id}</c>. Each created session sends a worker into the agent's LiveKit room over real WebRTC (the
/// native engine): it takes the agent's speech as <c>lk.audio_stream</c> byte streams, plays it on the HeyGen
/// emulator's <see cref="HeyGen.Emulator.Media.EmulatedAvatar"/> (same speech timeline, playback clock and renderer),
/// publishes the lip-synced avatar as camera and microphone tracks, answers <c>lk.clear_buffer</c> and reports
/// <c>lk.playback_started</c>/<c>lk.playback_finished</c>. It keeps a <see cref="Ledger"/> of sessions, workers,
/// streams and RPCs, and injects <see cref="Faults"/>. Disposing it stops every worker (they leave their rooms) and the
/// server, once.
/// </summary>
/// <example><code>
/// await using var emulator = await AvatarWorkerEmulator.StartAsync();
/// // POST {emulator.BaseAddress}v1/session with x-api-key: emulator.ApiKey and {"avatar_id","livekit_url","livekit_token"}
/// WorkerSessionRecord session = emulator.Ledger.Sessions.Single();
/// await session.Joined;
/// </code></example>
public sealed class AvatarWorkerEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WorkerPool _workers;
    private int _disposed;

    private AvatarWorkerEmulator(WebApplication app, WorkerPool workers, AvatarWorkerEmulatorOptions options, AvatarWorkerLedger ledger, AvatarWorkerFaults faults, Uri baseAddress)
    {
        _app = app;
        _workers = workers;
        Options = options;
        Ledger = ledger;
        Faults = faults;
        BaseAddress = baseAddress;
    }

    /// <summary>The server's root, <c>http://127.0.0.1:{port}/</c>: the base URL to give a Beyond Presence client
    /// (the API paths start with <c>/v1</c>).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The API key the emulator accepts in <c>x-api-key</c>.</summary>
    public string ApiKey => Options.ApiKey;

    /// <summary>The settings it was started with.</summary>
    public AvatarWorkerEmulatorOptions Options { get; }

    /// <summary>Every session created so far, with its worker's life, streams and RPCs.</summary>
    public AvatarWorkerLedger Ledger { get; }

    /// <summary>The faults it injects.</summary>
    public AvatarWorkerFaults Faults { get; }

    /// <summary>Starts an emulator on 127.0.0.1 with an OS-chosen port.</summary>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>The running emulator; dispose it to stop it and its workers.</returns>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public static async Task<AvatarWorkerEmulator> StartAsync(AvatarWorkerEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AvatarWorkerEmulatorOptions();
        options.Validate();
        ILoggerFactory loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var ledger = new AvatarWorkerLedger();
        var faults = new AvatarWorkerFaults();
        var workers = new WorkerPool(options, ledger, faults, loggerFactory);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(AvatarWorkerEmulator).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is not null)
        {
            builder.Services.AddSingleton<ILoggerFactory>(new Pipeline.HeyGen.Emulator.EmulatorLoggerFactory(options.LoggerFactory));
        }

        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        app.UseRouting();
        new SessionEndpoints(options, ledger, faults, workers).Map(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AvatarWorkerEmulator(app, workers, options, ledger, faults, new Uri($"http://127.0.0.1:{new Uri(address).Port}/"));
    }

    /// <summary>
    /// Makes a session's worker drop out of its room now, mid-utterance if it is speaking, without a word to the agent
    /// (no <c>lk.playback_finished</c>), and waits until it has left.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Stops waiting (the worker still leaves).</param>
    /// <exception cref="ArgumentException">The emulator never created the session.</exception>
    public async Task DropWorkerAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        WorkerSessionRecord session = Ledger.Find(sessionId) ?? throw new ArgumentException($"The emulator has no session '{sessionId}'.", nameof(sessionId));
        _workers.Find(sessionId)?.Leave(WorkerLeaveReason.Dropped);
        await session.Left.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops every worker (each leaves its room and releases its tracks), then the server. Only the first call acts.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _workers.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
