using Microsoft.Extensions.Logging;
using Pipeline.Testing;

namespace Pipeline.Tavus.Tests.Infrastructure;

/// <summary>One test's world: the Tavus stand-in, captured logs, and clients built on them.</summary>
public abstract class TavusTest : IAsyncLifetime
{
    public static readonly Uri LiveKitUrl = new("wss://agents.example.livekit.cloud");

    protected ProviderTestServer Server { get; set; } = null!;

    protected TavusFake Tavus { get; private set; } = null!;

    protected CapturingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Server = await ProviderTestServer.StartAsync();
        Tavus = TavusFake.Install(Server);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Logs.Dispose();
    }

    /// <summary>Options pointing at the stand-in's <c>/v2</c>; retries immediate unless a test sets a delay.</summary>
    protected TavusOptions Options(Action<TavusOptions>? configure = null)
    {
        var options = new TavusOptions
        {
            ApiKey = TavusFake.ApiKey,
            PersonaId = "p-echo-livekit",
            ReplicaId = "r-anna",
            BaseUrl = new Uri(Server.BaseUrl, "/v2"),
            RetryBaseDelay = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        return options;
    }

    protected TavusApi Api(Action<TavusOptions>? configure = null, TimeProvider? time = null) => new(Options(configure), Logs.CreateFactory(), time);

    protected static TavusConversationRequest Request(string? replicaId = "r-anna") =>
        new("p-echo-livekit", replicaId, LiveKitUrl, TavusFake.WorkerToken, "pipeline-room-1");

    protected string AllLogText() => string.Join("\n", Logs.Lines.Select(l => l.FullText));
}
