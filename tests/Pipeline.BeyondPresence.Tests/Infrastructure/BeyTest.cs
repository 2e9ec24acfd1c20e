using Microsoft.Extensions.Logging;
using Pipeline.Testing;

namespace Pipeline.BeyondPresence.Tests.Infrastructure;

/// <summary>One test's world: the Beyond Presence stand-in, captured logs, and clients built on them.</summary>
public abstract class BeyTest : IAsyncLifetime
{
    public static readonly Uri LiveKitUrl = new("wss://agents.example.livekit.cloud");

    protected ProviderTestServer Server { get; set; } = null!;

    protected CapturingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Server = await ProviderTestServer.StartAsync();
        BeyondPresenceFake.Install(Server);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Logs.Dispose();
    }

    /// <summary>Options pointing at the stand-in; retries immediate unless a test sets a delay.</summary>
    protected BeyondPresenceOptions Options(Action<BeyondPresenceOptions>? configure = null)
    {
        var options = new BeyondPresenceOptions
        {
            ApiKey = BeyondPresenceFake.ApiKey,
            BaseUrl = Server.BaseUrl,
            RetryBaseDelay = TimeSpan.Zero,
            MaxRetryDelay = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return options;
    }

    protected BeyondPresenceApi Api(Action<BeyondPresenceOptions>? configure = null, TimeProvider? time = null) =>
        new(Options(configure), LoggerFactory(), time);

    protected ILoggerFactory LoggerFactory() => Logs.CreateFactory();

    protected static BeyondPresenceSessionRequest Request(string avatarId = BeyondPresenceOptions.StockAvatarId) =>
        new(avatarId, LiveKitUrl, BeyondPresenceFake.WorkerToken);

    /// <summary>Every captured log text (message, values and exception).</summary>
    protected string AllLogText() => string.Join("\n", Logs.Lines.Select(l => l.FullText));
}
