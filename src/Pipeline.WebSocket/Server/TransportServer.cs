using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.WebSocket.Protocol;

namespace Pipeline.WebSocket.Server;

/// <summary>
/// The Kestrel app behind a <see cref="WebSocketTransport"/>: the websocket endpoint (one active client; others are
/// refused with a close reason) and the playground's files. What clients do goes into <see cref="Inbound"/>, in order.
/// </summary>
internal sealed class TransportServer : IAsyncDisposable
{
    private readonly WebSocketTransportOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Func<int> _pipelineSampleRate;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<InboundEvent> _inbound = Channel.CreateBounded<InboundEvent>(new BoundedChannelOptions(64)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private WebApplication? _app;
    private ClientSession? _reserved;
    private ClientSession? _joined;
    private Task _activeRun = Task.CompletedTask;
    private string? _refusal;
    private int _stopped;

    public TransportServer(WebSocketTransportOptions options, TimeProvider clock, ILogger logger, Func<int> pipelineSampleRate)
    {
        _options = options;
        _clock = clock;
        _logger = logger;
        _pipelineSampleRate = pipelineSampleRate;
    }

    /// <summary>What clients did, for the input processor.</summary>
    public ChannelReader<InboundEvent> Inbound => _inbound.Reader;

    /// <summary>The client holding the one client slot (connected, maybe before its hello), if any.</summary>
    public ClientSession? Reserved => Volatile.Read(ref _reserved);

    /// <summary>The client whose hello was accepted and that has not left, if any.</summary>
    public ClientSession? Joined => Volatile.Read(ref _joined);

    /// <summary>The app's address, once started.</summary>
    public Uri? BaseAddress { get; private set; }

    /// <summary>Starts Kestrel.</summary>
    public async Task<Uri> StartAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _stopped) != 0)
        {
            throw new InvalidOperationException("This WebSocket transport has stopped (its pipeline ended): create a new one for a new pipeline.");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(TransportServer).Assembly.GetName().Name });
        // Kestrel's own request logs are not forwarded: the transport logs what matters about its clients itself.
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(_options.Address, _options.Port));
        WebApplication app = builder.Build();
        app.UseWebSockets();
        app.Map(_options.WebSocketPath, HandleWebSocketAsync);
        if (_options.ServePlayground)
        {
            app.MapGet("/", context => ServeFileAsync(context, "index.html"));
            app.MapGet("/playground/{file}", context => ServeFileAsync(context, (string)context.Request.RouteValues["file"]!));
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var bound = new Uri(address);
        string host = _options.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{_options.Address}]" : _options.Address.ToString();
        BaseAddress = new Uri($"http://{(_options.Address.Equals(System.Net.IPAddress.Any) ? "127.0.0.1" : host)}:{bound.Port}/");
        _logger.LogInformation("WebSocket transport listening on {Address} (websocket {Path})", BaseAddress, _options.WebSocketPath);
        return BaseAddress;
    }

    /// <summary>
    /// Refuses new clients from now on with <paramref name="reason"/> (the conversation is over), without closing the
    /// active one.
    /// </summary>
    public void StopAccepting(string reason) => Interlocked.CompareExchange(ref _refusal, reason, null);

    /// <summary>Closes the active client with a reason, refuses new ones, and stops Kestrel. Idempotent.</summary>
    public async ValueTask StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        StopAccepting("the bot has stopped: start it again, then reconnect");
        Joined?.RequestClose(new CloseRequest(WebSocketCloseStatus.EndpointUnavailable, "the bot's pipeline ended: reload the page to start a new conversation"));
        Volatile.Read(ref _reserved)?.RequestClose(new CloseRequest(WebSocketCloseStatus.EndpointUnavailable, "the server is stopping"));
        try
        {
            // The close frame and the client's answer take a round trip; a client that never answers is cut off.
            await Volatile.Read(ref _activeRun).WaitAsync(TimeSpan.FromSeconds(3), _clock).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogDebug("WebSocket client did not answer the close in time; aborting it");
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _inbound.Writer.TryComplete();
        if (_app is { } app)
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task HandleWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"This is the websocket endpoint: connect with a websocket client (protocol {WireProtocol.SubProtocol}).", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        string? subProtocol = context.WebSockets.WebSocketRequestedProtocols.Contains(WireProtocol.SubProtocol) ? WireProtocol.SubProtocol : null;
        using System.Net.WebSockets.WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(subProtocol).ConfigureAwait(false);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        using var session = new ClientSession(socket, _options, _clock, _logger);
        string? refusal = Volatile.Read(ref _refusal);
        if (refusal is not null || Interlocked.CompareExchange(ref _reserved, session, null) is not null)
        {
            await RefuseAsync(socket, refusal is null
                ? new CloseRequest(WireProtocol.Busy, "busy: another client is connected; disconnect it (one client at a time) or retry later")
                : new CloseRequest(WebSocketCloseStatus.EndpointUnavailable, refusal), cancel.Token).ConfigureAwait(false);
            return;
        }

        var run = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _activeRun, run.Task);
        bool joined = false;
        try
        {
            _logger.LogInformation("WebSocket client {Client} connected from {Remote}", session.Id, context.Connection.RemoteIpAddress);
            await session.RunAsync(_pipelineSampleRate(), _inbound.Writer, async s =>
            {
                joined = true;
                Volatile.Write(ref _joined, s);
                await _inbound.Writer.WriteAsync(new ClientJoined(s), cancel.Token).ConfigureAwait(false);
            }, cancel.Token).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.CompareExchange(ref _joined, null, session);
            Interlocked.CompareExchange(ref _reserved, null, session);
            CloseRequest? close = session.Close;
            _logger.LogInformation("WebSocket client {Client} left ({Status}: {Reason}); {Dropped} video frames were dropped for it",
                session.Id, close?.Status, close?.Reason, session.DroppedVideoFrames);
            var left = new ClientLeft(session, close);
            if (joined && !_inbound.Writer.TryWrite(left))
            {
                // Not cancelled with the request: the input must learn that the client left (its policy runs on it).
                try
                {
                    await _inbound.Writer.WriteAsync(left, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
                {
                    // The transport is stopping: the pipeline is ending anyway.
                }
            }

            run.TrySetResult();
        }
    }

    private async Task RefuseAsync(System.Net.WebSockets.WebSocket socket, CloseRequest close, CancellationToken cancellationToken)
    {
        _logger.LogInformation("WebSocket client refused: {Reason}", close.Reason);
        try
        {
            await socket.CloseOutputAsync(close.Status, close.Reason, cancellationToken).ConfigureAwait(false);
            await new ClientMessageReader(socket, _options, _clock).DrainUntilClosedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The refused client went away first.
        }
    }

    private Task ServeFileAsync(HttpContext context, string name)
    {
        if (!PlaygroundFiles.TryGet(name, _options.WebSocketPath, out byte[] content, out string contentType))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.Body.WriteAsync(content, context.RequestAborted).AsTask();
    }
}
