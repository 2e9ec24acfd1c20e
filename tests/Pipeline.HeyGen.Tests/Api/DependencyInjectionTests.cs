using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>AddHeyGenApi / AddLiveAvatarApi wire the clients to IHttpClientFactory, options, logging and TimeProvider.</summary>
public sealed class DependencyInjectionTests : EmulatorTest
{
    [Fact]
    public async Task AddHeyGenApi_resolves_a_working_client_on_the_factory_client()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(Logs));
        services.AddHeyGenApi(o =>
        {
            o.ApiKey = Emulator.ApiKey;
            o.BaseUrl = Emulator.StreamingApiBaseUrl;
        });
        await using var provider = services.BuildServiceProvider();

        var api = provider.GetRequiredService<HeyGenApi>();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        await api.CloseSessionAsync(session.SessionId);

        provider.GetRequiredService<IHttpClientFactory>().Should().NotBeNull();
        Emulator.Sessions.StoppedCount.Should().Be(1);
        Logs.Lines.Should().Contain(l => l.Category == typeof(HeyGenApi).FullName);
    }

    [Fact]
    public async Task AddLiveAvatarApi_resolves_a_working_client()
    {
        var services = new ServiceCollection();
        services.AddLiveAvatarApi(o =>
        {
            o.ApiKey = Emulator.LiveAvatarApiKey;
            o.BaseUrl = Emulator.LiveAvatarApiBaseUrl;
            o.CloseReason = LiveAvatarStopReason.UserDisconnected;
        });
        await using var provider = services.BuildServiceProvider();

        var api = provider.GetRequiredService<LiveAvatarApi>();
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });
        await api.CloseSessionAsync(session.SessionId);

        Emulator.FindSession(session.SessionId)!.StopReason.Should().Be("USER_DISCONNECTED");
    }

    [Fact]
    public async Task Invalid_options_fail_when_the_client_is_resolved()
    {
        var services = new ServiceCollection();
        services.AddHeyGenApi(o => o.ApiKey = "");
        await using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<HeyGenApi>();

        act.Should().Throw<OptionsValidationException>().WithMessage("An API key is required: set HeyGenApiOptions.ApiKey.*");
    }
}
