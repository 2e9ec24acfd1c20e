using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.BeyondPresence.Tests.Infrastructure;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.BeyondPresence.Tests.DependencyInjection;

/// <summary>AddBeyondPresence registers a working client and dispatcher, from code or configuration.</summary>
public sealed class RegistrationTests : BeyTest
{
    [Fact]
    public async Task The_registered_dispatcher_dispatches_through_the_registered_client()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(LoggerFactory());
        services.AddBeyondPresence(o =>
        {
            o.ApiKey = BeyondPresenceFake.ApiKey;
            o.BaseUrl = Server.BaseUrl;
        });
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);

        IAvatarWorkerDispatcher dispatcher = provider.GetRequiredService<IAvatarWorkerDispatcher>();
        AvatarWorkerDispatch dispatch = await dispatcher.DispatchAsync(
            new AvatarWorkerDispatchRequest(LiveKitUrl, "room", dispatcher.WorkerIdentity, "agent", BeyondPresenceFake.WorkerToken), CancellationToken.None);

        dispatcher.Should().BeOfType<BeyondPresenceDispatcher>();
        dispatch.Provider.Should().Be("Beyond Presence");
        (await provider.GetRequiredService<BeyondPresenceApi>().GetSessionAsync(dispatch.SessionId)).Id.Should().Be(dispatch.SessionId);
        AllLogText().Should().Contain("create session answered HTTP 201").And.NotContain(BeyondPresenceFake.WorkerToken).And.NotContain(BeyondPresenceFake.ApiKey);
    }

    [Fact]
    public void Configuration_binds_every_option()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BeyondPresence:ApiKey"] = BeyondPresenceFake.ApiKey,
            ["BeyondPresence:AvatarId"] = "avatar-from-config",
            ["BeyondPresence:BaseUrl"] = "http://127.0.0.1:9/",
            ["BeyondPresence:WorkerIdentity"] = "worker-from-config",
            ["BeyondPresence:RequestTimeout"] = "00:00:03",
            ["BeyondPresence:MaxRetryAttempts"] = "5",
            ["BeyondPresence:RetryBaseDelay"] = "00:00:00.250",
            ["BeyondPresence:MaxRetryDelay"] = "00:00:20",
        }).Build();
        var services = new ServiceCollection();
        services.AddBeyondPresence(configuration.GetSection("BeyondPresence"));
        using ServiceProvider provider = services.BuildServiceProvider();

        BeyondPresenceOptions options = provider.GetRequiredService<IOptions<BeyondPresenceOptions>>().Value;

        options.ApiKey.Should().Be(BeyondPresenceFake.ApiKey);
        options.AvatarId.Should().Be("avatar-from-config");
        options.BaseUrl.Should().Be(new Uri("http://127.0.0.1:9/"));
        options.WorkerIdentity.Should().Be("worker-from-config");
        options.RequestTimeout.Should().Be(TimeSpan.FromSeconds(3));
        options.MaxRetryAttempts.Should().Be(5);
        options.RetryBaseDelay.Should().Be(TimeSpan.FromMilliseconds(250));
        options.MaxRetryDelay.Should().Be(TimeSpan.FromSeconds(20));
        provider.GetRequiredService<BeyondPresenceDispatcher>().WorkerIdentity.Should().Be("worker-from-config");
    }

    [Fact]
    public async Task Handlers_added_to_the_returned_builder_see_every_request()
    {
        var counter = new CountingHandler();
        var services = new ServiceCollection();
        services.AddBeyondPresence(o =>
        {
            o.ApiKey = BeyondPresenceFake.ApiKey;
            o.BaseUrl = Server.BaseUrl;
        }).AddHttpMessageHandler(() => counter);
        await using ServiceProvider provider = services.BuildServiceProvider();

        await provider.GetRequiredService<BeyondPresenceApi>().CreateSessionAsync(Request());

        counter.Count.Should().Be(1);
    }

    [Fact]
    public void Registering_twice_adds_configuration_not_a_second_dispatcher()
    {
        var services = new ServiceCollection();
        services.AddBeyondPresence(o => o.ApiKey = BeyondPresenceFake.ApiKey);
        services.AddBeyondPresence(o => o.AvatarId = "second-avatar");
        using ServiceProvider provider = services.BuildServiceProvider();

        services.Count(d => d.ServiceType == typeof(BeyondPresenceDispatcher)).Should().Be(1);
        provider.GetServices<IAvatarWorkerDispatcher>().Should().ContainSingle();
        provider.GetRequiredService<IOptions<BeyondPresenceOptions>>().Value.AvatarId.Should().Be("second-avatar");
    }

    [Fact]
    public void The_client_from_DI_uses_the_options_timeout_not_HttpClients()
    {
        var services = new ServiceCollection();
        services.AddBeyondPresence(o => o.ApiKey = BeyondPresenceFake.ApiKey);
        using ServiceProvider provider = services.BuildServiceProvider();

        using HttpClient http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(BeyondPresenceApi.HttpClientName);

        http.Timeout.Should().Be(Timeout.InfiniteTimeSpan);
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _count;

        public int Count => _count;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
