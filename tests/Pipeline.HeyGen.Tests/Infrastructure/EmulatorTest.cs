using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Realtime;

namespace Pipeline.HeyGen.Tests.Infrastructure;

/// <summary>
/// Base of the tests that talk to a real emulator over HTTP: one fresh emulator per test, clients wired to it with
/// captured logs. After every test: no session may be left open, and no key or token may appear in any log line.
/// </summary>
public abstract class EmulatorTest : IAsyncLifetime
{
    private readonly List<IDisposable> _clients = [];

    protected HeyGenEmulator Emulator { get; private set; } = null!;

    protected CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Tests that leave sessions open on purpose (to close them another way) set this to false.</summary>
    protected bool RequireNoOpenSessions { get; set; } = true;

    protected virtual HeyGenEmulatorOptions EmulatorOptions() => new();

    public async Task InitializeAsync() => Emulator = await HeyGenEmulator.StartAsync(EmulatorOptions());

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        var open = Emulator.Sessions.Open;
        var secrets = Emulator.Secrets;
        await Emulator.DisposeAsync();

        if (RequireNoOpenSessions)
        {
            open.Should().BeEmpty("every test must close the sessions it opens");
        }

        AssertNoSecretsIn(Logs.Lines.Select(l => l.FullText), secrets);
    }

    /// <summary>A HeyGen client on the emulator. Retries are immediate (no backoff) unless configured otherwise.</summary>
    protected HeyGenApi HeyGen(Action<HeyGenApiOptions>? configure = null, TimeProvider? time = null, HttpClient? http = null)
    {
        var options = new HeyGenApiOptions { ApiKey = Emulator.ApiKey, BaseUrl = Emulator.StreamingApiBaseUrl };
        options.Retry.BaseDelay = TimeSpan.Zero;
        options.Retry.UseJitter = false;
        configure?.Invoke(options);
        var api = new HeyGenApi(http, options, Logs.CreateFactory(), time);
        _clients.Add(api);
        return api;
    }

    /// <summary>A LiveAvatar client on the emulator. Retries are immediate unless configured otherwise.</summary>
    protected LiveAvatarApi LiveAvatar(Action<LiveAvatarApiOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new LiveAvatarApiOptions { ApiKey = Emulator.LiveAvatarApiKey, BaseUrl = Emulator.LiveAvatarApiBaseUrl };
        options.Retry.BaseDelay = TimeSpan.Zero;
        options.Retry.UseJitter = false;
        configure?.Invoke(options);
        var api = new LiveAvatarApi(options, Logs.CreateFactory(), time);
        _clients.Add(api);
        return api;
    }

    /// <summary>
    /// The emulator's side of a session's websocket. The client's handshake can complete before the server has
    /// registered the connection, so this waits (in real time, bounded) until it has.
    /// </summary>
    protected async Task<RealtimeSessionContext> RealtimeOfAsync(string sessionId)
    {
        await FakeClockPump.WaitUntilAsync(() => Emulator.FindRealtime(sessionId) is not null, $"the emulator registered session {sessionId}'s websocket", TimeSpan.FromSeconds(30));
        return Emulator.FindRealtime(sessionId)!;
    }

    protected static void AssertNoSecretsIn(IEnumerable<string> texts, IEnumerable<string> secrets)
    {
        var secretList = secrets.ToList();
        foreach (var text in texts)
        {
            foreach (var secret in secretList)
            {
                text.Should().NotContain(secret, "keys and tokens must never be logged or put in messages");
            }
        }
    }
}
