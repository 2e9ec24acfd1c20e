using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.Testing;

namespace Pipeline.WebSocket.Tests.Support;

/// <summary>A running pipeline <c>input → recorder → (bot) → output</c> served by a real <see cref="WebSocketTransport"/>.</summary>
internal sealed class ServedPipeline : IAsyncDisposable
{
    private ServedPipeline(WebSocketTransport transport, FrameRecorder recorder, PipelineHarness harness)
    {
        Transport = transport;
        Recorder = recorder;
        Harness = harness;
    }

    public WebSocketTransport Transport { get; }

    public FrameRecorder Recorder { get; }

    public PipelineHarness Harness { get; }

    public Uri WebSocketUri => Transport.WebSocketUri!;

    /// <summary>Serves a pipeline; by default the transport waits for reconnects, so one test can use several clients.</summary>
    public static Task<ServedPipeline> StartAsync(WebSocketTransportOptions? options = null, FrameProcessor? bot = null, int pipelineInputRate = 16_000) =>
        StartAsync(new WebSocketTransport(options ?? new WebSocketTransportOptions { DisconnectPolicy = ClientDisconnectPolicy.WaitForReconnect }), bot, pipelineInputRate);

    public static async Task<ServedPipeline> StartAsync(WebSocketTransport transport, FrameProcessor? bot = null, int pipelineInputRate = 16_000)
    {
        var recorder = new FrameRecorder();
        FrameProcessor[] processors = bot is null
            ? [transport.Input(), recorder, transport.Output()]
            : [transport.Input(), recorder, bot, transport.Output()];
        var harness = new PipelineHarness(new FramePipeline(processors), new PipelineTaskOptions { AudioInSampleRate = pipelineInputRate, IdleTimeout = null });
        harness.Start();
        // The server starts with the pipeline's start frame; the address is known once it has.
        await harness.WaitUntilAsync(() => transport.BaseAddress is not null, "the transport's server to start");
        return new ServedPipeline(transport, recorder, harness);
    }

    /// <summary>Waits until the recorder has seen a frame matching <paramref name="predicate"/> (in either direction).</summary>
    public Task WaitForAsync<T>(Func<T, bool>? predicate = null, string? what = null)
        where T : Frame =>
        Harness.WaitUntilAsync(
            () => Recorder.Downstream.Concat(Recorder.Upstream).OfType<T>().Any(f => predicate?.Invoke(f) ?? true),
            what ?? $"a {typeof(T).Name}");

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        await Transport.DisposeAsync();
    }
}
