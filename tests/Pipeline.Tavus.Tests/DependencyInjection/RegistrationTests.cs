using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.LiveKit.AvatarWorkers;
using Pipeline.Tavus.Tests.Infrastructure;

namespace Pipeline.Tavus.Tests.DependencyInjection;

/// <summary>AddTavus registers a working client and dispatcher; bad options stop the host with what to fix.</summary>
public sealed class RegistrationTests : TavusTest
{
    [Fact]
    public async Task The_registered_dispatcher_dispatches_and_ends_through_the_registered_client()
    {
        var services = new ServiceCollection();
        services.AddTavus(o =>
        {
            o.ApiKey = TavusFake.ApiKey;
            o.PersonaId = "p-echo-livekit";
            o.BaseUrl = new Uri(Server.BaseUrl, "/v2");
        });
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        IAvatarWorkerDispatcher dispatcher = provider.GetRequiredService<IAvatarWorkerDispatcher>();

        AvatarWorkerDispatch dispatch = await dispatcher.DispatchAsync(
            new AvatarWorkerDispatchRequest(LiveKitUrl, "room", dispatcher.WorkerIdentity, "agent", TavusFake.WorkerToken), CancellationToken.None);
        await dispatcher.EndAsync(dispatch, CancellationToken.None);

        dispatcher.Should().BeOfType<TavusDispatcher>();
        Tavus.Ends[dispatch.SessionId].Should().Be(1);
    }

    [Fact]
    public void Configuration_binds_the_options()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tavus:ApiKey"] = TavusFake.ApiKey,
            ["Tavus:PersonaId"] = "p-config",
            ["Tavus:ReplicaId"] = "r-config",
            ["Tavus:WorkerIdentity"] = "tavus-worker-config",
            ["Tavus:RequestTimeout"] = "00:00:04",
            ["Tavus:MaxRetryAttempts"] = "1",
        }).Build();
        var services = new ServiceCollection();
        services.AddTavus(configuration.GetSection("Tavus"));
        using ServiceProvider provider = services.BuildServiceProvider();

        TavusOptions options = provider.GetRequiredService<IOptions<TavusOptions>>().Value;

        options.PersonaId.Should().Be("p-config");
        options.ReplicaId.Should().Be("r-config");
        options.RequestTimeout.Should().Be(TimeSpan.FromSeconds(4));
        options.MaxRetryAttempts.Should().Be(1);
        options.BaseUrl.Should().Be(new Uri("https://tavusapi.com/v2"));
        provider.GetRequiredService<TavusDispatcher>().WorkerIdentity.Should().Be("tavus-worker-config");
    }

    [Fact]
    public async Task A_missing_persona_stops_the_host_at_start_with_what_to_set()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddTavus(o => o.ApiKey = TavusFake.ApiKey);
        using IHost host = builder.Build();

        var failure = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        failure.Which.Failures.Should().ContainSingle().Which.Should()
            .StartWith("A Tavus persona is required: set TavusOptions.PersonaId (e.g. from TAVUS_PERSONA_ID) to a persona with pipeline_mode 'echo' and a 'livekit' transport layer.");
        failure.Which.Message.Should().NotContain(TavusFake.ApiKey);
    }

    [Theory]
    [InlineData("", "A Tavus API key is required: set TavusOptions.ApiKey (e.g. from the TAVUS_API_KEY environment variable).*")]
    [InlineData(TavusFake.ApiKey + " ", "TavusOptions.ApiKey contains whitespace or control characters*")]
    public void A_bad_key_is_refused_without_quoting_it(string key, string expected)
    {
        var failure = FluentActions.Invoking(() => new TavusApi(new TavusOptions { ApiKey = key, PersonaId = "p" })).Should().Throw<ArgumentException>();

        failure.WithMessage(expected);
        failure.Which.Message.Should().NotContain(TavusFake.ApiKey);
    }

    [Fact]
    public void The_defaults_are_tavuss()
    {
        var options = new TavusOptions();

        options.BaseUrl.Should().Be(new Uri("https://tavusapi.com/v2"));
        options.WorkerIdentity.Should().Be("tavus-avatar-agent");
        TavusOptions.RecommendedSampleRate.Should().Be(24_000);
    }
}
