using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>
/// A Kestrel host on 127.0.0.1 (a free port) serving only the realtime websocket at
/// <c>/v1/ws/streaming.chat?session_id=..&amp;session_token=..</c>, the URL the emulator's <c>streaming.new</c> returns.
/// It checks the session and token (404 unknown session, 401 wrong token, 410 session over) and hands the socket to a
/// <see cref="RealtimeSessionHandler"/>. For realtime tests; the full emulator plugs the same handler into its host.
/// </summary>
public sealed class RealtimeTestServer : IAsyncDisposable
{
    /// <summary>The path of the realtime websocket.</summary>
    public const string RealtimePath = "/v1/ws/streaming.chat";

    private readonly ConcurrentDictionary<string, RealtimeSessionContext> _sessions = new(StringComparer.Ordinal);
    private readonly RealtimeSessionHandler _handler;
    private WebApplication? _app;

    private RealtimeTestServer(RealtimeSessionHandler handler) => _handler = handler;

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:54321</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Starts a server.</summary>
    /// <param name="loggerFactory">Where the host and handler log; nothing is logged when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<RealtimeTestServer> StartAsync(ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var server = new RealtimeTestServer(new RealtimeSessionHandler(loggerFactory?.CreateLogger<RealtimeSessionHandler>()));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (loggerFactory is not null) builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.UseWebSockets();
        app.Map(RealtimePath, server.AcceptAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        server._app = app;
        server.BaseAddress = new Uri(app.Urls.First());
        return server;
    }

    /// <summary>Registers a session this server accepts; returns it.</summary>
    public RealtimeSessionContext AddSession(RealtimeSessionContext session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!_sessions.TryAdd(session.SessionId, session)) throw new ArgumentException("A session with this id exists.", nameof(session));
        return session;
    }

    /// <summary>Creates and registers a session with a random id and token.</summary>
    public RealtimeSessionContext CreateSession(RealtimeEmulatorOptions? options = null, TimeProvider? timeProvider = null) =>
        AddSession(new RealtimeSessionContext(Guid.NewGuid().ToString(), Convert.ToHexString(Guid.NewGuid().ToByteArray()), options, timeProvider));

    /// <summary>The websocket URL of <paramref name="session"/>, carrying its id and token as <c>streaming.new</c> returns it.</summary>
    public Uri RealtimeEndpointFor(RealtimeSessionContext session, string? token = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new Uri($"ws://{BaseAddress.Authority}{RealtimePath}?session_id={Uri.EscapeDataString(session.SessionId)}"
            + $"&session_token={Uri.EscapeDataString(token ?? session.SessionToken)}");
    }

    /// <summary>Stops the server and the sessions' timers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
        foreach (var session in _sessions.Values) session.Dispose();
    }

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var sessionId = context.Request.Query["session_id"].ToString();
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!session.Authorize(sessionId, context.Request.Query["session_token"].ToString()))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (session.Faults.RejectUpgradeWithStatus is { } status)
        {
            context.Response.StatusCode = status;
            return;
        }

        if (session.IsClosed)
        {
            context.Response.StatusCode = StatusCodes.Status410Gone;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        await _handler.HandleAsync(socket, session, context.RequestAborted).ConfigureAwait(false);
        if (socket.State == WebSocketState.Aborted) context.Abort();
    }
}
