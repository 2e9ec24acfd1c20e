using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.WebSocket.Server;

namespace Pipeline.WebSocket;

/// <summary>
/// A WebSocket transport: a Kestrel server (127.0.0.1 and an OS-chosen port by default) that one client at a time
/// connects to, with an <see cref="Input"/> processor (the client's microphone as input audio) and an
/// <see cref="Output"/> processor (the bot's audio, JPEG video frames and text events to the client). It also serves
/// the browser playground page at <see cref="BaseAddress"/>. The wire format is docs/websocket-protocol.md.
/// </summary>
/// <example>
/// <code>
/// await using var transport = new WebSocketTransport(new WebSocketTransportOptions { Port = 8080 });
/// var pipeline = new FramePipeline(transport.Input(), stt, llm, tts, avatar, transport.Output());
/// </code>
/// </example>
/// <remarks>
/// The server starts with the pipeline's <see cref="Core.Frames.StartFrame"/> (or earlier with <see cref="StartAsync"/>,
/// to know the address first) and stops when the input processor is disposed at the end of the run: the client is
/// then closed with a reason. A second client while one is connected is refused (close status 1008 and a reason).
/// </remarks>
public sealed class WebSocketTransport : IAsyncDisposable
{
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private readonly Lazy<WebSocketInputTransport> _input;
    private readonly Lazy<WebSocketOutputTransport> _output;
    private int _pipelineSampleRate = 16_000;

    /// <summary>Creates the transport (nothing listens until it starts).</summary>
    /// <param name="options">Settings; defaults when null.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message says which and what is allowed.</exception>
    public WebSocketTransport(WebSocketTransportOptions? options = null)
    {
        Options = options ?? new WebSocketTransportOptions();
        Options.Validate();
        Clock = Options.TimeProvider ?? TimeProvider.System;
        ILogger logger = (Options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<WebSocketTransport>();
        Server = new TransportServer(Options, Clock, logger, () => Volatile.Read(ref _pipelineSampleRate));
        _input = new(() => new WebSocketInputTransport(this));
        _output = new(() => new WebSocketOutputTransport(this));
    }

    /// <summary>The settings.</summary>
    public WebSocketTransportOptions Options { get; }

    /// <summary>The server's address (<c>http://127.0.0.1:{port}/</c>, the playground page), once started.</summary>
    public Uri? BaseAddress => Server.BaseAddress;

    /// <summary>The websocket endpoint (<c>ws://127.0.0.1:{port}/ws</c>), once started.</summary>
    public Uri? WebSocketUri => BaseAddress is { } b ? new Uri($"ws://{b.Authority}{Options.WebSocketPath}") : null;

    /// <summary>Whether a client is connected (its hello was accepted).</summary>
    public bool IsClientConnected => Server.Joined is not null;

    internal TransportServer Server { get; }

    internal TimeProvider Clock { get; }

    /// <summary>The pipeline's input rate in Hz (from its start frame; 16 kHz before).</summary>
    internal int PipelineSampleRate
    {
        get => Volatile.Read(ref _pipelineSampleRate);
        set => Volatile.Write(ref _pipelineSampleRate, value);
    }

    /// <summary>The input processor (the first in the pipeline): the same instance on every call.</summary>
    public WebSocketInputTransport Input() => _input.Value;

    /// <summary>The output processor (the last in the pipeline): the same instance on every call.</summary>
    public WebSocketOutputTransport Output() => _output.Value;

    /// <summary>Starts the server now (the pipeline's start does it otherwise) and returns its address. Idempotent.</summary>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>The playground page's address; the websocket is at <see cref="WebSocketUri"/>.</returns>
    /// <exception cref="IOException">The port is taken (Kestrel's error says which).</exception>
    public async Task<Uri> StartAsync(CancellationToken cancellationToken = default)
    {
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Server.BaseAddress ?? await Server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <summary>Closes the client (with a reason) and stops the server. The input processor does it when the run ends.</summary>
    public ValueTask StopAsync() => Server.StopAsync();

    /// <summary>Stops the server (see <see cref="StopAsync"/>). Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync().ConfigureAwait(false);
        _startLock.Dispose();
    }
}
