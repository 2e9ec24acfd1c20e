using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Pipeline.Core.Avatars;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Tests.Infrastructure;
using Pipeline.HeyGen.Video;

namespace Pipeline.HeyGen.Tests.DependencyInjection;

/// <summary>What the registration methods put in the container: typed clients, one of each however often they are
/// called, the returned IHttpClientBuilder's handlers on every request, and the avatar API chosen without generics.</summary>
public sealed class RegistrationTests : EmulatorTest
{
    [Fact]
    public void Registering_twice_adds_each_service_once_and_keeps_both_configurations()
    {
        var services = new ServiceCollection();
        services.AddHeyGenApi(o => o.ApiKey = "first");
        services.AddHeyGenApi(o => o.AttemptTimeout = TimeSpan.FromSeconds(3));
        services.AddHeyGenVideoService();
        services.AddHeyGenVideoService(o => o.AudioChannels = 2);

        CountOf(services, typeof(HeyGenApi)).Should().Be(1);
        CountOf(services, typeof(BaseAvatarApi)).Should().Be(1);
        CountOf(services, typeof(AvatarApiRegistration)).Should().Be(1);
        CountOf(services, typeof(IValidateOptions<HeyGenApiOptions>)).Should().Be(1);
        CountOf(services, typeof(HeyGenVideoServiceFactory)).Should().Be(1);
        CountOf(services, typeof(IAvatarServiceFactory)).Should().Be(1);
        CountOf(services, typeof(IValidateOptions<HeyGenVideoServiceOptions>)).Should().Be(1);

        using ServiceProvider provider = services.BuildServiceProvider();
        HeyGenApiOptions options = provider.GetRequiredService<IOptions<HeyGenApiOptions>>().Value;
        options.ApiKey.Should().Be("first");
        options.AttemptTimeout.Should().Be(TimeSpan.FromSeconds(3));
        provider.GetRequiredService<IOptions<HeyGenVideoServiceOptions>>().Value.AudioChannels.Should().Be(2);
    }

    [Fact]
    public async Task A_handler_added_to_the_returned_builder_sees_every_request_of_the_typed_client()
    {
        var counter = new CountingHandler.Counter();
        var services = new ServiceCollection();
        IHttpClientBuilder builder = services.AddHeyGenApi(o =>
        {
            o.ApiKey = Emulator.ApiKey;
            o.BaseUrl = Emulator.StreamingApiBaseUrl;
        });
        builder.AddHttpMessageHandler(() => new CountingHandler(counter));
        await using ServiceProvider provider = services.BuildServiceProvider();

        builder.Name.Should().Be(HeyGenApi.HttpClientName);
        HeyGenApi api = provider.GetRequiredService<HeyGenApi>();
        StandardSessionResponse session = await api.NewSessionAsync(new NewSessionRequest());
        await api.CloseSessionAsync(session.SessionId);

        counter.Requests.Should().Be(Emulator.Requests.All.Count).And.Be(3, "streaming.new, streaming.start, streaming.stop");
    }

    [Fact]
    public async Task The_builder_of_a_second_registration_adds_to_the_same_client()
    {
        var counter = new CountingHandler.Counter();
        var services = new ServiceCollection();
        services.AddLiveAvatarApi(o =>
        {
            o.ApiKey = Emulator.LiveAvatarApiKey;
            o.BaseUrl = Emulator.LiveAvatarApiBaseUrl;
        });
        services.AddLiveAvatarApi(_ => { }).AddHttpMessageHandler(() => new CountingHandler(counter));
        await using ServiceProvider provider = services.BuildServiceProvider();

        LiveAvatarApi api = provider.GetRequiredService<LiveAvatarApi>();
        StandardSessionResponse session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });
        await api.CloseSessionAsync(session.SessionId);

        counter.Requests.Should().Be(Emulator.Requests.All.Count).And.BeGreaterThan(0);
    }

    [Fact]
    public void Swapping_to_LiveAvatar_is_one_line_and_needs_no_generic_argument()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Emulator.MediaConnector);
        services.AddLiveAvatarApi(o => o.ApiKey = "liveavatar-key");
        services.AddHeyGenVideoService();
        using ServiceProvider provider = services.BuildServiceProvider();

        provider.GetRequiredService<BaseAvatarApi>().Should().BeOfType<LiveAvatarApi>();
        provider.GetRequiredService<IAvatarServiceFactory>().Should().BeSameAs(provider.GetRequiredService<HeyGenVideoServiceFactory>());
        provider.GetRequiredService<IHttpClientFactory>().Should().NotBeNull();
        provider.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(LiveAvatarApi.HttpClientName).Should().NotBeNull();
    }

    [Fact]
    public void A_later_AddHeyGenVideoService_of_TApi_settles_which_of_two_APIs_the_services_use()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Emulator.MediaConnector);
        services.AddHeyGenApi(o => o.ApiKey = "interactive-key");
        services.AddLiveAvatarApi(o => o.ApiKey = "liveavatar-key");
        services.AddHeyGenVideoService();
        services.AddHeyGenVideoService<LiveAvatarApi>();
        using ServiceProvider provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<HeyGenVideoServiceFactory>()).Should().NotThrow();
        CountOf(services, typeof(HeyGenVideoServiceFactory)).Should().Be(1);
    }

    private static int CountOf(IServiceCollection services, Type type) => services.Count(d => d.ServiceType == type);
}
